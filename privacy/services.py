"""A trainee's personal data on request: everything held about them as JSON, and erasure.

Erasure anonymises the person, not the training record. It blanks every personal field (the
name becomes "Erased #<id>", which the name constraint accepts), deletes the files that carry
the person (teach-back uploads, certificate PDFs and the batch ZIP / merged PDF that bundle
them) and keeps what the programme must still report and what third parties rely on:

* enrolments, attendance, scores, status history and teach-back metadata (title, score), so
  course statistics stay true;
* organisation and nationality, which donors' reports count ("22 officials of 3 ministries of
  Iraq"); without a name, contact data, position or gender they no longer single anyone out;
* every certificate row with its signed snapshot. Verification must keep answering for a paper
  certificate the person holds, so the public page still shows the name as printed. The
  snapshot holds nothing personal but that name (both scripts) and the course, and the Ed25519
  signature covers it byte for byte: stripping anything would make every check fail, so it is
  kept untouched (docs/decisions.md).

Files are deleted only after the transaction commits, so a rollback never loses a file whose
row still points at it. Both actions write an audit entry that names the participant by id
only, never by name, so the log itself does not undo an erasure.

The export only reads (and writes its audit entry); erasure is the only write here.
"""

import logging
from dataclasses import dataclass
from typing import cast

from django.db import transaction
from django.db.models import FileField
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEntry
from certificates.models import Certificate, CertificateBatch
from core.actor import Actor
from core.errors import DomainError
from core.storage import delete_files_after_commit
from participants.models import Participant, TeachBack

from .selectors import participant_data

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 500


# --- Export ---------------------------------------------------------------------------------


@transaction.atomic
def participant_data_export(*, participant: Participant, by: Actor) -> dict:
    """``participant_data`` for a request, logged in the audit log (without the name)."""
    audit_record(
        action=AuditAction.DATA_EXPORTED,
        obj=participant,
        summary=_("Personal data of participant #%(id)s exported.") % {"id": participant.pk},
        by=by,
    )
    return participant_data(participant)


def export_filename(participant: Participant) -> str:
    return f"participant-{participant.pk}.json"


# --- Erasure --------------------------------------------------------------------------------


@dataclass
class Erasure:
    participant: Participant
    erased: bool  # False: there was nothing left to erase
    files_deleted: int = 0
    entry: AuditEntry | None = None
    previous: AuditEntry | None = None

    @property
    def message(self) -> str:
        if self.erased:
            return _(
                "The personal data of participant #%(id)s has been erased; %(files)s file(s) "
                "deleted. Certificates still verify with the name printed on them."
            ) % {"id": self.participant.pk, "files": self.files_deleted}
        if self.previous is not None:
            return _("Participant #%(id)s was already erased on %(date)s; nothing changed.") % {
                "id": self.participant.pk,
                "date": self.previous.at.date().isoformat(),
            }
        return _("Participant #%(id)s holds no personal data; nothing changed.") % {
            "id": self.participant.pk
        }


def _files_to_delete(participant: Participant) -> tuple[list, dict]:
    """The stored files that carry the person, and the querysets whose file fields to clear."""
    teachbacks = TeachBack.objects.filter(enrolment__participant=participant)
    certificates = Certificate.objects.filter(enrolment__participant=participant)
    # A batch's ZIP and merged PDF contain the person's certificate: they go too (the other
    # trainees' own PDFs stay downloadable one by one).
    batches = CertificateBatch.objects.filter(
        pk__in=certificates.exclude(batch=None).values("batch")
    )
    files = []
    for model, queryset, names in (
        (TeachBack, teachbacks, ("file",)),
        (Certificate, certificates, ("pdf",)),
        (CertificateBatch, batches, ("zip_file", "merged_pdf")),
    ):
        for name in names:
            storage = cast(FileField, model._meta.get_field(name)).storage
            for value in queryset.exclude(**{name: ""}).values_list(name, flat=True):
                files.append((storage, value))
    return files, {"teachbacks": teachbacks, "certificates": certificates, "batches": batches}


def _last_erasure(participant: Participant) -> AuditEntry | None:
    return (
        AuditEntry.objects.filter(
            action=AuditAction.DATA_ERASED,
            object_type=Participant._meta.label_lower,
            object_id=str(participant.pk),
        )
        .order_by("-at", "-pk")
        .first()
    )


def participant_erase(*, participant: Participant, reason: str, by: Actor) -> Erasure:
    """Anonymise one participant (see the module docstring for what is kept and why).

    Idempotent: a participant with nothing left to erase is not touched and no entry is
    written. Fields re-entered after an erasure are erased again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the data is erased (the request, its date)."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(
            _("The reason may be at most %(max)s characters.") % {"max": REASON_MAX_LENGTH},
            field="reason",
        )
    with transaction.atomic():
        # The row lock makes two simultaneous requests erase once, one after the other.
        locked = Participant.objects.select_for_update().get(pk=participant.pk)
        files, querysets = _files_to_delete(locked)
        if not files and not locked.has_personal_data:
            return Erasure(locked, erased=False, previous=_last_erasure(locked))
        Participant.objects.filter(pk=locked.pk).update(
            **locked.erased_values(), updated_at=timezone.now()
        )
        querysets["teachbacks"].update(
            file="", original_name="", content_type="", size=0, sha256="", comments=""
        )
        querysets["certificates"].exclude(pdf="").update(pdf="")
        querysets["batches"].update(zip_file="", merged_pdf="")
        entry = audit_record(
            action=AuditAction.DATA_ERASED,
            obj=locked,
            summary=_("Personal data of participant #%(id)s erased.") % {"id": locked.pk},
            by=by,
            reason=reason,
            files_deleted=len(files),
            certificates_kept=querysets["certificates"].count(),
        )
        delete_files_after_commit(files)
    locked.refresh_from_db()
    return Erasure(locked, erased=True, files_deleted=len(files), entry=entry)
