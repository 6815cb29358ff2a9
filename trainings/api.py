"""REST resources for programmes, thematic modules, manuals, courses and sessions.

Thin: each view validates input with a serializer, calls one service, and serializes the
answer. Every list runs a fixed number of queries (annotations and prefetches, never a query
per row).
"""

import logging

from django.db.models import Count, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import downloads
from core.api import (
    DOWNLOAD_VIEW_OPTIONS,
    ActionsViewSet,
    ApiViewSetMixin,
    JSONParser,
    ReadOnlyViewSet,
    ServiceModelViewSet,
)

from . import bundles, library, services
from .filters import (
    CourseFilter,
    CourseSessionFilter,
    ManualAttachmentFilter,
    ManualDownloadFilter,
    ManualFilter,
    ThematicModuleFilter,
)
from .models import (
    Course,
    CourseSession,
    Manual,
    ManualAttachment,
    ManualBundle,
    ManualDownload,
    Programme,
    ThematicModule,
)
from .permissions import (
    CatalogueAccess,
    DownloadLogAccess,
    ManualBundleAccess,
    ManualReaderAccess,
)
from .serializers import (
    CourseSerializer,
    CourseSessionSerializer,
    ManualAttachmentSerializer,
    ManualAttachmentUpdateSerializer,
    ManualAttachmentUploadSerializer,
    ManualBundleRequestSerializer,
    ManualBundleSerializer,
    ManualDownloadSerializer,
    ManualSerializer,
    ManualUpdateSerializer,
    ManualUploadSerializer,
    ProgrammeSerializer,
    ThematicModuleSerializer,
    WithdrawSerializer,
)

logger = logging.getLogger(__name__)

