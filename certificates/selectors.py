"""Read queries for the pages that show certificate issuance. Nothing here writes."""

from django.db.models import Count, Q, QuerySet

from participants.models import Enrolment, EnrolmentStatus
from trainings.models import Course, CourseStatus

from .models import Certificate, CertificateBatch, CertificateStatus


def eligible_enrolments(course: Course) -> QuerySet[Enrolment]:
    """Enrolments that met the completion rule and have no live certificate yet."""
    return (
        Enrolment.objects.filter(course=course, status=EnrolmentStatus.COMPLETED)
        .exclude(pk__in=Certificate.objects.live().values("enrolment_id"))
        .select_related("participant__organisation")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def recent_batches(limit: int = 10) -> QuerySet[CertificateBatch]:
    """The latest issuance batches with their course, newest first."""
    return CertificateBatch.objects.select_related("course").order_by("-created_at", "-pk")[:limit]


def course_certificate_summary(course: Course) -> dict:
    """What the course page's certificates panel shows: how many wait, how many are issued,
    the latest batch, and each enrolment's live certificate (one query each, whatever the size)."""
    live = (
        Certificate.objects.live()
        .filter(enrolment__course=course)
        .only("pk", "serial", "status", "verification_code", "enrolment_id")
    )
    by_enrolment = {certificate.enrolment_id: certificate for certificate in live}
    return {
        "waiting": eligible_enrolments(course).count(),
        "issued": sum(c.status == CertificateStatus.VALID for c in by_enrolment.values()),
        "latest_batch": CertificateBatch.objects.filter(course=course).order_by("-pk").first(),
        "by_enrolment": by_enrolment,
    }


def completed_courses(limit: int = 10) -> QuerySet[Course]:
    """The latest completed courses with their completed trainees and valid certificates."""
    return (
        Course.objects.filter(status=CourseStatus.COMPLETED)
        .select_related("programme")
        .annotate(
            completed_count=Count(
                "enrolments",
                filter=Q(enrolments__status=EnrolmentStatus.COMPLETED),
                distinct=True,
            ),
            certificate_count=Count(
                "enrolments__certificates",
                filter=Q(enrolments__certificates__status=CertificateStatus.VALID),
                distinct=True,
            ),
        )
        .order_by("-end_date", "title")[:limit]
    )
