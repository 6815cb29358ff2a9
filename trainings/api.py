"""REST resources for programmes, thematic modules, manuals, courses and sessions.

Thin: each view validates input with a serializer, calls one service, and serializes the
answer. Every list runs a fixed number of queries (annotations and prefetches, never a query
per row).
"""

import logging

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from certificates.api import IssueCertificatesMixin
from config.api import DOWNLOAD_VIEW_OPTIONS, ServiceModelViewSet
from participants.models import EnrolmentStatus, Participant
from participants.permissions import EnrolmentAccess
from participants.services import enrolments_bulk_create

from . import services
from .filters import CourseFilter, CourseSessionFilter, ManualFilter, ThematicModuleFilter
from .models import Course, CourseSession, Manual, Programme, ThematicModule
from .permissions import CatalogueAccess
from .serializers import (
    BulkEnrolResultSerializer,
    BulkEnrolSerializer,
    CourseSerializer,
    CourseSessionSerializer,
    ManualSerializer,
    ManualUpdateSerializer,
    ManualUploadSerializer,
    ProgrammeSerializer,
    ThematicModuleSerializer,
)

logger = logging.getLogger(__name__)


@extend_schema(tags=["programmes"])
class ProgrammeViewSet(ServiceModelViewSet):
    """Funded capacity-building programmes. Every role reads; coordinators write."""

    serializer_class = ProgrammeSerializer
    permission_classes = [CatalogueAccess]
    search_fields = ["name", "acronym", "donor", "description"]
    ordering_fields = ["name", "acronym", "start_date", "end_date", "created_at"]
    ordering = ["name"]

    def get_queryset(self):
        return Programme.objects.annotate(course_count=Count("courses"))


@extend_schema(tags=["modules"])
class ThematicModuleViewSet(ServiceModelViewSet):
    """Thematic modules taught in courses. Every role reads; coordinators write."""

    queryset = ThematicModule.objects.all()
    serializer_class = ThematicModuleSerializer
    permission_classes = [CatalogueAccess]
    filterset_class = ThematicModuleFilter
    search_fields = ["code", "title_en", "title_ru", "title_ar", "description_en"]
    ordering_fields = ["order", "code", "title_en", "created_at"]
    ordering = ["order", "code"]


@extend_schema_view(
    create=extend_schema(
        summary="Upload a new version of a module's manual",
        description=(
            "Multipart upload. The version number is assigned: the next one for that module "
            "and language. Files above the configured maximum size are refused."
        ),
        request={"multipart/form-data": ManualUploadSerializer},
        responses={201: ManualSerializer},
    ),
    update=extend_schema(
        request={"application/json": ManualUpdateSerializer}, responses={200: ManualSerializer}
    ),
    partial_update=extend_schema(
        request={"application/json": ManualUpdateSerializer}, responses={200: ManualSerializer}
    ),
)
@extend_schema(tags=["manuals"])
class ManualViewSet(ServiceModelViewSet):
    """Versions of module manuals, per language. Every role reads and downloads;
    coordinators upload, edit and delete."""

    permission_classes = [CatalogueAccess]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = ManualFilter
    search_fields = ["title", "original_name", "notes", "module__code", "module__title_en"]
    ordering_fields = ["module__order", "language", "version", "created_at", "size"]
    ordering = ["module__order", "module__code", "language", "-version"]

    def get_queryset(self):
        newer = Manual.objects.filter(
            module=OuterRef("module"),
            language=OuterRef("language"),
            version__gt=OuterRef("version"),
            withdrawn_at__isnull=True,
        )
        is_current = Q(withdrawn_at__isnull=True) & ~Exists(newer)
        return Manual.objects.annotate(
            is_current=ExpressionWrapper(is_current, output_field=BooleanField())
        )

    def get_serializer_class(self):
        if self.action == "create":
            return ManualUploadSerializer
        if self.action in ("update", "partial_update"):
            return ManualUpdateSerializer
        return ManualSerializer

    def create(self, request, *args, **kwargs):
        upload = ManualUploadSerializer(data=request.data, context=self.get_serializer_context())
        upload.is_valid(raise_exception=True)
        manual = services.manual_create(**upload.validated_data, by=request.user)
        manual = self.get_queryset().get(pk=manual.pk)
        body = ManualSerializer(manual, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        manual = self.get_object()
        changes = ManualUpdateSerializer(manual, data=request.data, partial=partial)
        changes.is_valid(raise_exception=True)
        services.manual_update(manual=manual, fields=changes.validated_data, by=request.user)
        manual = self.get_queryset().get(pk=manual.pk)
        return Response(ManualSerializer(manual, context=self.get_serializer_context()).data)

    def delete_object(self, instance) -> None:
        services.manual_delete(manual=instance, by=self.request.user)

    @extend_schema(
        summary="Download the manual's file",
        description=(
            "The file as uploaded, with the content type recognised from its content at upload."
            " Each download is logged (who, which version, when)."
        ),
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            )
        },
    )
    @action(detail=True, methods=["get"], **DOWNLOAD_VIEW_OPTIONS)
    def download(self, request, pk=None):
        manual = self.get_object()
        try:
            handle = manual.file.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            logger.error("manual %s: file %r is missing from storage", manual.pk, manual.file.name)
            raise NotFound("The file of this manual is missing from storage.") from exc
        try:
            services.manual_download_record(manual=manual, by=request.user)
        except Exception:
            handle.close()
            raise
        return FileResponse(
            handle,
            as_attachment=True,
            filename=manual.original_name or f"manual-{manual.pk}",
            content_type=manual.content_type or "application/octet-stream",
        )


@extend_schema(tags=["courses"])
class CourseViewSet(IssueCertificatesMixin, ServiceModelViewSet):
    """Courses (ToT, cascade, workshop). Every role reads; coordinators write;
    the project team and coordinators enrol participants."""

    serializer_class = CourseSerializer
    permission_classes = [CatalogueAccess]
    filterset_class = CourseFilter
    search_fields = ["title", "code", "city", "venue", "programme__name", "programme__acronym"]
    ordering_fields = ["start_date", "end_date", "title", "code", "status", "enrolment_count"]
    ordering = ["-start_date", "title"]

    def get_queryset(self):
        active = ~Q(enrolments__status=EnrolmentStatus.WITHDRAWN)
        return Course.objects.annotate(
            enrolment_count=Count("enrolments", filter=active, distinct=True)
        ).prefetch_related("modules")

    def get_serializer_class(self):
        if self.action == "enrol":
            return BulkEnrolSerializer
        return CourseSerializer

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
        result = enrolments_bulk_create(course=course, participants=found.values(), by=request.user)
        body = BulkEnrolResultSerializer(
            {
                "created": len(result.created),
                "existing": len(result.existing),
                "enrolments": [e.pk for e in result.enrolments],
            }
        ).data
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(body, status=code)


@extend_schema(tags=["sessions"])
class CourseSessionViewSet(ServiceModelViewSet):
    """The schedule of courses, one session per slot. Every role reads;
    coordinators write."""

    serializer_class = CourseSessionSerializer
    permission_classes = [CatalogueAccess]
    filterset_class = CourseSessionFilter
    search_fields = ["title", "module__title_en", "module__code", "course__title"]
    ordering_fields = ["date", "start_time", "course"]
    ordering = ["date", "start_time"]

    def get_queryset(self):
        return CourseSession.objects.select_related("module").prefetch_related("trainers")
