"""REST resources for organisations, trainees (participants), enrolments and attendance.

Thin: validate with a serializer, call one service from ``participants.services``, answer with
the read serializer. Lists run a fixed number of queries.
"""

from dataclasses import asdict
from typing import TYPE_CHECKING

from django.db.models import Count
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api import ActionsViewSet, PermissionClasses, ServiceModelViewSet
from trainings import api as training_api

from . import selectors, services, visibility
from .filters import EnrolmentFilter, OrganisationFilter, ParticipantFilter
from .models import Organisation
from .permissions import CourseRecordsAccess, EnrolmentAccess, PeopleAccess
from .registration_api import RegistrationActionsMixin
from .serializers import (
    BulkEnrolResultSerializer,
    BulkEnrolSerializer,
    BulkStatusSerializer,
    CourseSerializer,
    EnrolmentCreateSerializer,
    EnrolmentSerializer,
    ImportRefusedSerializer,
    ImportReportSerializer,
    OrganisationSerializer,
    ParticipantImportSerializer,
    ParticipantSerializer,
    StatusChangeSerializer,
)


@extend_schema(tags=["organisations"])
class OrganisationViewSet(ServiceModelViewSet):
    """Ministries, agencies and organisations trainees come from. Every role reads;
    the project team and coordinators write."""

    serializer_class = OrganisationSerializer
    permission_classes = [PeopleAccess]
    filterset_class = OrganisationFilter
    search_fields = ["name", "native_name", "name_ar", "name_ru", "acronym", "parent__name"]
    ordering_fields = ["name", "acronym", "country", "kind", "participant_count", "created_at"]
    ordering = ["name"]

    def get_queryset(self):
        return Organisation.objects.annotate(participant_count=Count("participants"))


if TYPE_CHECKING:  # the scopes below only ever precede a GenericAPIView in a class's bases
    _ViewBase = GenericAPIView
else:
    _ViewBase = object


class ParticipantScope(_ViewBase):
    """Which trainees a request may reach and the role rule, shared by the participant
    resource and the actions other apps add under ``/api/v1/participants/{id}/``."""

    permission_classes: PermissionClasses = [PeopleAccess]

    def get_queryset(self):
        return visibility.visible_participants(self.request.user)

    def hidden_lookups(self, request) -> frozenset[str]:
        """Contact fields a trainer neither searches nor orders by (``core.filtering``)."""
        return visibility.hidden_fields(request.user)


class ParticipantActionsViewSet(ParticipantScope, ActionsViewSet):
    """The base of the actions other apps add under ``/api/v1/participants/{id}/``, registered
    on the ``participants`` prefix of their own router (see ``privacy.api``)."""


