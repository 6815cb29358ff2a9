"""Writes on programmes, modules, manuals, courses and sessions, plus the small validated-save
helpers every app's services use for plain reference data.

Services raise ``core.errors.DomainError`` (or Django's ``ValidationError`` for field-level
problems found by ``full_clean``) and never know about HTTP.
"""

import logging
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actor import Actor, actor
from core.checked_files import checked_file_facts
from core.errors import ConflictError, DomainError
from core.records import record_delete, record_update
from core.text import without_bidi_controls

from .languages import Language
from .models import (
    AttachmentKind,
    Manual,
    ManualAttachment,
    ManualDownload,
    ThematicModule,
)

logger = logging.getLogger(__name__)

# --- Manuals -------------------------------------------------------------------------------


def _next_manual_version(module: ThematicModule, language: str) -> int:
    last = (
        Manual.objects.filter(module=module, language=language)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    return (last or 0) + 1


def manual_create(
    *,
    module: ThematicModule,
    language: str,
    title: str,
    file: UploadedFile,
    notes: str = "",
    by: Actor = None,
) -> Manual:
    """Store a new version of ``module``'s manual in ``language``; the version number is the
    next one for that module and language."""
    if language not in Language.values:
        raise DomainError(
            _("Unknown language %(code)s: use one of %(codes)s.")
            % {"code": language, "codes": ", ".join(Language.values)},
            field="language",
        )
    if not (title or "").strip():
        raise DomainError(_("A manual needs a title."), field="title")
    manual = Manual(
        module=module,
        language=language,
        title=without_bidi_controls(title).strip(),
        notes=notes or "",
        uploaded_by=actor(by),
        **checked_file_facts(file),
    )
    try:
        with transaction.atomic():
            # Lock the module row so two uploads for the same module cannot both read the same
            # "last version" (PostgreSQL; SQLite serialises writers anyway). The unique
            # constraint is the last line of defence and turns a lost race into a 409.
            ThematicModule.objects.select_for_update().filter(pk=module.pk).first()
            manual.version = _next_manual_version(module, language)
            manual.file.save(manual.original_name, file, save=False)
            manual.save()
    except IntegrityError as exc:
        _discard_file(manual)
        raise ConflictError(_("Another upload took this version number; try again.")) from exc
    except Exception:
        _discard_file(manual)
        raise
    logger.info("manual %s v%s uploaded by %s", manual.pk, manual.version, by)
    return manual


def _discard_file(obj: Manual | ManualAttachment) -> None:
    if obj.file and obj.file.name:
        obj.file.storage.delete(obj.file.name)


MANUAL_EDITABLE_FIELDS = frozenset({"title", "notes", "withdrawn_at"})


@transaction.atomic
def manual_update(*, manual: Manual, fields: dict[str, Any], by: Actor = None) -> Manual:
    """Change a manual's title, notes or withdrawal. The file and version never change: a new
    file is a new version."""
    unknown = set(fields) - MANUAL_EDITABLE_FIELDS
    if unknown:
        raise DomainError(
            _("These fields of a manual cannot be changed: %s") % ", ".join(sorted(unknown))
        )
    if "title" in fields and not (fields["title"] or "").strip():
        raise DomainError(_("A manual needs a title."), field="title")
    fields = dict(fields)
    if "withdrawn_at" in fields and fields["withdrawn_at"] != manual.withdrawn_at:
        # Withdrawing by editing the date still records who did it.
        fields["withdrawn_by"] = actor(by) if fields["withdrawn_at"] else None
        if not fields["withdrawn_at"]:
            fields["withdrawal_reason"] = ""
    return record_update(instance=manual, fields=fields)


def manual_withdraw(*, manual: Manual, reason: str = "", by: Actor) -> Manual:
    """Take a version out of the library: it stays in the history (and downloadable there), and
    the newest version not withdrawn becomes current. 409 when it is withdrawn already."""
    updated = Manual.objects.filter(pk=manual.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(),
        withdrawn_by=actor(by),
        withdrawal_reason=(reason or "").strip(),
        updated_at=timezone.now(),
    )
    if not updated:
        raise ConflictError(_("This manual version is already withdrawn."))
    manual.refresh_from_db()
    logger.info("manual %s v%s withdrawn by %s", manual.pk, manual.version, by)
    return manual


def manual_restore(*, manual: Manual, by: Actor) -> Manual:
    """Put a withdrawn version back in the library (current again if it is the newest)."""
    updated = Manual.objects.filter(pk=manual.pk, withdrawn_at__isnull=False).update(
        withdrawn_at=None, withdrawn_by=None, withdrawal_reason="", updated_at=timezone.now()
    )
    if not updated:
        raise ConflictError(_("This manual version is not withdrawn."))
    manual.refresh_from_db()
    logger.info("manual %s v%s restored by %s", manual.pk, manual.version, by)
    return manual


def manual_download_record(
    *,
    manual: Manual,
    by: Actor,
    attachment: ManualAttachment | None = None,
) -> ManualDownload:
    """Log one download of ``manual`` (or of one of its attachments): who took which version,
    and when (the row's time)."""
    download = ManualDownload.objects.create(manual=manual, attachment=attachment, user=actor(by))
    what = f"attachment {attachment.pk} of " if attachment else ""
    logger.info("%smanual %s v%s downloaded by %s", what, manual.pk, manual.version, by)
    return download


def manual_delete(*, manual: Manual, by: Actor = None) -> None:
    """Delete a manual version, its attachments and, once the deletion is committed, their
    files."""
    pk, storage = manual.pk, manual.file.storage
    names = [manual.file.name, *manual.attachments.values_list("file", flat=True)]
    with transaction.atomic():
        record_delete(instance=manual)
        for name in filter(None, names):
            transaction.on_commit(partial(storage.delete, name))
    logger.info("manual %s deleted by %s", pk, by)


# --- Attachments ---------------------------------------------------------------------------


def attachment_create(
    *,
    manual: Manual,
    kind: str,
    title: str,
    file: UploadedFile | None,
    by: Actor = None,
) -> ManualAttachment:
    """Attach facilitation material, an exercise or slides to one manual version. The file is
    checked and named like a manual (content, size, generated storage name)."""
    if kind not in AttachmentKind.values:
        raise DomainError(
            _("Unknown kind %(kind)s: use one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(AttachmentKind.values)},
            field="kind",
        )
    if not (title or "").strip():
        raise DomainError(_("An attachment needs a title."), field="title")
    if file is None:
        raise DomainError(_("Choose a file to attach."), field="file")
    attachment = ManualAttachment(
        manual=manual,
        kind=kind,
        title=without_bidi_controls(title).strip(),
        uploaded_by=actor(by),
        **checked_file_facts(file),
    )
    try:
        with transaction.atomic():
            attachment.file.save(attachment.original_name, file, save=False)
            attachment.save()
    except Exception:
        _discard_file(attachment)
        raise
    logger.info("attachment %s of manual %s uploaded by %s", attachment.pk, manual.pk, by)
    return attachment


ATTACHMENT_EDITABLE_FIELDS = frozenset({"title", "kind"})


def attachment_update(
    *, attachment: ManualAttachment, fields: dict[str, Any], by: Actor = None
) -> ManualAttachment:
    """Change an attachment's title or kind; a new file is a new attachment."""
    unknown = set(fields) - ATTACHMENT_EDITABLE_FIELDS
    if unknown:
        raise DomainError(
            _("These fields of an attachment cannot be changed: %s") % ", ".join(sorted(unknown))
        )
    if "title" in fields and not (fields["title"] or "").strip():
        raise DomainError(_("An attachment needs a title."), field="title")
    return record_update(instance=attachment, fields=fields)


def attachment_delete(*, attachment: ManualAttachment, by: Actor = None) -> None:
    """Delete an attachment and, once that is committed, its file."""
    pk, storage, name = attachment.pk, attachment.file.storage, attachment.file.name
    with transaction.atomic():
        record_delete(instance=attachment)
        if name:
            transaction.on_commit(lambda: storage.delete(name))
    logger.info("attachment %s deleted by %s", pk, by)
