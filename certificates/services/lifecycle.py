"""One certificate after issue: retry a failed one, revoke, re-issue (the old one superseded,
pointing to the new). The public verify page and API show each change at once."""

import logging
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction
from core.actor import Actor, actor
from core.errors import ConflictError, DomainError
from participants.models import Enrolment
from trainings.models import Course

from ..models import BatchStatus, Certificate, CertificateBatch, CertificateStatus
from ..selectors import course_signatories, holder_change
from .issuing import new_certificate
from .pipeline import batch_dispatch, certificate_dispatch

logger = logging.getLogger(__name__)


@transaction.atomic
def certificate_retry(*, certificate: Certificate, by: Actor) -> Certificate:
    """Put a failed certificate back in the queue."""
    updated = Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.FAILED).update(
        status=CertificateStatus.PENDING, error="", claimed_until=None, attempts=0
    )
    if not updated:
        raise ConflictError(_("Only a failed certificate can be retried."))
    certificate.refresh_from_db()
    batch_id = certificate.batch_id
    if batch_id:
        CertificateBatch.objects.filter(pk=batch_id).update(status=BatchStatus.RUNNING)
        transaction.on_commit(lambda: batch_dispatch(batch_id=batch_id, only_unleased=True))
    else:
        transaction.on_commit(lambda: certificate_dispatch(certificate_id=certificate.pk))
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, by: Actor) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for revoking this certificate."), field="reason")
    updated = Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.VALID).update(
        status=CertificateStatus.REVOKED,
        revoked_at=timezone.now(),
        revoked_reason=reason[:500],
        revoked_by=actor(by),
    )
    if not updated:
        raise ConflictError(_("Only a valid certificate can be revoked."))
    certificate.refresh_from_db()
    audit_record(
        action=AuditAction.CERTIFICATE_REVOKED,
        obj=certificate,
        summary=_("Certificate %(serial)s revoked.") % {"serial": certificate.serial},
        by=by,
        reason=reason[:500],
    )
    logger.info("Certificate %s revoked by %s: %s", certificate.serial, by, reason)
    return certificate


@transaction.atomic
def certificate_reissue(
    *, certificate: Certificate, reason: str, by: Actor, holder_changed: bool = False
) -> Certificate:
    """Supersede a valid (or revoked) certificate with a new one printed from current data.

    When a merge moved the certificate's enrolment to another trainee record, the new one would
    print another person's name: refused unless the coordinator confirms the holder changed
    (``holder_changed``). Every re-issue is audited, with that decision."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for re-issuing this certificate."), field="reason")
    old = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("enrolment__participant")
        .get(pk=certificate.pk)
    )
    if old.status not in (CertificateStatus.VALID, CertificateStatus.REVOKED):
        raise ConflictError(_("Only a valid or revoked certificate can be re-issued."))
    if old.enrolment.participant.is_erased:
        raise ConflictError(
            _("This trainee's personal data was erased: a new certificate would print no name.")
        )
    change = holder_change(old)
    if change is not None and not holder_changed:
        raise ConflictError(
            _(
                "This certificate was issued to %(issued)s, but its enrolment now belongs to "
                "%(now)s (the trainee records were merged). A new certificate would name "
                "%(now)s: confirm that the holder changed, and say why in the reason."
            )
            % {"issued": change.issued_to, "now": change.now},
            field="holder_changed",
        )
    course = (
        Course.objects.select_for_update()
        .select_related("programme")
        .get(pk=old.enrolment.course_id)
    )
    new = _supersede(old, course=course, reason=reason, by=by)
    audit_record(
        action=AuditAction.CERTIFICATE_REISSUED,
        obj=old,
        summary=_("Certificate %(old)s re-issued as %(new)s.")
        % {"old": old.serial, "new": new.serial},
        by=by,
        reason=reason[:500],
        new_certificate=new.pk,
        holder_changed=change is not None,
        issued_to_record=change.issued_record if change else old.holder_record,
        holder_record=new.holder_record,
    )
    logger.info("Certificate %s re-issued as %s by %s: %s", old.serial, new.serial, by, reason)
    return new


def _supersede(old: Certificate, *, course: Course, reason: str, by: Actor) -> Certificate:
    """Mark ``old`` superseded and create its successor, printed from the current data."""
    was_valid = old.status == CertificateStatus.VALID
    old.status = CertificateStatus.SUPERSEDED
    if was_valid:
        old.revoked_at = timezone.now()
        old.revoked_by = actor(by)
    old.revoked_reason = reason[:500]
    old.save(update_fields=["status", "revoked_at", "revoked_by", "revoked_reason", "updated_at"])
    new = new_certificate(
        enrolment=Enrolment.objects.select_related("participant").get(pk=old.enrolment_id),
        course=course,
        modules=list(course.modules.order_by("order", "code")),
        signatories=course_signatories(course),
        language=old.language,
        serial=_reissue_serial(old.serial),
        design=old.design,
    )
    new.save()
    old.superseded_by = new
    old.save(update_fields=["superseded_by"])
    transaction.on_commit(lambda: certificate_dispatch(certificate_id=new.pk))
    return new


def _reissue_serial(serial: str) -> str:
    """SRP-2016-ERB-0007 → SRP-2016-ERB-0007-R2, then -R3, ..."""
    base = re.sub(r"-R\d+$", "", serial)
    editions = Certificate.objects.filter(serial__startswith=f"{base}-R").values_list(
        "serial", flat=True
    )
    numbers = [int(m[1]) for s in editions if (m := re.fullmatch(r".*-R(\d+)", s))]
    return f"{base}-R{max(numbers, default=1) + 1}"
