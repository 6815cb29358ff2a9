"""How API clients authenticate: DRF's token, refused once older than ``TOKEN_TTL_HOURS``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .tokens import token_expired


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``, answered 401 when the token has expired: the client
    obtains a new one with ``POST /api/v1/auth/token/``. (Inactive users are refused by DRF.)"""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(
                _("The token has expired; obtain a new one with your user name and password.")
            )
        return user, token
