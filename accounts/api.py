"""Signing in to the API: ``POST /api/v1/auth/token/`` obtains a token, ``DELETE`` revokes it."""

from collections.abc import Mapping

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from core.api import ApiAutoSchema, ErrorSerializer
from core.parsers import JSONParser

from . import lockout
from .authentication import ExpiringTokenAuthentication
from .tokens import token_issue, token_revoke


class SignInLocked(exceptions.APIException):
    """429 while the account or the client address is locked (``accounts.lockout``), with the
    minutes to wait in the detail and the seconds in ``Retry-After``."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked"

    def __init__(self, lock: lockout.Lock):
        super().__init__(lock.message)
        self.wait = lock.seconds  # DRF's exception handler sends it as Retry-After


class TokenSchema(ApiAutoSchema):
    """Revoking a token answers 204, or 401 without a valid one, or 429: nothing else."""

    def _error_responses(self) -> dict[str, type[serializers.Serializer]]:
        errors = super()._error_responses()
        if self.method == "DELETE":
            return {code: body for code, body in errors.items() if code in ("401", "429")}
        return errors


class TokenView(ObtainAuthToken):
    """``POST /api/v1/auth/token/`` with username and password answers ``{"token": ...}``;
    ``DELETE`` with ``Authorization: Token <token>`` deletes that token (204).

    POST is open to anyone (it is how clients log in), rate limited by the ``token`` throttle
    scope and refused with 429 while the account or the address is locked after failed
    sign-ins. No authentication runs for it, so a stale token header cannot lock a client out
    of logging in. A token expires ``TOKEN_TTL_HOURS`` after it was issued; POST then issues a
    new one.
    """

    # ObtainAuthToken's parsers, with the JSON one that answers 400 to a body nested too deeply.
    parser_classes = (FormParser, MultiPartParser, JSONParser)

    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "token"
    schema = TokenSchema()

    def _revoking(self) -> bool:
        # The request is still unknown while the schema generator builds its mock request.
        request = getattr(self, "request", None)
        return request is not None and request.method == "DELETE"

    def get_authenticators(self):
        return [ExpiringTokenAuthentication()] if self._revoking() else []

    def get_permissions(self):
        return [IsAuthenticated()] if self._revoking() else [AllowAny()]

    @extend_schema(
        operation_id="auth_token_create",
        description=(
            "Obtain a token with a user name and password; send it as `Authorization: Token "
            "<token>`. It expires after `TOKEN_TTL_HOURS` (14 days unless configured), and when "
            "the password changes or the user is deactivated. After repeated failed sign-ins "
            "the account or the client address is locked for a while (429)."
        ),
        tags=["auth"],
        request=ObtainAuthToken.serializer_class,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            429: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "Too many failed sign-ins for this account or from this address, or too "
                    "many requests: wait `Retry-After` seconds. The same answer whether or not "
                    "the account exists."
                ),
            ),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            data = request.data if isinstance(request.data, Mapping) else {}
            username = data.get("username")
            if isinstance(username, str) and username:
                address = lockout.client_address(request)
                if lock := lockout.lock_find(username=username, address=address):
                    raise SignInLocked(lock)
            raise exceptions.ValidationError(serializer.errors)
        token = token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(
        operation_id="auth_token_destroy",
        description="Revoke the token this request is authenticated with (log out a client).",
        tags=["auth"],
        request=None,
        responses={204: OpenApiResponse(description="Deleted: the token no longer authenticates.")},
    )
    def delete(self, request, *args, **kwargs):
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
