"""Writes on programmes, modules, manuals, courses and sessions, plus the small validated-save
helpers every app's services use for plain reference data.

Services raise ``trainings.errors.DomainError`` (or Django's ``ValidationError`` for field-level
problems found by ``full_clean``) and never know about HTTP.
"""

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from .errors import ConflictError, DomainError
from .languages import Language
from .models import Manual, ManualDownload, ThematicModule
from .uploads import CONTENT_TYPES, display_name, sniff_upload

logger = logging.getLogger(__name__)

# --- Plain validated writes ----------------------------------------------------------------


def _split_many_to_many(model: type[models.Model], fields: dict[str, Any]) -> dict[str, Any]:
    """Remove and return the many-to-many values of ``fields``: they are set after saving."""
    m2m_names = {f.name for f in model._meta.many_to_many}
    return {name: fields.pop(name) for name in list(fields) if name in m2m_names}


def save_validated[M: models.Model](instance: M) -> M:
    """Run the model's own rules (``full_clean``: fields, ``clean()``, constraints), then save.

    ``full_clean`` reports a duplicate politely; the ``IntegrityError`` branch covers the race
    where another request inserts the same row between the check and the insert.
    """
    instance.full_clean()
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ConflictError(
            _("This %(thing)s clashes with an existing one.")
            % {"thing": instance._meta.verbose_name}
        ) from exc
    return instance


@transaction.atomic
def record_create[M: models.Model](*, model: type[M], fields: dict[str, Any]) -> M:
    """Create one row of reference data (a programme, an organisation, ...) after validation."""
    fields = dict(fields)
    m2m = _split_many_to_many(model, fields)
    instance = save_validated(model(**fields))
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    return instance


@transaction.atomic
def record_update[M: models.Model](*, instance: M, fields: dict[str, Any]) -> M:
    """Change some fields of one row of reference data after validation."""
    fields = dict(fields)
    m2m = _split_many_to_many(type(instance), fields)
    for name, value in fields.items():
        setattr(instance, name, value)
    save_validated(instance)
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    return instance


def record_delete(*, instance: models.Model) -> None:
    """Delete one row, refusing with a clear message while other rows still refer to it."""
    try:
        with transaction.atomic():
            instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        blockers = (
            exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        )
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in blockers})
        raise ConflictError(
            _("This %(thing)s cannot be deleted while %(kinds)s still refer to it.")
            % {"thing": instance._meta.verbose_name, "kinds": ", ".join(kinds)}
        ) from exc


# --- Manuals -------------------------------------------------------------------------------


def _digest(file: UploadedFile) -> str:
    sha = hashlib.sha256()
    for chunk in file.chunks():
        sha.update(chunk)
    file.seek(0)
    return sha.hexdigest()


def _check_upload_size(file: UploadedFile) -> None:
    limit = settings.MAX_UPLOAD_SIZE
    if file.size is None or file.size > limit:
        megabytes = f"{limit / 2**20:.1f}".removesuffix(".0")
        raise DomainError(
            _(
                "The file is larger than the limit of %(mb)s MB; manuals may be at most %(max)s bytes."
            )
            % {"mb": megabytes, "max": limit},
            field="file",
        )


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
    by: AbstractBaseUser | None = None,
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
    _check_upload_size(file)
    # The kind comes from the bytes, never from the client's content type or file name.
    kind = sniff_upload(file, file.name or "")
    manual = Manual(
        module=module,
        language=language,
        title=title.strip(),
        notes=notes or "",
        original_name=display_name(file.name, kind),
        content_type=CONTENT_TYPES[kind],
        size=file.size,
        sha256=_digest(file),
        uploaded_by=by if by is not None and by.is_authenticated else None,
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


def _discard_file(manual: Manual) -> None:
    if manual.file and manual.file.name:
        manual.file.storage.delete(manual.file.name)


MANUAL_EDITABLE_FIELDS = frozenset({"title", "notes", "withdrawn_at"})


@transaction.atomic
def manual_update(
    *, manual: Manual, fields: dict[str, Any], by: AbstractBaseUser | None = None
) -> Manual:
    """Change a manual's title, notes or withdrawal. The file and version never change: a new
    file is a new version."""
    unknown = set(fields) - MANUAL_EDITABLE_FIELDS
    if unknown:
        raise DomainError(
            _("These fields of a manual cannot be changed: %s") % ", ".join(sorted(unknown))
        )
    if "title" in fields and not (fields["title"] or "").strip():
        raise DomainError(_("A manual needs a title."), field="title")
    return record_update(instance=manual, fields=fields)


def manual_download_record(*, manual: Manual, by: AbstractBaseUser | None) -> ManualDownload:
    """Log one download of ``manual``: who took which version, and when (the row's time)."""
    user = by if by is not None and by.is_authenticated else None
    download = ManualDownload.objects.create(manual=manual, user=user)
    logger.info("manual %s v%s downloaded by %s", manual.pk, manual.version, by)
    return download


def manual_delete(*, manual: Manual, by: AbstractBaseUser | None = None) -> None:
    """Delete a manual version and, once the deletion is committed, its file."""
    pk, storage, name = manual.pk, manual.file.storage, manual.file.name
    with transaction.atomic():
        record_delete(instance=manual)
        if name:
            transaction.on_commit(lambda: storage.delete(name))
    logger.info("manual %s deleted by %s", pk, by)
