"""The three roles of the product, as Django groups, and helpers to ask which a user has.

Superusers count as every role. The groups are created by a data migration, so a fresh database
always has them.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

PROJECT_TEAM = "project team"
TRAINER = "trainer"
COORDINATOR = "coordinator"
ALL_ROLES = (PROJECT_TEAM, TRAINER, COORDINATOR)


def role_names(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The role names of ``user``, cached on the user object for the request."""
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(ALL_ROLES)
        else:
            cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_names = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(role_names(user) & set(roles))
