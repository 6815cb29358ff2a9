"""The one place that turns a certificate snapshot into PDF bytes with WeasyPrint.

Must not: touch the database, read settings inside templates, or fetch anything from outside the
project. Designs are Django templates edited by coordinators, so they are rendered by a sandboxed
template engine (no ``load``, ``include``, ``extends``, ``debug``, ``autoescape`` or ``safe``;
the context is a deep copy of plain data), and WeasyPrint gets a URL fetcher that serves only
``data:`` URIs and the project's own assets (``asset:<name>``): no ``file://``, no network, no
redirects.

Speed (see FINDINGS.md): one ``FontConfiguration`` per process and pre-parsed CSS per design are
reused across renders; built-in designs use blocks and absolute positions, not flexbox.
"""

import copy
import hashlib
import logging
import mimetypes
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import segno
from django.template import Context, Engine, Library
from weasyprint import CSS, HTML
from weasyprint.text import ffi as weasyprint_ffi
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

DESIGNS_DIR = Path(__file__).resolve().parent / "designs"
ASSETS_DIR = DESIGNS_DIR / "assets"
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


def harfbuzz_subset_available() -> bool:
    """Without Debian's libharfbuzz-subset0 every render is ~10x slower (fontTools fallback)."""
    return getattr(weasyprint_ffi, "harfbuzz_subset", None) is not None


class ProjectOnlyFetcher(URLFetcher):
    """Serves ``data:`` URIs and named project assets; refuses every other URL."""

    def __init__(self, assets: dict[str, bytes] | None = None):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=2)
        self._assets = assets or {}

    def fetch(self, url: str, headers=None):
        if url.startswith("asset:"):
            name = url.removeprefix("asset:")
            data = self._assets.get(name)
            if data is None:
                data = bundled_asset(name)
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, data, {"Content-Type": mime})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        logger.warning("Certificate rendering refused to fetch %s", url[:200])
        raise ValueError("Only data: URIs and project assets may be used in certificates.")


@cache
def bundled_asset(name: str) -> bytes:
    path = (ASSETS_DIR / name).resolve()
    if ASSETS_DIR.resolve() not in path.parents or not path.is_file():
        raise ValueError(f"Unknown certificate asset: {name}")
    return path.read_bytes()


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


@dataclass
class Renderer:
    """Per-process renderer: keeps fonts and parsed stylesheets warm between certificates."""

    font_config: FontConfiguration = field(default_factory=FontConfiguration)
    _stylesheets: dict[str, CSS] = field(default_factory=dict)

    def stylesheet(self, css: str) -> CSS:
        key = hashlib.sha256(css.encode()).hexdigest()
        if key not in self._stylesheets:
            self._stylesheets[key] = CSS(
                string=css, font_config=self.font_config, url_fetcher=ProjectOnlyFetcher()
            )
        return self._stylesheets[key]

    def render_html(self, html_template: str, context: dict) -> str:
        template = _compiled(html_template)
        return template.render(Context(copy.deepcopy(context), autoescape=True))

    def render_pdf(
        self, *, html_template: str, css: str, context: dict, assets: dict[str, bytes] | None = None
    ) -> bytes:
        html = self.render_html(html_template, context)
        document = HTML(string=html, url_fetcher=ProjectOnlyFetcher(assets), base_url=None)
        return document.write_pdf(stylesheets=[self.stylesheet(css)], font_config=self.font_config)


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
