"""API tokens (``rest_framework.authtoken``): one per user, valid for ``TOKEN_TTL_HOURS`` from
its creation, deleted when its user's password changes or the user is deactivated
(``accounts.signals``) or when its holder revokes it (``DELETE /api/v1/auth/token/``)."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.authtoken.models import Token


def _oldest_valid() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=settings.TOKEN_TTL_HOURS)


def token_expired(token: Token) -> bool:
    return token.created < _oldest_valid()


def token_issue(*, user: User) -> Token:
    """The user's token, a new one if theirs has expired. Clients of one user share it, as they
    always have (``Token`` is one per user)."""
    Token.objects.filter(user=user, created__lt=_oldest_valid()).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token


def token_revoke(*, token: Token) -> None:
    token.delete()


def tokens_revoke(*, user: User) -> int:
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted
