"""The one place that turns HTML into PDF bytes with WeasyPrint, for certificates and the
sign-in sheet alike.

Must not: touch the database, render templates (callers pass finished HTML; certificate designs
are rendered by the sandboxed engine in ``certificates.rendering``), or fetch anything from
outside the project. WeasyPrint gets a URL fetcher that serves only ``data:`` URIs and the
project's own assets (``asset:<name>``, from ``core/pdf_assets/`` or the caller's ``assets``):
no ``file://``, no network, no redirects.

Speed (docs/decisions.md): one ``FontConfiguration`` per process and parsed stylesheets are
reused across renders, so a worker pays font discovery and CSS parsing once.
"""

import hashlib
import logging
import mimetypes
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text import ffi as weasyprint_ffi
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

ASSETS_DIR = Path(__file__).resolve().parent / "pdf_assets"


def harfbuzz_subset_available() -> bool:
    """Without Debian's libharfbuzz-subset0 every render is ~10x slower (fontTools fallback)."""
    return getattr(weasyprint_ffi, "harfbuzz_subset", None) is not None


@cache
def bundled_asset(name: str) -> bytes:
    """A file shipped in ``core/pdf_assets/``; nothing outside that folder."""
    path = (ASSETS_DIR / name).resolve()
    if ASSETS_DIR.resolve() not in path.parents or not path.is_file():
        raise ValueError(f"Unknown PDF asset: {name}")
    return path.read_bytes()


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
        logger.warning("PDF rendering refused to fetch %s", url[:200])
        raise ValueError("Only data: URIs and project assets may be used in a PDF.")


@dataclass
class PdfWriter:
    """Per-process writer: keeps fonts and parsed stylesheets warm between documents."""

    font_config: FontConfiguration = field(default_factory=FontConfiguration)
    _stylesheets: dict[str, CSS] = field(default_factory=dict)

    def stylesheet(self, css: str) -> CSS:
        key = hashlib.sha256(css.encode()).hexdigest()
        if key not in self._stylesheets:
            self._stylesheets[key] = CSS(
                string=css, font_config=self.font_config, url_fetcher=ProjectOnlyFetcher()
            )
        return self._stylesheets[key]

    def write(self, *, html: str, css: str, assets: dict[str, bytes] | None = None) -> bytes:
        """PDF bytes of finished ``html`` styled by ``css``."""
        document = HTML(string=html, url_fetcher=ProjectOnlyFetcher(assets), base_url=None)
        return document.write_pdf(stylesheets=[self.stylesheet(css)], font_config=self.font_config)


@cache
def pdf_writer() -> PdfWriter:
    """The process's writer (one ``FontConfiguration`` shared by every kind of PDF)."""
    return PdfWriter()


def html_to_pdf(*, html: str, css: str, assets: dict[str, bytes] | None = None) -> bytes:
    return pdf_writer().write(html=html, css=css, assets=assets)
