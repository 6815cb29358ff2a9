"""Read queries for the pages that show certificate issuance. Nothing here writes."""

from django.db.models import QuerySet

from certificates.models import CertificateBatch


def recent_batches(limit: int = 10) -> QuerySet[CertificateBatch]:
    """The latest issuance batches with their course, newest first."""
    return CertificateBatch.objects.select_related("course").order_by("-created_at", "-pk")[:limit]


def course_certificate_summary(course) -> dict:
    """What the course page's certificates panel shows: how many wait, how many are issued,
    the latest batch, and each enrolment's live certificate (one query each, whatever the size)."""
    from .models import Certificate, CertificateStatus
    from .services import eligible_enrolments

    live = Certificate.objects.filter(
        enrolment__course=course,
        status__in=(CertificateStatus.VALID, CertificateStatus.PENDING, CertificateStatus.FAILED),
    ).only("pk", "serial", "status", "verification_code", "enrolment_id")
    by_enrolment = {certificate.enrolment_id: certificate for certificate in live}
    return {
        "waiting": eligible_enrolments(course).count(),
        "issued": sum(c.status == CertificateStatus.VALID for c in by_enrolment.values()),
        "latest_batch": CertificateBatch.objects.filter(course=course).order_by("-pk").first(),
        "by_enrolment": by_enrolment,
    }
