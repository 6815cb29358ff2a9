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
from decimal import Decimal
from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEntry
from certificates.models import Certificate, CertificateBatch
from certificates.snapshot import verify_url
from core.errors import DomainError

from .models import Attendance, Enrolment, EnrolmentStatusChange, Participant, TeachBack

logger = logging.getLogger(__name__)

ERASED_FIRST_NAME = "Erased"
REASON_MAX_LENGTH = 500


def erased_fields(participant: Participant) -> dict:
    """The values every personal field takes on erasure."""
    return {
        "first_name": ERASED_FIRST_NAME,
        "last_name": f"#{participant.pk}",
        "native_name": "",
        "gender": "",
        "email": "",
        "phone": "",
        "position": "",
        "notes": "",
        "consent_given": False,
        "consent_date": None,
    }


# --- Export ---------------------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _audit_condition(participant: Participant) -> Q:
    """Audit entries about the participant or about one of their enrolments."""
    enrolment_ids = [str(pk) for pk in participant.enrolments.values_list("pk", flat=True)]
    return Q(object_type=Participant._meta.label_lower, object_id=str(participant.pk)) | Q(
        object_type=Enrolment._meta.label_lower, object_id__in=enrolment_ids
    )


def participant_audit_entries(participant: Participant):
    return AuditEntry.objects.filter(_audit_condition(participant)).order_by("-at", "-pk")


def participant_enrolments(participant: Participant):
    """The participant's enrolments with everything the export shows: six queries in all."""
    return (
        Enrolment.objects.filter(participant=participant)
        .select_related("course", "teachback__module", "status_changed_by")
        .prefetch_related(
            Prefetch(
                "history",
                queryset=EnrolmentStatusChange.objects.select_related("changed_by").order_by(
                    "changed_at", "pk"
                ),
            ),
            Prefetch("attendance", queryset=Attendance.objects.order_by("date")),
            Prefetch("certificates", queryset=Certificate.objects.order_by("created_at", "pk")),
        )
        .order_by("course__start_date", "pk")
    )


def _teachback(enrolment: Enrolment) -> dict | None:
    teachback = getattr(enrolment, "teachback", None)
    if teachback is None:
        return None
    return {
        "title": teachback.title,
        "module": teachback.module.code if teachback.module_id else None,
        "file_name": teachback.original_name,
        "file_size": teachback.size,
        "has_file": bool(teachback.file),
        "score": _number(teachback.score),
        "evaluator": teachback.evaluator,
        "evaluated_on": _iso(teachback.evaluated_at),
        "comments": teachback.comments,
    }


def _enrolment(enrolment: Enrolment) -> dict:
    pre, post = enrolment.pre_test_score, enrolment.post_test_score
    course = enrolment.course
    return {
        "id": enrolment.pk,
        "course": {
            "id": course.pk,
            "code": course.code,
            "title": course.title,
            "start_date": _iso(course.start_date),
            "end_date": _iso(course.end_date),
        },
        "status": enrolment.status,
        "status_reason": enrolment.status_reason,
        "status_changed_at": _iso(enrolment.status_changed_at),
        "enrolled_at": _iso(enrolment.created_at),
        "pre_test_score": _number(pre),
        "post_test_score": _number(post),
        "knowledge_gain": _number(post - pre if pre is not None and post is not None else None),
        "certificate_language": enrolment.certificate_language,
        "status_history": [
            {
                "from": change.from_status,
                "to": change.to_status,
                "reason": change.reason,
                "at": _iso(change.changed_at),
                "by": change.changed_by.get_username() if change.changed_by else None,
            }
            for change in enrolment.history.all()
        ],
        "attendance": [
            {"date": _iso(mark.date), "present": mark.present}
            for mark in enrolment.attendance.all()
        ],
        "teachback": _teachback(enrolment),
        "certificates": [
            {
                "serial": certificate.serial,
                "status": certificate.status,
                "language": certificate.language,
                "issued_at": _iso(certificate.issued_at),
                "verification_code": certificate.verification_code,
                "verify_url": verify_url(certificate.verification_code),
                "revoked_at": _iso(certificate.revoked_at),
                "revoked_reason": certificate.revoked_reason,
                "has_pdf": bool(certificate.pdf),
            }
            for certificate in enrolment.certificates.all()
        ],
    }


def participant_data(participant: Participant) -> dict:
    """Everything held about one participant, as plain JSON data. Reads only."""
    person = Participant.objects.select_related("organisation__parent").get(pk=participant.pk)
    organisation = person.organisation
    return {
        "exported_at": timezone.now().isoformat(),
        "participant": {
            "id": person.pk,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "native_name": person.native_name,
            "gender": person.gender,
            "email": person.email,
            "phone": person.phone,
            "position": person.position,
            "nationality": person.country.code if person.country else "",
            "consent_given": person.consent_given,
            "consent_date": _iso(person.consent_date),
            "notes": person.notes,
            "registered_at": _iso(person.created_at),
            "updated_at": _iso(person.updated_at),
        },
        "organisation": None
        if organisation is None
        else {
            "id": organisation.pk,
            "name": organisation.name,
            "native_name": organisation.native_name,
            "acronym": organisation.acronym,
            "country": organisation.country.code if organisation.country else "",
            "part_of": organisation.parent.name if organisation.parent_id else None,
        },
        "enrolments": [_enrolment(e) for e in participant_enrolments(person)],
        "audit_entries": [
            {
                "at": _iso(entry.at),
                "action": entry.action,
                "by": entry.actor_name or None,
                "summary": entry.summary,
            }
            for entry in participant_audit_entries(person)
        ],
    }


@transaction.atomic
def participant_data_export(*, participant: Participant, by: AbstractBaseUser | None) -> dict:
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


def _delete_files(files: list[tuple[Storage, str]]) -> None:
    """After commit: remove the files from storage. A failure is logged, never raised: the rows
    no longer point at the files, so a leftover is an orphan an operator can sweep."""
    for storage, name in files:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("Erasure could not delete %s from storage", name)


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
            storage = model._meta.get_field(name).storage
            for value in queryset.exclude(**{name: ""}).values_list(name, flat=True):
                files.append((storage, value))
    return files, {"teachbacks": teachbacks, "certificates": certificates, "batches": batches}


def _has_personal_data(participant: Participant) -> bool:
    return any(getattr(participant, k) != v for k, v in erased_fields(participant).items())


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


def participant_erase(
    *, participant: Participant, reason: str, by: AbstractBaseUser | None
) -> Erasure:
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
        if not files and not _has_personal_data(locked):
            return Erasure(locked, erased=False, previous=_last_erasure(locked))
        Participant.objects.filter(pk=locked.pk).update(
            **erased_fields(locked), updated_at=timezone.now()
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
        transaction.on_commit(partial(_delete_files, files))
    locked.refresh_from_db()
    return Erasure(locked, erased=True, files_deleted=len(files), entry=entry)


def participant_is_erased(participant: Participant) -> bool:
    return participant.first_name == ERASED_FIRST_NAME and not _has_personal_data(participant)
