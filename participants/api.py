"""REST resources for organisations, trainees (participants), enrolments and attendance.

Thin: validate with a serializer, call one service from ``participants.services``, answer with
the read serializer. Lists run a fixed number of queries.
"""

from dataclasses import asdict

from django.db.models import Count, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core import downloads
from core.api import DOWNLOAD_VIEW_OPTIONS, ServiceModelViewSet
from core.errors import ConflictError
from trainings import api as training_api

from . import services
from .course_api import CourseRegistrationMixin
from .export_api import CourseExportsMixin
from .filters import AttendanceFilter, EnrolmentFilter, OrganisationFilter, ParticipantFilter
from .models import Attendance, Enrolment, EnrolmentStatus, Organisation, Participant, TeachBack
from .permissions import EnrolmentAccess, PeopleAccess
from .privacy_api import ParticipantPrivacyMixin
from .registration_api import RegistrationActionsMixin
from .serializers import (
    AttendanceSerializer,
    AttendanceUpdateSerializer,
    BulkEnrolResultSerializer,
    BulkEnrolSerializer,
    CourseSerializer,
    EnrolmentCreateSerializer,
    EnrolmentSerializer,
    ImportRefusedSerializer,
    ImportReportSerializer,
    OrganisationSerializer,
    OverrideSerializer,
    ParticipantImportSerializer,
    ParticipantSerializer,
    StatusChangeSerializer,
    TeachBackSerializer,
    TeachBackUpdateSerializer,
    TeachBackWriteSerializer,
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
class ParticipantViewSet(RegistrationActionsMixin, ParticipantPrivacyMixin, ServiceModelViewSet):
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

    @extend_schema(
        summary="Override the completion rule for one trainee",
        description=(
            "Coordinators only: `completed` or `failed` against the rule, with a required "
            "`reason` kept in the enrolment, its history and the audit log. Closing the course "
            "keeps the decision."
        ),
        request=OverrideSerializer,
        responses={200: EnrolmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def override(self, request, pk=None):
        payload = OverrideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        enrolment = services.enrolment_override(
            enrolment=self.get_object(), **payload.validated_data, by=request.user
        )
        return Response(EnrolmentSerializer(enrolment, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="The enrolment's status history",
        description="Every status it had, oldest first: from, to, reason, when and by whom.",
        responses={200: StatusChangeSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        changes = self.get_object().history.select_related("changed_by")
        return Response(StatusChangeSerializer(changes, many=True).data)


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


@extend_schema_view(
    create=extend_schema(
        summary="Record a trainee's teach-back module",
        description=(
            "Multipart or JSON. One per enrolment (409 for a second). The optional `file` is "
            "checked by content (PDF, DOCX, PPTX, XLSX, ODT or ZIP) and size, and stored under a "
            "generated name; its cleaned name is kept for display."
        ),
        request={
            "multipart/form-data": TeachBackWriteSerializer,
            "application/json": TeachBackWriteSerializer,
        },
        responses={201: TeachBackSerializer},
    ),
    update=extend_schema(
        request={
            "multipart/form-data": TeachBackUpdateSerializer,
            "application/json": TeachBackUpdateSerializer,
        },
        responses={200: TeachBackSerializer},
    ),
    partial_update=extend_schema(
        request={
            "multipart/form-data": TeachBackUpdateSerializer,
            "application/json": TeachBackUpdateSerializer,
        },
        responses={200: TeachBackSerializer},
    ),
)
@extend_schema(tags=["enrolments"])
class TeachBackViewSet(ServiceModelViewSet):
    """The module each ToT trainee prepares and presents, with the evaluator's score. Every
    role reads; the project team and coordinators record it."""

    permission_classes = [EnrolmentAccess]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["enrolment", "enrolment__course", "module"]
    search_fields = ["title", "evaluator", "enrolment__participant__last_name"]
    ordering_fields = ["created_at", "score"]
    ordering = ["enrolment"]

    def get_queryset(self):
        return TeachBack.objects.select_related("recorded_by")

    def get_serializer_class(self):
        if self.action == "create":
            return TeachBackWriteSerializer
        if self.action in ("update", "partial_update"):
            return TeachBackUpdateSerializer
        return TeachBackSerializer

    def create(self, request, *args, **kwargs):
        payload = TeachBackWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = dict(payload.validated_data)
        enrolment = fields.pop("enrolment")
        if TeachBack.objects.filter(enrolment=enrolment).exists():
            raise ConflictError(
                "This trainee's teach-back is already recorded: change it instead (PATCH)."
            )
        teachback = services.teachback_save(enrolment=enrolment, by=request.user, **fields)
        return Response(TeachBackSerializer(teachback).data, status=status.HTTP_201_CREATED)

    def update_object(self, instance, data: dict):
        return services.teachback_save(enrolment=instance.enrolment, by=self.request.user, **data)

    @extend_schema(
        summary="Download the teach-back file",
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            ),
            302: OpenApiResponse(description="With S3 storage: a short-lived signed URL."),
        },
    )
    @action(detail=True, methods=["get"], **DOWNLOAD_VIEW_OPTIONS)
    def download(self, request, pk=None):
        teachback = self.get_object()
        if not teachback.file:
            raise NotFound("This teach-back has no file.")
        try:
            return downloads.serve(
                teachback.file,
                filename=teachback.original_name or f"teachback-{teachback.pk}",
                content_type=teachback.content_type,
                record=lambda: None,
            )
        except downloads.MissingFile as exc:
            raise NotFound("The file of this teach-back is missing from storage.") from exc


@extend_schema(tags=["courses"])
class CourseViewSet(CourseRegistrationMixin, CourseExportsMixin, training_api.CourseViewSet):
    """Courses (ToT, cascade, workshop). Every role reads; coordinators write;
    the project team and coordinators enrol participants."""

    serializer_class = CourseSerializer
    ordering_fields = [*training_api.CourseViewSet.ordering_fields, "enrolment_count"]

    def get_queryset(self):
        active = ~Q(enrolments__status=EnrolmentStatus.WITHDRAWN)
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
            "Answers 201 when at least one enrolment was created, 200 otherwise."
        ),
        request=BulkEnrolSerializer,
        responses={201: BulkEnrolResultSerializer, 200: BulkEnrolResultSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="enrolments",
        permission_classes=[EnrolmentAccess],
    )
    def enrol(self, request, pk=None):
        course = self.get_object()
        payload = BulkEnrolSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(payload.validated_data["participants"]))
        found = Participant.objects.in_bulk(ids)
        unknown = [pk for pk in ids if pk not in found]
        if unknown:
            raise ValidationError(
                {"participants": [f"Unknown participant ids: {', '.join(map(str, unknown))}."]}
            )
        result = services.enrolments_bulk_create(
            course=course, participants=found.values(), by=request.user
        )
        body = BulkEnrolResultSerializer(
            {
                "created": len(result.created),
                "existing": len(result.existing),
                "enrolments": [e.pk for e in result.enrolments],
            }
        ).data
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)