@extend_schema(tags=["participants"])
class ParticipantViewSet(ParticipantScope, RegistrationActionsMixin, ServiceModelViewSet):
    """Trainees. Every role reads; the project team and coordinators register and
    edit them."""

    serializer_class = ParticipantSerializer
    filterset_class = ParticipantFilter
    search_fields = [
        "first_name",
        "last_name",
        "native_name",
        "email",
        "position",
        "organisation__name",
        "organisation__acronym",
    ]
    ordering_fields = ["last_name", "first_name", "email", "country", "created_at"]
    ordering = ["last_name", "first_name"]

    def create_object(self, data: dict):
        return services.participant_create(**data, by=self.request.user)

    def update_object(self, instance, data: dict):
        return services.participant_update(participant=instance, by=self.request.user, **data)

    def delete_object(self, instance) -> None:
        services.participant_delete(participant=instance, by=self.request.user)

    @extend_schema(
        summary="Import trainees from a CSV or XLSX nomination list",
        description=(
            "Multipart `file` (CSV or XLSX, at most 5 MB and 20,000 rows). Columns: "
            "`first_name`, `last_name`, `native_name`, `gender`, `email`, `phone`, "
            "`organisation`, `position`, `country`; common spellings of the headers are "
            "accepted, unknown columns are ignored. A person already registered (same e-mail, "
            "or same name and organisation) is updated, not duplicated. Row numbers are those "
            "of the spreadsheet (the header is row 1).\n\n"
            "Answers 200 with the report for every import that ran, including a dry run "
            "(`dry_run=true`, nothing changes; its counts are what would happen). A file with "
            "invalid rows and no `skip_invalid=true` answers 400 with the same report plus "
            "`detail`, and changes nothing; its counts are what the import would have done "
            "with `skip_invalid=true`."
        ),
        request={"multipart/form-data": ParticipantImportSerializer},
        responses={
            200: ImportReportSerializer,
            400: OpenApiResponse(
                ImportRefusedSerializer,
                description="Invalid rows (the report with `detail`; nothing changed), or an "
                "unreadable, empty or oversize file (`detail`), or invalid fields.",
            ),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser],
        serializer_class=ParticipantImportSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def import_(self, request):
        payload = ParticipantImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            report = services.participants_import(**payload.validated_data, by=request.user)
        except services.ImportRefused as refused:
            body = {"detail": refused.message, **asdict(refused.report)}
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        return Response(ImportReportSerializer(asdict(report)).data)


class EnrolmentScope(_ViewBase):
    """Which enrolments a request may reach and the role rule, shared by the enrolment
    resource and the actions other apps add under ``/api/v1/enrolments/{id}/``."""

    permission_classes: PermissionClasses = [EnrolmentAccess]

    def get_queryset(self):
        return visibility.visible_enrolments(self.request.user)

    def hidden_lookups(self, request) -> frozenset[str]:
        """Contact fields a trainer neither searches nor orders by (``core.filtering``)."""
        return visibility.hidden_fields(request.user)


class EnrolmentActionsViewSet(EnrolmentScope, ActionsViewSet):
    """The base of the actions other apps add under ``/api/v1/enrolments/{id}/``, registered
    on the ``enrolments`` prefix of their own router (see ``delivery.api``)."""


@extend_schema_view(
    create=extend_schema(
        summary="Enrol one participant",
        description="Answers 409 when the participant is already enrolled in the course, or "
        "when the course takes no more enrolments (completed, cancelled or ended), with the "
        "reason. "
        "To enrol many at once, POST to /api/v1/courses/{id}/enrolments/.",
        request=EnrolmentCreateSerializer,
        responses={201: EnrolmentSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an enrolment's status, scores or certificate language",
        description=(
            "`status` (with an optional `reason`) records who changed it and when. Only a "
            "coordinator may set `completed` or `failed`, or change a status away from them."
        ),
    ),
)
@extend_schema(tags=["enrolments"])
class EnrolmentViewSet(EnrolmentScope, ServiceModelViewSet):
    """Participants in courses, with status and test scores. Every role reads; the
    project team and coordinators write; only coordinators set completed or failed."""

    filterset_class = EnrolmentFilter
    search_fields = [
        "participant__first_name",
        "participant__last_name",
        "participant__native_name",
        "participant__email",
        "course__title",
        "course__code",
    ]
    ordering_fields = ["created_at", "status", "status_changed_at", "post_test_score"]
    ordering = ["course", "participant__last_name", "participant__first_name"]

    def get_serializer_class(self):
        if self.action == "create":
            return EnrolmentCreateSerializer
        return EnrolmentSerializer

    def create(self, request, *args, **kwargs):
        serializer = EnrolmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrolment = services.enrolment_create(**serializer.validated_data, by=request.user)
        body = EnrolmentSerializer(enrolment, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def update_object(self, instance, data: dict):
        return services.enrolment_update(enrolment=instance, by=self.request.user, **data)

    def delete_object(self, instance) -> None:
        services.enrolment_delete(enrolment=instance, by=self.request.user)

    @extend_schema(
        summary="The enrolment's status history",
        description=(
            "Every status it had, oldest first: from, to, reason, when and by whom. The "
            "system's reasons are `reason_codes` (`{code, params}`, stable); `reason` puts them "
            "into words in the request's language (`Accept-Language`, English by default), "
            "followed by any reason a person typed, as typed."
        ),
        responses={200: StatusChangeSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        changes = self.get_object().history.select_related("changed_by")
        return Response(StatusChangeSerializer(changes, many=True).data)


@extend_schema(tags=["courses"])
class CourseViewSet(training_api.CourseViewSet):
    """Courses (ToT, cascade, workshop). Every role reads; coordinators write;
    the project team and coordinators enrol participants."""

    # The docstring above is published in the API schema. Here: the catalogue part is
    # trainings'; this adds the trainee count, enrolling and status changes; running the course
    # (completion, attendance, files) adds its actions in delivery.api, certificates in theirs.

    serializer_class = CourseSerializer
    ordering_fields = [*training_api.CourseViewSet.ordering_fields, "enrolment_count"]

    def get_queryset(self):
        active = selectors.ACTIVE_ENROLMENT
        return (
            super()
            .get_queryset()
            .annotate(enrolment_count=Count("enrolments", filter=active, distinct=True))
        )

    def get_serializer_class(self):
        if self.action == "enrol":
            return BulkEnrolSerializer
        return super().get_serializer_class()

    @extend_schema(
        summary="Enrol many participants at once",
        description=(
            "Idempotent: people already enrolled are counted as `existing` and left untouched. "
            "With a capacity, newcomers beyond it go on the waiting list in the order sent: "
            "`seated` and `waitlisted` say who went where. Answers 201 when at least one "
            "enrolment was created, 200 otherwise, and 409 with the reason when the course "
            "takes no more enrolments (completed, cancelled or ended)."
        ),
        request=BulkEnrolSerializer,
        responses={201: BulkEnrolResultSerializer, 200: BulkEnrolResultSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="enrolments",
        permission_classes=[CourseRecordsAccess],
    )
    def enrol(self, request, pk=None):
        course = self.get_object()
        payload = BulkEnrolSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        people = selectors.participants_by_ids(payload.validated_data["participants"])
        result = services.enrolments_bulk_create(
            course=course, participants=people, by=request.user
        )
        body = BulkEnrolResultSerializer(
            {
                "created": len(result.created),
                "existing": len(result.existing),
                "enrolments": [e.pk for e in result.enrolments],
                "seated": [e.participant_id for e in result.seated],
                "waitlisted": [e.participant_id for e in result.waitlisted],
            }
        ).data
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)

    @extend_schema(
        tags=["enrolments"],
        summary="Set one status on many trainees of the course",
        description=(
            "All or nothing: an enrolment of another course, or a change the user may not make "
            "(only coordinators set completed or failed) refuses the whole request. Moving "
            "someone off the waiting list needs a free seat (409 otherwise)."
        ),
        request=BulkStatusSerializer,
        responses={200: EnrolmentSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="enrolments/status",
        url_name="enrolments-status",
        permission_classes=[CourseRecordsAccess],
        pagination_class=None,
        filterset_class=None,
    )
    def enrolments_status(self, request, pk=None):
        payload = BulkStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        enrolments = services.enrolments_bulk_set_status(
            course=self.get_object(),
            enrolment_ids=payload.validated_data["enrolments"],
            status=payload.validated_data["status"],
            reason=payload.validated_data["reason"],
            by=request.user,
        )
        return Response(EnrolmentSerializer(enrolments, many=True).data)
