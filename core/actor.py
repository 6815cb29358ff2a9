"""Who did it: the user to record on a row or in a log, or ``None`` for an anonymous request,
a command or a task. Written once here because every service stamps rows with it."""

from typing import cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

# Whom a service acts for: ``request.user`` (signed in or anonymous), or None for a command or task.
Actor = AbstractBaseUser | AnonymousUser | None


def actor(by: Actor) -> User | None:
    """``by`` if it is a signed-in user, else ``None``."""
    if by is None or not by.is_authenticated:
        return None
    return cast(User, by)  # AUTH_USER_MODEL is django.contrib.auth's User
