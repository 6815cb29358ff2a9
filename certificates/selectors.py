"""Read queries for the pages that show certificate issuance. Nothing here writes."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from participants.duplicates import names_match, person_keys
from participants.models import Enrolment, EnrolmentStatus
from trainings.models import Course, CourseStatus

from .labels import LANGUAGE_CODES
from .models import (
    FINISHED_STATUSES,
    LIVE_STATUSES,
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateDesign,
    CertificateStatus,
    Signatory,
)
from .rendering import builtin_design

BUILTIN_DESIGN = "classic"


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
    the latest batch with its progress counted from the certificates themselves, every
    certificate but the superseded ones (the panel's list, each with its status) and each
    enrolment's live one (the trainee table's column). Four queries, whatever the size."""
    shown = list(
        Certificate.objects.filter(enrolment__course=course)
        .exclude(status=CertificateStatus.SUPERSEDED)
        .select_related("enrolment__participant")
        .only(
            "pk",
            "serial",
            "status",
            "error",
            "verification_code",
            "enrolment_id",
            "enrolment__participant__first_name",
            "enrolment__participant__last_name",
            "enrolment__participant__native_name",
        )
        .order_by("enrolment__participant__last_name", "enrolment__participant__first_name", "pk")
    )
    live = [certificate for certificate in shown if certificate.status in LIVE_STATUSES]
    batch = CertificateBatch.objects.filter(course=course).order_by("-pk").first()
    if batch is not None:
        live_batch_progress(batch)
    return {
        "waiting": eligible_enrolments(course).count(),
        "issued": sum(c.status == CertificateStatus.VALID for c in live),
        "latest_batch": batch,
        "certificates": shown,
        "by_enrolment": {certificate.enrolment_id: certificate for certificate in live},
        "running": batch is not None and batch.status in (BatchStatus.QUEUED, BatchStatus.RUNNING),
    }


def live_batch_progress(batch: CertificateBatch) -> CertificateBatch:
    """Set the batch's ``done`` and ``failed`` from its certificates' rows, as they are now.

    The stored counters are brought up to date when a worker finishes a chunk, so a page that
    read them would jump from 0 to the whole chunk; the rows change one by one."""
    counts = Certificate.objects.filter(batch=batch).aggregate(
        done=Count("pk", filter=Q(status__in=FINISHED_STATUSES)),
        failed=Count("pk", filter=Q(status=CertificateStatus.FAILED)),
    )
    batch.done, batch.failed = counts["done"], counts["failed"]
    return batch


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


# --- What a new certificate is printed with ----------------------------------------------------


def certificate_language(enrolment: Enrolment, course: Course, batch_language: str = "") -> str:
    """Per trainee first, then the batch's choice, then the course's working languages."""
    for choice in (enrolment.certificate_language, batch_language):
        if choice in LANGUAGE_CODES:
            return choice
    languages = set(course.languages or [])
    if {"ar", "en"} <= languages:
        return "ar-en"
    for language in ("en", "ru", "ar"):
        if language in languages:
            return language
    return "en"


def default_design(course: Course) -> CertificateDesign | None:
    """The design a batch uses when none is chosen: the active design marked default for the
    programme, else one marked default for every programme; never a design nobody marked
    (``None`` means the built-in design)."""
    return (
        CertificateDesign.objects.filter(is_active=True, is_default=True)
        .filter(Q(programme=course.programme) | Q(programme__isnull=True))
        # The programme's own default before a general one, on every database.
        .order_by(F("programme_id").asc(nulls_last=True), "pk")
        .first()
    )


def design_source(design: CertificateDesign | None) -> tuple[str, str, dict]:
    """(html, css, what the snapshot records of the design) for ``design`` or the built-in."""
    if design is None:
        html, css = builtin_design(BUILTIN_DESIGN)
        return html, css, {"id": None, "name": BUILTIN_DESIGN, "version": 1}
    return (
        design.html,
        design.css,
        {"id": design.pk, "name": design.name, "version": design.version},
    )


def course_signatories(course: Course) -> list[dict]:
    """Up to three active signatories of the programme: those named for this course, else the
    programme-wide ones. Plain data, as frozen into the snapshot."""
    chosen = Signatory.objects.filter(programme=course.programme_id, is_active=True)
    specific = chosen.filter(courses=course)
    rows = list((specific if specific.exists() else chosen.filter(courses=None))[:3])
    return [
        {"name": s.name, "title": s.title, "image": f"signature-{s.pk}" if s.signature else ""}
        for s in rows
    ]


@dataclass(frozen=True)
class HolderChange:
    """A certificate printed for one trainee record whose enrolment now belongs to another."""

    issued_to: str  # the name the certificate prints (its frozen snapshot)
    now: str  # the name of the trainee record the enrolment belongs to now
    issued_record: int | None  # that record's id, when the certificate kept it
    now_record: int


def holder_change(certificate: Certificate) -> HolderChange | None:
    """Whether re-issuing ``certificate`` would print another person than it was issued to,
    because a merge moved its enrolment to another trainee record.

    A certificate that kept its record's id (``holder_record``) is compared by id; an older one
    by its printed name against the record's names, across spellings and scripts (the rule a
    merge uses), so a corrected spelling of the same name is not a change of holder."""
    participant = certificate.enrolment.participant
    holder = certificate.snapshot.get("holder") or {}
    printed = holder.get("name", "")
    if certificate.holder_record is not None:
        changed = certificate.holder_record != participant.pk
    else:
        printed_keys = person_keys(printed, "", holder.get("native_name", ""))
        current_keys = person_keys(
            participant.first_name, participant.last_name, participant.native_name
        )
        changed = bool(printed_keys) and not names_match(printed_keys, current_keys)
    if not changed:
        return None
    return HolderChange(
        issued_to=printed,
        now=participant.full_name,
        issued_record=certificate.holder_record,
        now_record=participant.pk,
    )
