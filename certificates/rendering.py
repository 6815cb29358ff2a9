"""Certificate designs: the sandboxed template engine that turns a snapshot into HTML, and the
built-in designs. The HTML becomes a PDF in ``core.pdf`` (the one WeasyPrint call, with the
project-only URL fetcher).

Must not: touch the database or read settings inside templates. Designs are Django templates
edited by coordinators, so they are rendered by a sandboxed template engine (no ``load``,
``include``, ``extends``, ``debug``, ``autoescape`` or ``safe``; the context is a deep copy of
plain data). Built-in designs use blocks and absolute positions, not flexbox (faster layout).
"""

import copy
import logging
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
FORBIDDEN_FILTERS = {"safe", "safeseq", "escapejs", "pprint", "force_escape"}


class RenderError(Exception):
    """A design could not be rendered; the message says why."""


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

    def render_html(self, html_template: str, context: dict) -> str:
        template = _compiled(html_template)
        return template.render(Context(copy.deepcopy(context), autoescape=True))

    def render_pdf(
        self, *, html_template: str, css: str, context: dict, assets: dict[str, bytes] | None = None
    ) -> bytes:
        html = self.render_html(html_template, context)
        return html_to_pdf(html=html, css=css, assets=assets)


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
