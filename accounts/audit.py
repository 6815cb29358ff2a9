"""Write to the audit log. Call inside the transaction of the action being logged, so the entry
exists exactly when the action happened."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from .models import AuditEntry


def audit_record(
    *,
    action: str,
    obj: models.Model,
    summary: str,
    by: AbstractBaseUser | None = None,
    **data: Any,
) -> AuditEntry:
    actor = by if by is not None and by.is_authenticated else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:500],
        data=data,
    )
