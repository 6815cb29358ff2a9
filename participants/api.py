"""REST resources for organisations, trainees (participants), enrolments and attendance.

Thin: validate with a serializer, call one service from ``participants.services``, answer with
the read serializer. Lists run a fixed number of queries.
"""

from dataclasses import asdict

from django.db.models import Count
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from config.api import ServiceModelViewSet

from . import services
from .filters import AttendanceFilter, EnrolmentFilter, OrganisationFilter, ParticipantFilter
from .models import Attendance, Enrolment, Organisation, Participant
from .permissions import EnrolmentAccess, PeopleAccess
from .serializers import (
    AttendanceSerializer,
    AttendanceUpdateSerializer,
    EnrolmentCreateSerializer,
    EnrolmentSerializer,
    ImportRefusedSerializer,
    ImportReportSerializer,
    OrganisationSerializer,
    ParticipantImportSerializer,
    ParticipantSerializer,
)


@extend_schema(tags=["organisations"])
class OrganisationViewSet(ServiceModelViewSet):
    """Ministries, agencies and organisations trainees come from. Every role reads;
    the project team and coordinators write."""

    serializer_class = OrganisationSerializer
    permission_classes = [PeopleAccess]
    filterset_class = OrganisationFilter
    search_fields = ["name", "native_name", "acronym", "parent__name"]
    ordering_fields = ["name", "acronym", "country", "kind", "participant_count", "created_at"]
    ordering = ["name"]

    def get_queryset(self):
        return Organisation.objects.annotate(participant_count=Count("participants"))


@extend_schema(tags=["participants"])
class ParticipantViewSet(ServiceModelViewSet):
    """Trainees. Every role reads; the project team and coordinators register and
    edit them."""

    serializer_class = ParticipantSerializer
    permission_classes = [PeopleAccess]
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

    def get_queryset(self):
        return Participant.objects.all()

    def create_object(self, data: dict):
        return services.participant_create(**data, by=self.request.user)

    def update_object(self, instance, data: dict):
        return services.participant_update(participant=instance, by=self.request.user, **data)

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


@extend_schema_view(
    create=extend_schema(
        summary="Enrol one participant",
        description="Answers 409 when the participant is already enrolled in the course. "
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
class EnrolmentViewSet(ServiceModelViewSet):
    """Participants in courses, with status and test scores. Every role reads; the
    project team and coordinators write; only coordinators set completed or failed."""

    permission_classes = [EnrolmentAccess]
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

    def get_queryset(self):
        return Enrolment.objects.all()

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


@extend_schema_view(
    create=extend_schema(
        summary="Record one trainee's attendance on one course day",
        description="Recording a day that is already recorded updates it (200); a new day "
        "answers 201.",
        responses={201: AttendanceSerializer, 200: AttendanceSerializer},
    ),
    update=extend_schema(request=AttendanceUpdateSerializer, responses=AttendanceSerializer),
    partial_update=extend_schema(
        request=AttendanceUpdateSerializer, responses=AttendanceSerializer
    ),
)
@extend_schema(tags=["attendance"])
class AttendanceViewSet(ServiceModelViewSet):
    """Daily attendance of enrolled trainees. Every role reads; the project team and
    coordinators record it."""

    permission_classes = [EnrolmentAccess]
    filterset_class = AttendanceFilter
    search_fields = [
        "enrolment__participant__first_name",
        "enrolment__participant__last_name",
        "enrolment__participant__native_name",
    ]
    ordering_fields = ["date", "recorded_at"]
    ordering = ["enrolment", "date"]

    def get_queryset(self):
        return Attendance.objects.all()

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return AttendanceUpdateSerializer
        return AttendanceSerializer

    def create(self, request, *args, **kwargs):
        serializer = AttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row, created = services.attendance_record(**serializer.validated_data, by=request.user)
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(AttendanceSerializer(row).data, status=code)

    def update_object(self, instance, data: dict):
        return services.attendance_update(attendance=instance, by=self.request.user, **data)
