"""The three roles of the product, as Django groups, and helpers to ask which a user has.

Superusers count as every role. The groups are created by a data migration, so a fresh database
always has them.
"""

from typing import cast

from django.contrib.auth.models import User

from core.actor import Actor

PROJECT_TEAM = "project team"
TRAINER = "trainer"
COORDINATOR = "coordinator"
ALL_ROLES = (PROJECT_TEAM, TRAINER, COORDINATOR)


def role_names(user: Actor) -> frozenset[str]:
    """The role names of ``user``, cached on the user object for the request."""
    if not user or not user.is_authenticated:
        return frozenset()
    user = cast(User, user)  # signed in, so the AUTH_USER_MODEL (django.contrib.auth's User)
    cached = getattr(user, "_role_names", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(ALL_ROLES)
        else:
            cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached  # type: ignore[attr-defined]  # a per-request cache on the user
    return cached


def has_role(user: Actor, *roles: str) -> bool:
    return bool(role_names(user) & set(roles))
