"""Who did it: the user to record on a row or in a log, or ``None`` for an anonymous request,
a command or a task. Written once here because every service stamps rows with it."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def actor(by: AbstractBaseUser | AnonymousUser | None) -> AbstractBaseUser | None:
    """``by`` if it is a signed-in user, else ``None``."""
    if by is None or not by.is_authenticated:
        return None
    return by  # type: ignore[return-value]
