"""Plumbing shared by every REST resource: the base ViewSet, domain-error mapping, the error
bodies documented in the OpenAPI schema, and the token endpoint.

Nothing here knows about a particular model. Resources live in each app's ``api.py``.
"""

import functools

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_choice_description_list
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
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
        "401": "No valid credentials: send `Authorization: Token <token>`.",
        "403": "Your role may not do this.",
        "404": "No such object (or page).",
        "409": "Conflicts with the current state: a duplicate, or still referenced.",
        "415": "The body is not in a documented media type (or is a malformed upload).",
        "429": "Too many attempts; wait and retry.",
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


# Every choice set the API uses, by the name its enum component carries in the schema. One
# choice set keeps one name wherever it appears (``status`` of a course and of an enrolment
# differ; ``language`` of a manual and ``languages`` of a course agree). Names deliberately lack
# the ``Enum`` suffix drf-spectacular gives the enums it names itself, so the two never clash.
@functools.cache
def _named_choice_sets() -> dict[frozenset, str]:
    from django_countries import countries

    from certificates.models import BatchStatus, Certificate, CertificateStatus
    from experts.models import AssignmentRole
    from participants.models import EnrolmentStatus, Gender, OrganisationKind
    from trainings.languages import Language
    from trainings.models import CourseKind, CourseStatus

    named = {
        "LanguageCode": Language.values,
        "CertificateLanguage": [c for c, _ in Certificate._meta.get_field("language").choices],
        "CountryCode": [code for code, _name in countries],
        "CourseKind": CourseKind.values,
        "CourseStatus": CourseStatus.values,
        "OrganisationKind": OrganisationKind.values,
        "Gender": Gender.values,
        "EnrolmentStatus": EnrolmentStatus.values,
        "AssignmentRole": AssignmentRole.values,
        "BatchStatus": BatchStatus.values,
        "CertificateStatus": CertificateStatus.values,
    }
    return {frozenset(v for v in values if v): name for name, values in named.items()}


def _choice_set_name(field: serializers.ChoiceField) -> str | None:
    values = frozenset(str(v) for v in field.choices if v not in ("", None))
    return _named_choice_sets().get(values)


class NamedChoiceSetExtension(OpenApiSerializerFieldExtension):
    """Documents a choice field whose choice set is listed above as a reference to one shared,
    named enum component (the job ``ENUM_NAME_OVERRIDES`` does, kept next to the API)."""

    target_class = serializers.ChoiceField
    match_subclasses = True

    @classmethod
    def _matches(cls, target) -> bool:
        return (
            isinstance(target, serializers.ChoiceField)
            and not isinstance(target, serializers.MultipleChoiceField)
            and _choice_set_name(target) is not None
        )

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        name = _choice_set_name(field)
        choices = {k: v for k, v in field.choices.items() if k not in ("", None)}
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema={
                "type": "string",
                "enum": list(choices),
                "description": build_choice_description_list(choices.items()),
            },
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


# --- Base ViewSets --------------------------------------------------------------------------


class DomainErrorsMixin:
    """Maps domain errors raised by services to 400/403/409 answers."""

    def handle_exception(self, exc):
        return super().handle_exception(api_exception_for(exc))


class ApiViewSetMixin(DomainErrorsMixin):
    """Paginated, JSON-only (uploads opt into multipart), with error responses documented."""

    pagination_class = StandardPagination
    parser_classes = [JSONParser]
    # Any id segment reaches the view (which answers 404 in JSON for a malformed one) instead of
    # falling through to the site's HTML "page not found".
    lookup_value_regex = r"[^/]+"
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


class FileDownloadNegotiation(BaseContentNegotiation):
    """For file downloads: whatever the client accepts, errors are JSON and the file is the file.

    A download's ``Accept`` header names the file's type (``application/pdf``), which no API
    renderer produces; standard negotiation would answer 406 before the view even runs.
    """

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


DOWNLOAD_VIEW_OPTIONS = {
    "renderer_classes": [JSONRenderer],
    "content_negotiation_class": FileDownloadNegotiation,
}


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Any unknown address under /api/v1/ answers like the API does (JSON 404), never with the
    site's HTML "page not found"."""
    return JsonResponse({"detail": "Not found."}, status=404)


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
