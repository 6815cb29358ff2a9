"""Saving a certificate design: it must render, and its version goes up when its HTML or CSS
changes (each certificate records the version it was printed with)."""

from core.errors import DomainError

from ..models import CertificateDesign
from ..preview import sample_context
from ..rendering import PREVIEW_SECONDS, RenderError, renderer


def design_save(*, design: CertificateDesign) -> CertificateDesign:
    """Save a design, checking it renders, and bump its version when the HTML or CSS changed
    (each certificate records the version it was printed with)."""
    try:
        renderer().render_html(design.html, sample_context("en"), seconds=PREVIEW_SECONDS)
    except RenderError as error:
        raise DomainError(error.args[0], field="html") from error
    if design.pk:
        before = CertificateDesign.objects.filter(pk=design.pk).values("html", "css").first()
        if before and (before["html"], before["css"]) != (design.html, design.css):
            design.version += 1
    design.save()
    return design
