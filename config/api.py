"""Plumbing shared by every REST resource: the base ViewSet, domain-error mapping, the error
bodies documented in the OpenAPI schema, and the token endpoint.

Nothing here knows about a particular model. Resources live in each app's ``api.py``.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.serializers import as_serializer_error
from rest_framework.throttling import ScopedRateThrottle

from config.pagination import StandardPagination
from trainings.errors import ConflictError, DomainError, NotPermittedError
from trainings.services import record_create, record_delete, record_update

# --- Error bodies ---------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every error except validation errors: ``{"detail": "..."}``."""

    detail = serializers.CharField(help_text="What went wrong, in words a person can act on.")


class ValidationErrorSerializer(serializers.Serializer):
    """A 400 body: either ``{"detail": "..."}`` or one list of messages per invalid field
    (``{"email": ["Enter a valid email address."]}``); ``non_field_errors`` holds messages
    about the request as a whole."""

    detail = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class BadRequest(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request is invalid."
    default_code = "invalid"


def api_exception_for(exc: Exception) -> Exception:
    """Translate a domain error into the DRF exception carrying the right status code."""
    if isinstance(exc, NotPermittedError):
        return exceptions.PermissionDenied(exc.message)
    if isinstance(exc, ConflictError):
        return Conflict(exc.message)
    if isinstance(exc, DomainError):
        if exc.field:
            return exceptions.ValidationError({exc.field: [exc.message]})
        return BadRequest(exc.message)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    return exc


# --- Schema ---------------------------------------------------------------------------------


class ApiAutoSchema(AutoSchema):
    """Adds the error responses every operation can give, so clients (and schemathesis) know
    their shape: 400 validation, 401 no credentials, 403 role, 404 unknown id or page, 409
    conflict on writes."""

    error_descriptions = {
        "400": "Invalid input: the body names each invalid field with its messages.",
        "401": "No valid credentials: send `Authorization: Token <token>`.",
        "403": "Your role may not do this.",
        "404": "No such object (or page).",
        "409": "Conflicts with the current state: a duplicate, or still referenced.",
        "429": "Too many attempts; wait and retry.",
    }

    def _error_responses(self) -> dict[str, type[serializers.Serializer]]:
        public = all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        errors: dict[str, type[serializers.Serializer]] = {"400": ValidationErrorSerializer}
        if not public:
            errors |= {"401": ErrorSerializer, "403": ErrorSerializer, "404": ErrorSerializer}
            if self.method in ("POST", "PUT", "PATCH", "DELETE"):
                errors["409"] = ErrorSerializer
        if any(isinstance(t, ScopedRateThrottle) for t in self.view.get_throttles()):
            errors["429"] = ErrorSerializer
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, serializer in self._error_responses().items():
            if code not in responses:
                response = OpenApiResponse(serializer, description=self.error_descriptions[code])
                responses[code] = self._get_response_for_code(
                    response, code, media_types=["application/json"]
                )
        return responses


# --- Base ViewSets --------------------------------------------------------------------------


class DomainErrorsMixin:
    """Maps domain errors raised by services to 400/403/409 answers."""

    def handle_exception(self, exc):
        return super().handle_exception(api_exception_for(exc))


class ApiViewSetMixin(DomainErrorsMixin):
    """Paginated, JSON-only (uploads opt into multipart), with error responses documented."""

    pagination_class = StandardPagination
    parser_classes = [JSONParser]
    schema = ApiAutoSchema()


class ReadOnlyViewSet(ApiViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ServiceModelViewSet(ApiViewSetMixin, viewsets.ModelViewSet):
    """A ModelViewSet whose writes go through services.

    By default a write is the generic validated create/update/delete of reference data
    (``trainings.services.record_*``: ``full_clean``, atomic, clear conflicts). Resources with
    rules of their own override ``create_object``, ``update_object`` or ``delete_object`` to
    call their service. After a write the object is read back through ``get_queryset()``, so the
    answer carries the same annotations (counts) and prefetched relations as the list.
    """

    def create_object(self, data: dict):
        return record_create(model=self.get_queryset().model, fields=data)

    def update_object(self, instance, data: dict):
        return record_update(instance=instance, fields=data)

    def delete_object(self, instance) -> None:
        record_delete(instance=instance)

    def perform_create(self, serializer):
        obj = self.create_object(dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=obj.pk)

    def perform_update(self, serializer):
        obj = self.update_object(serializer.instance, dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=obj.pk)

    def perform_destroy(self, instance):
        self.delete_object(instance)


class AnyMediaRenderer(BaseRenderer):
    """Lets file downloads satisfy any ``Accept`` header. Error bodies are still JSON."""

    media_type = "*/*"
    format = "file"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, "application/json", renderer_context)


# --- Token ----------------------------------------------------------------------------------


class TokenView(ObtainAuthToken):
    """``POST /api/v1/auth/token/`` with username and password answers ``{"token": ...}``.

    Open to anyone (it is how clients log in) but rate limited by the ``token`` throttle scope.
    No authentication runs here, so a stale token header cannot lock a client out of logging in.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "token"
    schema = ApiAutoSchema()

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=ObtainAuthToken.serializer_class,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
