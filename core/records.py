"""Validated writes of plain reference data (a programme, an organisation, ...), shared by every
app's services and by the generic API write path (``core.api.ServiceModelViewSet``).

Raises ``core.errors.ConflictError`` for clashes and Django's ``ValidationError`` for
field-level problems found by ``full_clean``; never knows about HTTP.
"""

from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from .errors import ConflictError


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
