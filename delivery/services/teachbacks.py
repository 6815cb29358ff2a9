"""The teach-back module each ToT trainee presents: title, module, evaluator, score and a
checked file."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.actor import Actor, actor
from core.checked_files import checked_file_facts
from core.errors import ConflictError, DomainError
from core.records import save_validated
from participants.models import (
    Enrolment,
    TeachBack,
)

# --- Teach-back modules ---------------------------------------------------------------------

TEACHBACK_FIELDS = frozenset({"title", "module", "score", "evaluator", "evaluated_at", "comments"})


@transaction.atomic
def teachback_save(
    *,
    enrolment: Enrolment,
    by: Actor = None,
    file: Any = None,
    **fields: Any,
) -> TeachBack:
    """Record or update the teach-back module of one enrolment (one per enrolment). A new file
    replaces the old one, which is deleted from storage once the transaction commits."""
    unknown = set(fields) - TEACHBACK_FIELDS
    if unknown:
        raise DomainError(
            _("These fields of a teach-back cannot be changed: %s") % ", ".join(sorted(unknown))
        )
    teachback = TeachBack.objects.select_for_update().filter(enrolment=enrolment).first()
    if teachback is None:
        teachback = TeachBack(enrolment=enrolment)
    for name, value in fields.items():
        setattr(teachback, name, value.strip() if isinstance(value, str) else value)
    if not (teachback.title or "").strip():
        raise DomainError(_("A teach-back module needs a title."), field="title")
    old_file = teachback.file.name if teachback.file else ""
    if file is not None:
        for name, value in checked_file_facts(file).items():
            setattr(teachback, name, value)
        teachback.file.save("upload", file, save=False)
        if old_file:
            storage = teachback.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    teachback.recorded_by = actor(by)
    return save_validated(teachback)


@transaction.atomic
def teachback_create(
    *, enrolment: Enrolment, by: Actor = None, file: Any = None, **fields: Any
) -> TeachBack:
    """Record the teach-back of an enrolment that has none yet; a second one is refused (change
    the first with ``teachback_save``)."""
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()
    if TeachBack.objects.filter(enrolment=enrolment).exists():
        raise ConflictError(
            _("This trainee's teach-back is already recorded: change it instead (PATCH).")
        )
    return teachback_save(enrolment=enrolment, by=by, file=file, **fields)
