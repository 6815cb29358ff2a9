"""Issuing: the frozen snapshot and its signature, serial numbers, and the batch that a
coordinator's click creates.

``batch_create`` locks the course row, creates one *pending* certificate per eligible enrolment
(serial, verification code, frozen snapshot and its signature included) and only then, after
commit, sends it to the workers in chunks (``pipeline.batch_dispatch``). A partial
unique index allows one live certificate per enrolment, so a second batch or a duplicated
request can never issue two.
"""

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actor import Actor, actor
from core.errors import ConflictError, DomainError
from trainings.models import Course

from .. import codes, signing
from ..labels import LANGUAGE_CODES
from ..models import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateDesign,
    CertificateStatus,
)
from ..selectors import (
    certificate_language,
    course_signatories,
    default_design,
    design_source,
    eligible_enrolments,
)
from ..snapshot import build_snapshot
from .pipeline import batch_dispatch


def _serial_prefix(course: Course) -> str:
    return f"{course.programme.acronym}-{course.start_date.year}-{course.code}-".upper()


def _next_serials(course: Course, count: int) -> list[str]:
    """Serials continue from the highest already used for the course (the course row is locked)."""
    prefix = _serial_prefix(course)
    used = Certificate.objects.filter(serial__startswith=prefix).values_list("serial", flat=True)
    numbers = [int(m[1]) for s in used if (m := re.fullmatch(r"(\d+)", s.removeprefix(prefix)))]
    start = max(numbers, default=0) + 1
    return [f"{prefix}{n:04d}" for n in range(start, start + count)]


def new_certificate(
    *, enrolment, course, modules, signatories, language, serial, design, batch=None
) -> Certificate:
    design_version = design_source(design)[2]
    code = codes.new_code()
    snapshot = build_snapshot(
        enrolment=enrolment,
        course=course,
        modules=modules,
        signatories=signatories,
        language=language,
        serial=serial,
        code=code,
        issued_on=timezone.localdate(),
        design=design_version,
    )
    key_id, signature = signing.sign(snapshot)
    return Certificate(
        enrolment=enrolment,
        batch=batch,
        serial=serial,
        verification_code=code,
        status=CertificateStatus.PENDING,
        language=language,
        design=design,
        snapshot=snapshot,
        holder_record=enrolment.participant_id,
        key_id=key_id,
        signature=signature,
    )


@transaction.atomic
def batch_create(
    *,
    course: Course,
    by: Actor,
    language: str = "",
    design: CertificateDesign | None = None,
    send_email: bool = False,
) -> CertificateBatch:
    """Create a batch with one pending certificate per eligible enrolment; dispatch on commit."""
    if language and language not in LANGUAGE_CODES:
        raise DomainError(_("Unknown certificate language: %s") % language, field="language")
    # Locking the course serialises two coordinators pressing "issue" at once.
    course = Course.objects.select_for_update().select_related("programme").get(pk=course.pk)
    enrolments = list(eligible_enrolments(course))
    if not enrolments:
        raise ConflictError(
            _("Every trainee who completed this course already has a certificate."),
        )
    design = design or default_design(course)
    batch = CertificateBatch.objects.create(
        course=course,
        status=BatchStatus.QUEUED,
        total=len(enrolments),
        language=language,
        design=design,
        send_email=send_email,
        created_by=actor(by),
    )
    modules = list(course.modules.order_by("order", "code"))
    signatories = course_signatories(course)
    serials = _next_serials(course, len(enrolments))
    Certificate.objects.bulk_create(
        [
            new_certificate(
                enrolment=enrolment,
                course=course,
                modules=modules,
                signatories=signatories,
                language=certificate_language(enrolment, course, language),
                serial=serial,
                design=design,
                batch=batch,
            )
            for enrolment, serial in zip(enrolments, serials, strict=True)
        ],
        batch_size=500,
    )
    transaction.on_commit(lambda: batch_dispatch(batch_id=batch.pk))
    return batch