DOWNLOAD_RESPONSES = {
    (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment."),
    302: OpenApiResponse(
        description=(
            "With S3-compatible storage: a redirect to a short-lived signed URL that serves "
            "the file as an attachment."
        )
    ),
}


def _serve(file, *, filename: str, content_type: str, record, what: str):
    """Stream the file or redirect to a signed URL (``core.downloads``), logging it."""
    try:
        return downloads.serve(file, filename=filename, content_type=content_type, record=record)
    except downloads.MissingFile as exc:
        logger.error("%s: file %r is missing from storage", what, file.name)
        raise NotFound(f"The file of this {what} is missing from storage.") from exc


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
        attachments = ManualAttachment.objects.order_by("kind", "title", "pk")
        return library.with_is_current(Manual.objects.all()).prefetch_related(
            Prefetch("attachments", queryset=attachments)
        )

    def get_serializer_class(self):
        if self.action == "create":
            return ManualUploadSerializer
        if self.action in ("update", "partial_update"):
            return ManualUpdateSerializer
        if self.action == "withdraw":
            return WithdrawSerializer
        return ManualSerializer

    def _answer(self, manual: Manual) -> Response:
        manual = self.get_queryset().get(pk=manual.pk)
        return Response(ManualSerializer(manual, context=self.get_serializer_context()).data)

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
            " Each download is logged (who, which version, when). With S3-compatible storage "
            "the answer is a 302 to a short-lived signed URL instead of the bytes."
        ),
        responses=DOWNLOAD_RESPONSES,
    )
    @action(detail=True, methods=["get"], **DOWNLOAD_VIEW_OPTIONS)
    def download(self, request, pk=None):
        manual = self.get_object()
        return _serve(
            manual.file,
            filename=manual.original_name or f"manual-{manual.pk}",
            content_type=manual.content_type,
            record=lambda: services.manual_download_record(manual=manual, by=request.user),
            what="manual",
        )

    @extend_schema(
        summary="Withdraw this version from the library",
        description=(
            "It stays in the history (and downloadable there); the newest version not "
            "withdrawn becomes current. 409 when it is withdrawn already."
        ),
        request=WithdrawSerializer,
        responses={200: ManualSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        payload = WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        manual = services.manual_withdraw(
            manual=self.get_object(), reason=payload.validated_data["reason"], by=request.user
        )
        return self._answer(manual)

    @extend_schema(
        summary="Put a withdrawn version back in the library",
        description="409 when it is not withdrawn.",
        request=None,
        responses={200: ManualSerializer},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        manual = services.manual_restore(manual=self.get_object(), by=request.user)
        return self._answer(manual)


@extend_schema_view(
    create=extend_schema(
        summary="Attach facilitation material, an exercise or slides to a manual version",
        description="Multipart upload, checked like a manual (content, size limit).",
        request={"multipart/form-data": ManualAttachmentUploadSerializer},
        responses={201: ManualAttachmentSerializer},
    ),
    update=extend_schema(
        request={"application/json": ManualAttachmentUpdateSerializer},
        responses={200: ManualAttachmentSerializer},
    ),
    partial_update=extend_schema(
        request={"application/json": ManualAttachmentUpdateSerializer},
        responses={200: ManualAttachmentSerializer},
    ),
)
@extend_schema(tags=["manuals"])
class ManualAttachmentViewSet(ServiceModelViewSet):
    """Files that go with a manual version. Every role reads and downloads; coordinators
    upload, edit and delete."""

    permission_classes = [CatalogueAccess]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = ManualAttachmentFilter
    search_fields = ["title", "original_name"]
    ordering_fields = ["created_at", "kind", "title", "size"]
    ordering = ["manual", "kind", "title", "pk"]

    def get_queryset(self):
        return ManualAttachment.objects.all()

    def get_serializer_class(self):
        if self.action == "create":
            return ManualAttachmentUploadSerializer
        if self.action in ("update", "partial_update"):
            return ManualAttachmentUpdateSerializer
        return ManualAttachmentSerializer

    def create(self, request, *args, **kwargs):
        upload = ManualAttachmentUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        attachment = services.attachment_create(**upload.validated_data, by=request.user)
        body = ManualAttachmentSerializer(attachment, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        attachment = self.get_object()
        changes = ManualAttachmentUpdateSerializer(attachment, data=request.data, partial=partial)
        changes.is_valid(raise_exception=True)
        services.attachment_update(
            attachment=attachment, fields=changes.validated_data, by=request.user
        )
        attachment.refresh_from_db()
        return Response(
            ManualAttachmentSerializer(attachment, context=self.get_serializer_context()).data
        )

    def delete_object(self, instance) -> None:
        services.attachment_delete(attachment=instance, by=self.request.user)

    @extend_schema(
        summary="Download the attachment's file",
        description="Logged like a manual download (the row names the attachment).",
        responses=DOWNLOAD_RESPONSES,
    )
    @action(detail=True, methods=["get"], **DOWNLOAD_VIEW_OPTIONS)
    def download(self, request, pk=None):
        attachment = self.get_object()
        return _serve(
            attachment.file,
            filename=attachment.original_name or f"attachment-{attachment.pk}",
            content_type=attachment.content_type,
            record=lambda: services.manual_download_record(
                manual=attachment.manual, attachment=attachment, by=request.user
            ),
            what="attachment",
        )


@extend_schema(tags=["manuals"])
class ManualDownloadViewSet(ReadOnlyViewSet):
    """The download log: who took which manual (or attachment) and when. Coordinators only."""

    serializer_class = ManualDownloadSerializer
    permission_classes = [DownloadLogAccess]
    filterset_class = ManualDownloadFilter
    ordering_fields = ["downloaded_at"]
    ordering = ["-downloaded_at", "-pk"]

    def get_queryset(self):
        return ManualDownload.objects.select_related("manual", "user")


@extend_schema(tags=["manuals"])
class ManualBundleViewSet(ApiViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A course's manuals in one ZIP, built by a worker: progress and download. The person who
    asked for it and coordinators may read it."""

    serializer_class = ManualBundleSerializer
    permission_classes = [ManualBundleAccess]
    queryset = ManualBundle.objects.all()

    @extend_schema(
        summary="Download the course ZIP",
        description=(
            "Once the bundle is done. Logs one download per manual and attachment it holds. "
            "404 while it is being built."
        ),
        responses=DOWNLOAD_RESPONSES,
    )
    @action(detail=True, methods=["get"], **DOWNLOAD_VIEW_OPTIONS)
    def download(self, request, pk=None):
        bundle = self.get_object()
        if not bundle.file:
            raise NotFound("This ZIP has not been built yet.")
        return _serve(
            bundle.file,
            filename=library.bundle_filename(bundle),
            content_type="application/zip",
            record=lambda: bundles.bundle_download_record(bundle=bundle, by=request.user),
            what="course ZIP",
        )


@extend_schema(tags=["courses"])
class CourseViewSet(ServiceModelViewSet):
    """Courses (ToT, cascade, workshop). Every role reads; coordinators write.

    The catalogue part of the course resource. What ``/api/v1/courses/`` serves is
    ``participants.api.CourseViewSet``, which adds the trainee count and enrolling; the apps
    above add their own actions under ``/api/v1/courses/{id}/`` with ``CourseActionsViewSet``.
    """

    serializer_class = CourseSerializer
    permission_classes = [CatalogueAccess]
    filterset_class = CourseFilter
    search_fields = [
        "title",
        "title_ru",
        "title_ar",
        "code",
        "city",
        "venue",
        "programme__name",
        "programme__acronym",
    ]
    ordering_fields = ["start_date", "end_date", "title", "code", "status"]
    ordering = ["-start_date", "title"]

    def get_queryset(self):
        return Course.objects.prefetch_related("modules")

    def get_serializer_class(self):
        if self.action == "manual_bundle":
            return ManualBundleRequestSerializer
        return self.serializer_class

    @extend_schema(
        tags=["manuals"],
        summary="Ask for every current manual of the course in one ZIP",
        description=(
            "Answers 202 with the bundle at once; a worker builds the ZIP. Follow "
            "`GET /api/v1/manual-bundles/{id}/` for progress and the download link."
        ),
        request=ManualBundleRequestSerializer,
        responses={202: ManualBundleSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="manual-bundle",
        permission_classes=[ManualReaderAccess],
    )
    def manual_bundle(self, request, pk=None):
        payload = ManualBundleRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        bundle = bundles.bundle_create(
            course=self.get_object(), language=payload.validated_data["language"], by=request.user
        )
        body = ManualBundleSerializer(bundle, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["courses"])
class CourseActionsViewSet(ActionsViewSet):
    """The base of the actions other apps add under ``/api/v1/courses/{id}/`` (completion,
    exports, certificates...): each app registers a subclass with its ``@action``s on the
    ``courses`` prefix of its own router, so the course resource grows without this app
    importing them. The queryset only finds the course; each action's permission decides."""

    queryset = Course.objects.all()
    permission_classes = [CatalogueAccess]


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
