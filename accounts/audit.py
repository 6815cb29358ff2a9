"""Write to the audit log. Call inside the transaction of the action being logged, so the entry
exists exactly when the action happened."""

from typing import Any

from django.db import models

from core.actor import Actor, actor

from .models import AuditEntry


def audit_record(
    *,
    action: str,
    obj: models.Model,
    summary: str,
    by: Actor = None,
    **data: Any,
) -> AuditEntry:
    user = actor(by)
    return AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:500],
        data=data,
    )
