"""Plumbing shared by every REST resource: the base ViewSet, domain-error mapping and the error
bodies documented in the OpenAPI schema. (The token endpoint is signing in: ``accounts.api``.)

Nothing here knows about a particular model: resources live in each app's ``api.py``, and the
named enum components of the schema, which list every app's choice sets, in ``config.schema``.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import BasePagination
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny, BasePermission, OperandHolder, SingleOperandHolder
from rest_framework.renderers import JSONRenderer
from rest_framework.schemas.inspectors import ViewInspector
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .errors import ConflictError, DomainError, NotPermittedError
from .pagination import StandardPagination
from .parsers import JSONParser
from .records import record_create, record_delete, record_update

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
        detail = as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:  # Django's "__all__" is DRF's "non_field_errors"
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        return exceptions.ValidationError(detail)
    return exc


# --- Schema ---------------------------------------------------------------------------------


class ApiAutoSchema(AutoSchema):
    """Adds the error responses every operation can give, so clients (and schemathesis) know
    their shape: 400 validation, 401 no credentials, 403 role, 404 unknown id or page, 409
    conflict on writes, 415 for a body in a media type the operation does not read."""

    error_descriptions = {
        "400": "Invalid input: the body names each invalid field with its messages.",
        "401": (
            "No valid credentials, or the token has expired: send `Authorization: Token "
            "<token>`, obtained with `POST /api/v1/auth/token/`."
        ),
        "403": "Your role may not do this.",
        "404": "No such object (or page).",
        "409": "Conflicts with the current state: a duplicate, or still referenced.",
        "415": "The body is not in a documented media type (or is a malformed upload).",
        "429": "Too many attempts: wait `Retry-After` seconds and retry.",
    }

    def _error_responses(self) -> dict[str, type[serializers.Serializer]]:
        public = all(isinstance(p, AllowAny) for p in self.view.get_permissions())
        errors: dict[str, type[serializers.Serializer]] = {"400": ValidationErrorSerializer}
        if not public:
            errors |= {"401": ErrorSerializer, "403": ErrorSerializer, "404": ErrorSerializer}
            if self.method in ("POST", "PUT", "PATCH", "DELETE"):
                errors["409"] = ErrorSerializer
            if self.method in ("POST", "PUT", "PATCH"):
                errors["415"] = ErrorSerializer
        if public and "{" in self.path:  # a public lookup by key (verification codes)
            errors["404"] = ErrorSerializer
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

# ``permission_classes`` as DRF's APIView types it, for mixins that set it beside a ViewSet.
PermissionClasses = Sequence[type[BasePermission] | OperandHolder | SingleOperandHolder]


if TYPE_CHECKING:  # the mixin below only ever precedes an APIView in a class's bases
    _APIViewBase = APIView
else:
    _APIViewBase = object


class DomainErrorsMixin(_APIViewBase):
    """Maps domain errors raised by services to 400/403/409 answers."""

    def handle_exception(self, exc):
        return super().handle_exception(api_exception_for(exc))


class ApiViewSetMixin(DomainErrorsMixin):
    """Paginated, JSON-only (uploads opt into multipart), with error responses documented."""

    # Typed as GenericAPIView declares them, so the ViewSets below (and subclasses that widen
    # the parsers) agree with DRF's own attributes.
    pagination_class: type[BasePagination] | None = StandardPagination
    parser_classes: Sequence[type[BaseParser]] = [JSONParser]
    # Any id segment reaches the view (which answers 404 in JSON for a malformed one) instead of
    # falling through to the site's HTML "page not found".
    lookup_value_regex = r"[^/]+"
    schema: ViewInspector | None = ApiAutoSchema()


class ReadOnlyViewSet(ApiViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ActionsViewSet(ApiViewSetMixin, viewsets.GenericViewSet):
    """Only ``@action``s, registered by an app on the prefix of a resource another app owns
    (``/api/v1/courses/{id}/certificates/issue/``): the resource grows without its app importing
    the apps above it. Subclasses say which rows the actions reach (``queryset`` or
    ``get_queryset``) and the default permission; each action may name its own."""

    filterset_class = None  # actions may set their own (DRF only accepts known attributes)
    ordering_fields: list[str] = []  # get_object() runs the filters: ?ordering= is ignored


class ServiceModelViewSet(ApiViewSetMixin, viewsets.ModelViewSet):
    """A ModelViewSet whose writes go through services.

    By default a write is the generic validated create/update/delete of reference data
    (``core.records.record_*``: ``full_clean``, atomic, clear conflicts). Resources with
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


class FileDownloadNegotiation(BaseContentNegotiation):
    """For file downloads: whatever the client accepts, errors are JSON and the file is the file.

    A download's ``Accept`` header names the file's type (``application/pdf``), which no API
    renderer produces; standard negotiation would answer 406 before the view even runs.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# Passed to ``@action(...)`` as keyword arguments (view attributes), hence Any.
DOWNLOAD_VIEW_OPTIONS: dict[str, Any] = {
    "renderer_classes": [JSONRenderer],
    "content_negotiation_class": FileDownloadNegotiation,
}


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Any unknown address under /api/v1/ answers like the API does (JSON 404), never with the
    site's HTML "page not found"."""
    return JsonResponse({"detail": "Not found."}, status=404)
