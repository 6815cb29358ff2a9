"""Certificate designs: the sandboxed template engine that turns a snapshot into HTML, and the
built-in designs. The HTML becomes a PDF in ``core.pdf`` (the one WeasyPrint call, with the
project-only URL fetcher).

Must not: touch the database or read settings inside templates. Designs are Django templates
edited by coordinators, so they are rendered by a sandboxed template engine (no ``load``,
``include``, ``extends``, ``debug``, ``autoescape`` or ``safe``, nor the padding filters that
make strings of any length; the context is a deep copy of plain data). Built-in designs use
blocks and absolute positions, not flexbox (faster layout).

A design's work is bounded, so that a hostile or careless design fails its certificate with the
reason instead of holding a worker or a web process: the template render has a deadline, checked
at every variable read and every loop step (``BudgetContext``: it works in any thread, unlike a
signal), its HTML output a size limit, and any error while rendering (a ``RecursionError`` from
300 nested blocks in the layout, say) becomes a ``RenderError`` naming it.
"""

import copy
import logging
import time
from functools import cache
from pathlib import Path

import segno
from django.template import Context, Engine, Library

from core.pdf import html_to_pdf

logger = logging.getLogger(__name__)

DESIGNS_DIR = Path(__file__).resolve().parent / "designs"
MAX_TEMPLATE_SIZE = 200_000

# Tags and filters a coordinator's design may use. Anything that reads other templates or files,
# turns escaping off, or dumps the context is left out.
ALLOWED_TAGS = {
    "if", "elif", "else", "endif", "for", "empty", "endfor", "with", "endwith", "firstof",
    "cycle", "spaceless", "endspaceless", "comment", "endcomment", "now", "resetcycle",
    "templatetag", "widthratio", "ifchanged", "endifchanged", "filter", "endfilter", "verbatim",
}  # fmt: skip
# ljust, rjust and center pad to any width: "{{ c.serial|ljust:1000000000 }}" is a gigabyte.
FORBIDDEN_FILTERS = {
    "safe", "safeseq", "escapejs", "pprint", "force_escape", "ljust", "rjust", "center",
}  # fmt: skip
# The HTML a design may produce for one certificate (the built-in one makes about 15 KB).
MAX_OUTPUT_SIZE = 1_000_000
# Seconds a design's template may take for one certificate, in a worker and for a preview.
RENDER_SECONDS = 20.0
PREVIEW_SECONDS = 5.0


class RenderError(Exception):
    """A design could not be rendered; the message says why."""


class BudgetContext(Context):
    """A template context that stops the render once its deadline has passed. Every variable
    read (``{{ c.holder.name }}``) and every loop step (``{% for %}`` sets its variable) goes
    through ``__getitem__`` or ``__setitem__``, so even nested loops over a long list stop."""

    def __init__(self, values: dict, *, seconds: float) -> None:
        super().__init__(values, autoescape=True)
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def _check(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderError(
                f"The design took more than {self.seconds:g} seconds to fill in for one "
                "certificate; simplify its loops."
            )

    def __getitem__(self, key):
        self._check()
        return super().__getitem__(key)

    def __setitem__(self, key, value) -> None:
        self._check()
        super().__setitem__(key, value)


def _restricted_library(library: Library) -> Library:
    restricted = Library()
    restricted.tags = {k: v for k, v in library.tags.items() if k in ALLOWED_TAGS}
    restricted.filters = {k: v for k, v in library.filters.items() if k not in FORBIDDEN_FILTERS}
    return restricted


@cache
def sandbox_engine() -> Engine:
    engine = Engine(
        dirs=[],
        app_dirs=False,
        autoescape=True,
        string_if_invalid="",
        libraries={},
        loaders=[("django.template.loaders.locmem.Loader", {})],
    )
    engine.template_builtins = [_restricted_library(lib) for lib in engine.template_builtins]
    return engine


@cache
def _compiled(html: str):
    if len(html) > MAX_TEMPLATE_SIZE:
        raise RenderError("The design is too large.")
    try:
        return sandbox_engine().from_string(html)
    except Exception as error:  # TemplateSyntaxError and friends: report, do not crash
        raise RenderError(f"The design has an error: {error}") from error


class Renderer:
    """Per-process renderer: the sandboxed design engine in front of ``core.pdf``'s warm
    writer (fonts and parsed stylesheets are reused between certificates)."""

    def render_html(
        self, html_template: str, context: dict, *, seconds: float | None = None
    ) -> str:
        """The design filled in with ``context``, within ``seconds`` (``RENDER_SECONDS``)."""
        template = _compiled(html_template)
        budget = RENDER_SECONDS if seconds is None else seconds
        try:
            html = template.render(BudgetContext(copy.deepcopy(context), seconds=budget))
        except RenderError:
            raise
        except Exception as error:  # the design's own fault: a failure with its reason
            raise RenderError(f"The design could not be filled in: {_describe(error)}") from error
        if len(html) > MAX_OUTPUT_SIZE:
            raise RenderError(
                f"The design produced {len(html):,} characters of HTML for one certificate; "
                f"the limit is {MAX_OUTPUT_SIZE:,}."
            )
        return html

    def render_pdf(
        self,
        *,
        html_template: str,
        css: str,
        context: dict,
        assets: dict[str, bytes] | None = None,
        seconds: float | None = None,
    ) -> bytes:
        html = self.render_html(html_template, context, seconds=seconds)
        try:
            return html_to_pdf(html=html, css=css, assets=assets)
        except RecursionError as error:  # deeply nested blocks: WeasyPrint's layout recurses
            raise RenderError("The design nests its blocks too deeply to lay out.") from error
        except Exception as error:
            raise RenderError(f"The design could not be laid out: {_describe(error)}") from error


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


@cache
def renderer() -> Renderer:
    return Renderer()


def qr_svg_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#1b2a41")


@cache
def builtin_design(name: str) -> tuple[str, str]:
    """(html, css) of a design shipped with the product; read once per process, not once per
    certificate (the files only change with a release)."""
    return (DESIGNS_DIR / f"{name}.html").read_text(), (DESIGNS_DIR / f"{name}.css").read_text()
