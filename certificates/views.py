"""Certificate pages: the public verification page (anyone with a code or QR code lands here),
and the course page's issue button with its live progress fragment."""

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_countries.fields import Country

from accounts.decorators import role_required
from accounts.roles import COORDINATOR, PROJECT_TEAM
from core.errors import DomainError
from trainings.models import Course

from . import codes, selectors, services, verification
from .labels import LANGUAGE_CHOICES, LANGUAGE_CODES
from .models import Certificate, CertificateBatch, CertificateDesign, CertificateStatus
from .preview import preview_pdf
from .rendering import RenderError


@never_cache
def verify_page(request, code: str):
    """Always fresh (``never_cache``): a revocation must show at once."""
    if not verification.lookup_allowed(request):
        context: dict[str, Any] = {
            "error": _("Too many verification requests. Please wait a minute and retry.")
        }
        return render(request, "certificates/verify.html", context, status=429)
    try:
        certificate = verification.find(code)
    except codes.MistypedCode:
        context = {
            "code": code,
            "error": _("This code has a typing error. Check it against the certificate."),
        }
        return render(request, "certificates/verify.html", context, status=400)
    except ValueError:
        certificate = None
    if certificate is None:
        context = {"code": code, "error": _("No certificate has this verification code.")}
        return render(request, "certificates/verify.html", context, status=404)
    view = verification.public_view(certificate)
    context = {"code": code, "certificate": view, "shown": _shown(view)}
    return render(request, "certificates/verify.html", context)


def _shown(view: dict) -> dict[str, Any]:
    """The signed snapshot keeps ISO dates and a country code; readers get words in their
    language ("24 أيار 2016", "Iraq" / "العراق")."""
    course = view["course"]
    revoked_at = parse_datetime(view["revoked_at"]) if view["revoked_at"] else None
    return {
        "start_date": parse_date(course["start_date"]) if course["start_date"] else None,
        "end_date": parse_date(course["end_date"]) if course["end_date"] else None,
        "issued_on": parse_date(view["issued_on"]) if view["issued_on"] else None,
        "revoked_on": localtime(revoked_at).date() if revoked_at else None,
        "country": Country(course["country"]).name if course["country"] else "",
    }


def verify_form(request):
    """A box to type a code into, for people holding a paper certificate."""
    code = (request.GET.get("code") or "").strip()
    if code:
        return verify_page(request, code)
    return render(request, "certificates/verify.html", {})


@role_required(COORDINATOR)
@require_POST
def issue_for_course(request, pk: int):
    """The course page's "Issue certificates" button: create the batch, go back to the page,
    whose progress bar then follows the workers."""
    course = get_object_or_404(Course, pk=pk)
    language = request.POST.get("language", "")
    try:
        batch = services.batch_create(
            course=course,
            by=request.user,
            language=language if language in LANGUAGE_CODES else "",
            send_email=request.POST.get("send_email") == "on",
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Issuing %(total)d certificates: the PDFs are being rendered.")
            % {"total": batch.total},
        )
    return redirect(f"{reverse('course-detail', args=[course.pk])}#certificates")


@role_required(PROJECT_TEAM, COORDINATOR)
@never_cache
def batch_progress(request, pk: int):
    """The live progress fragment; it stops asking for updates once the batch has finished."""
    batch = get_object_or_404(CertificateBatch.objects.select_related("course"), pk=pk)
    selectors.live_batch_progress(batch)
    return render(request, "certificates/_batch_progress.html", {"batch": batch})


@role_required(PROJECT_TEAM, COORDINATOR)
@never_cache
def course_panel(request, pk: int):
    """The course page's certificates panel on its own, polled while a batch runs: counts, the
    bar and each certificate's row as they are now, and the trainee table's certificate cells
    out of band."""
    course = get_object_or_404(Course, pk=pk)
    context = {
        "course": course,
        "certificates": selectors.course_certificate_summary(course),
        "certificate_languages": LANGUAGE_CHOICES,
        "oob_cells": True,
    }
    return render(request, "certificates/_course_panel.html", context)


@role_required(COORDINATOR)
def certificate_revoke(request, pk: int):
    """Revoke one certificate: a page that says what revoking does, asks for the reason, and
    revokes only when sent (the public verification page then says "revoked" with the reason)."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("enrolment__participant", "enrolment__course"), pk=pk
    )
    course_page = reverse("course-detail", args=[certificate.enrolment.course_id])
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            services.certificate_revoke(certificate=certificate, reason=reason, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Certificate %(serial)s revoked.") % {"serial": certificate.serial}
            )
            return redirect(f"{course_page}#certificates")
    context = {
        "certificate": certificate,
        "reason": reason,
        "revocable": certificate.status == CertificateStatus.VALID,
        "course_page": course_page,
    }
    return render(request, "certificates/revoke.html", context)


@role_required(COORDINATOR)
def design_preview(request, pk: int | None = None):
    """A design rendered on a sample trainee (``?language=ar-en``), shown inline as PDF."""
    design = get_object_or_404(CertificateDesign, pk=pk) if pk else None
    try:
        pdf = preview_pdf(design, request.GET.get("language", "ar-en"))
    except RenderError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response


@role_required(COORDINATOR)
def certificate_reissue(request, pk: int):
    """Re-issue one certificate with a reason. When a merge moved it to another trainee record,
    the page shows both names and asks the coordinator to confirm that the holder changed."""
    certificate = get_object_or_404(
        Certificate.objects.select_related("enrolment__participant", "enrolment__course"), pk=pk
    )
    change = selectors.holder_change(certificate)
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            new = services.certificate_reissue(
                certificate=certificate,
                reason=reason,
                holder_changed=request.POST.get("holder_changed") == "on",
                by=request.user,
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Certificate %(old)s is superseded by %(new)s: its PDF is being rendered.")
                % {"old": certificate.serial, "new": new.serial},
            )
            course_page = reverse("course-detail", args=[certificate.enrolment.course_id])
            return redirect(f"{course_page}#certificates")
    context = {
        "certificate": certificate,
        "change": change,
        "reason": reason,
        "reissuable": certificate.status in (CertificateStatus.VALID, CertificateStatus.REVOKED),
    }
    return render(request, "certificates/reissue.html", context)
