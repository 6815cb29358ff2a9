"""REST resources of running a course: the course's completion, closing, attendance grid and
files (actions under ``/api/v1/courses/{id}/``), overriding the rule for one enrolment
(``/api/v1/enrolments/{id}/override/``), attendance and teach-backs.

Thin: validate with a serializer, call one service from ``delivery.services`` (or a read from
``delivery.selectors``), answer with the read serializer.
"""

from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import downloads
from core.api import (
    DOWNLOAD_VIEW_OPTIONS,
    Conflict,
    JSONParser,
    ReadOnlyViewSet,
    ServiceModelViewSet,
)
from participants import visibility
from participants.api import EnrolmentActionsViewSet
from participants.permissions import CourseRecordsAccess, EnrolmentAccess
from participants.serializers import EnrolmentSerializer
from trainings.api import CourseActionsViewSet

from . import exports, selectors, services
from .filters import AttendanceFilter
from .models import CourseExport, ExportStatus
from .permissions import (
    AttendanceSheetAccess,
    CourseClosingAccess,
    PreparedFileAccess,
    RosterAccess,
    SignInSheetAccess,
)
from .serializers import (
    AttendanceSerializer,
    AttendanceUpdateSerializer,
    ClosePreviewSerializer,
    CloseRequestSerializer,
    CloseResultSerializer,
    CompletionRowSerializer,
    CourseExportSerializer,
    GridSaveSerializer,
    GridSerializer,
    OverrideSerializer,
    ReopenResultSerializer,
    ReopenSerializer,
    TeachBackSerializer,
    TeachBackUpdateSerializer,
    TeachBackWriteSerializer,
)


def file_response(file: exports.ExportFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    return response


FORMAT_PARAMETER = OpenApiParameter(
    "as",
    OpenApiTypes.STR,
    enum=list(exports.FORMATS),
    default=exports.DEFAULT_FORMAT,
    description="File format: `xlsx` (default) or `csv` (UTF-8 with BOM).",
)
PREPARED_RESPONSE = OpenApiResponse(
    CourseExportSerializer,
    description="The file is too large to build at once (settings `EXPORT_SYNC_MAX_*`): a "
    "worker builds it; poll `url` (also in `Location`) until `status` is `done`, then fetch "
    "`download_url`.",
)
SPREADSHEET_RESPONSES: dict[Any, Any] = {
    (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
    for content_type in (exports.XLSX_CONTENT_TYPE, "text/csv")
}
SPREADSHEET_RESPONSES[(202, "application/json")] = PREPARED_RESPONSE
# The file actions need neither the course list's filters nor its pagination.
ACTION_OPTIONS: dict[str, Any] = {
    **DOWNLOAD_VIEW_OPTIONS,
    "filter_backends": [],
    "pagination_class": None,
}


class CourseDeliveryViewSet(CourseActionsViewSet):
    """``/api/v1/courses/{id}/completion/``, ``close/`` (GET previews), ``reopen/``,
    ``attendance-grid/`` and the course's
    files: ``roster/``, ``attendance-sheet/`` and ``sign-in-sheet/``. Each action names its
    own permission: attendance is the project team's daily work, closing the coordinators'."""

    @extend_schema(
        tags=["enrolments"],
        summary="The completion rule, evaluated for every trainee",
        description=(
            "One row per trainee in the course (not the waiting list or withdrawals): days "
            "present against days required, test scores with the knowledge gain, the teach-back "
            "where the course requires one, whether they qualify and, if not, why in words "
            "(`reasons`, in the request's language; `reason_codes`, the same as codes with "
            "parameters). Nothing changes: closing the course applies it."
        ),
        responses={200: CompletionRowSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[CourseRecordsAccess],
        pagination_class=None,
        filterset_class=None,
    )
    def completion(self, request, pk=None):
        rows = selectors.completion_rows(self.get_object())
        return Response(CompletionRowSerializer(rows, many=True).data)

    @extend_schema(
        tags=["enrolments"],
        methods=["GET"],
        summary="Preview closing the course: what it would do, or why it cannot be done yet",
        description=(
            "Coordinators only. Nothing changes. `problems` lists why the course cannot be "
            "closed yet (it has not ended; a course day or a trainee without attendance; "
            "post-test scores or teach-backs the rule needs), one sentence each; otherwise "
            "`trainees` says what closing does to each trainee, with the reason in words. "
            "Send `token` back with `POST` to close exactly what was previewed."
        ),
        responses={200: ClosePreviewSerializer},
    )
    @extend_schema(
        tags=["enrolments"],
        methods=["POST"],
        summary="Close the course: mark every trainee completed or failed by the rule",
        description=(
            "Coordinators only, from the course's last day and with the records the rule needs "
            "(otherwise 409, `detail` says what is missing: see `GET` for the list). Failed "
            "trainees get the rule's reason in words; a coordinator's override is kept "
            "(`kept`). Closing again re-evaluates, but never fails a trainee holding a valid "
            "certificate (`blocked`). The optional `token` of the preview makes closing refuse "
            "(409) if anything changed since. `POST reopen/` undoes it."
        ),
        request=CloseRequestSerializer,
        responses={200: CloseResultSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        permission_classes=[CourseClosingAccess],
        pagination_class=None,
        filterset_class=None,
    )
    def close(self, request, pk=None):
        course = self.get_object()
        if request.method == "GET":
            return Response(ClosePreviewSerializer(selectors.close_preview(course)).data)
        payload = CloseRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = services.course_close(
            course=course, by=request.user, token=payload.validated_data.get("token", "")
        )
        body = {
            "completed": [e.pk for e in result.completed],
            "failed": [e.pk for e in result.failed],
            "kept": [e.pk for e in result.kept],
            "blocked": [{"enrolment": e.pk, "reason": r} for e, r in result.blocked],
        }
        return Response(CloseResultSerializer(body).data)

    @extend_schema(
        tags=["enrolments"],
        summary="Reopen a closed course: undo closing, with a reason",
        description=(
            "Coordinators only. Every trainee the rule decided goes back to the status they "
            "had before closing (new history entries; nothing is deleted), the course to its "
            "status before closing; a coordinator's decision by hand is kept (`kept`). The "
            "reason is kept in the history and the audit log. 409 when the course is not "
            "closed, or while certificates of the course are live (`detail` names them: "
            "revoke them first)."
        ),
        request=ReopenSerializer,
        responses={200: ReopenResultSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[CourseClosingAccess])
    def reopen(self, request, pk=None):
        payload = ReopenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        course = self.get_object()
        result = services.course_reopen(
            course=course, reason=payload.validated_data["reason"], by=request.user
        )
        course.refresh_from_db()
        body = {
            "course_status": course.status,
            "restored": [
                {"enrolment": e.pk, "from_status": was, "to_status": now}
                for e, was, now in result.restored
            ],
            "kept": [e.pk for e in result.kept],
        }
        return Response(ReopenResultSerializer(body).data)

    @extend_schema(
        tags=["attendance"],
        methods=["GET"],
        summary="The course's attendance grid",
        description="One row per trainee in the course, one column per course day.",
        responses={200: GridSerializer},
    )
    @extend_schema(
        tags=["attendance"],
        methods=["POST"],
        summary="Save cells of the attendance grid",
        description=(
            "All or nothing: every mark must be for an enrolment of this course and a course "
            "day. `present: null` clears a cell. Answers with the whole grid."
        ),
        request=GridSaveSerializer,
        responses={200: GridSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="attendance-grid",
        url_name="attendance-grid",
        permission_classes=[CourseRecordsAccess],
        pagination_class=None,
        filterset_class=None,
    )
    def attendance_grid(self, request, pk=None):
        course = self.get_object()
        if request.method == "POST":
            payload = GridSaveSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            services.attendance_grid_save(
                course=course,
                marks=[services.GridMark(**mark) for mark in payload.validated_data["marks"]],
                by=request.user,
            )
        return Response(GridSerializer(selectors.attendance_grid(course)).data)

    def _export(self, request, export: str):
        course = self.get_object()  # checks the object permission: a trainer's own course
        fmt, day = "", None
        if export == exports.SIGN_IN_SHEET:
            day = exports.sign_in_day(course, request.query_params.get("date"))
        else:
            fmt = exports.export_format(request.query_params.get("as"))
        if services.export_is_large(course, export):
            job = services.course_export_request(
                course=course, export=export, fmt=fmt, day=day, by=request.user
            )
            body = CourseExportSerializer(job).data
            return Response(
                body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]}
            )
        file = services.course_file(course=course, export=export, fmt=fmt, day=day, by=request.user)
        return file_response(file)

    @extend_schema(
        tags=["courses"],
        summary="The course roster as a spreadsheet",
        description=(
            "One row per enrolment, whatever its status: names in both scripts, gender, "
            "organisation, position, nationality, e-mail, phone, status and its reason, pre- and "
            "post-test scores, knowledge gain, days present of the course days. Project team "
            "and coordinators only: it holds contact data."
        ),
        parameters=[FORMAT_PARAMETER],
        responses=SPREADSHEET_RESPONSES,
    )
    @action(detail=True, methods=["get"], permission_classes=[RosterAccess], **ACTION_OPTIONS)
    def roster(self, request, pk=None):
        return self._export(request, exports.ROSTER)

    @extend_schema(
        tags=["courses"],
        summary="The course's attendance sheet as a spreadsheet",
        description=(
            "One row per trainee in the course (not waiting-listed or withdrawn), one column per "
            "course day: `P` present, `A` absent, empty when not recorded; days present and "
            "absent; a last row counts who was present each day. Project team, coordinators and "
            "the trainers of the course."
        ),
        parameters=[FORMAT_PARAMETER],
        responses=SPREADSHEET_RESPONSES,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="attendance-sheet",
        url_name="attendance-sheet",
        permission_classes=[AttendanceSheetAccess],
        **ACTION_OPTIONS,
    )
    def attendance_sheet(self, request, pk=None):
        return self._export(request, exports.ATTENDANCE_SHEET)

    @extend_schema(
        tags=["courses"],
        summary="A printable sign-in sheet for one course day (PDF)",
        description=(
            "A4 portrait: the course, the day, one line per trainee with the name in Latin and "
            "native script, organisation and an empty signature box. Project team, coordinators "
            "and the trainers of the course."
        ),
        parameters=[
            OpenApiParameter(
                "date",
                OpenApiTypes.DATE,
                description="The course day (YYYY-MM-DD); default the first day. A date "
                "outside the course answers 400.",
            )
        ],
        responses={
            (200, exports.PDF_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="The PDF, as an attachment."
            ),
            (202, "application/json"): PREPARED_RESPONSE,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="sign-in-sheet",
        url_name="sign-in-sheet",
        permission_classes=[SignInSheetAccess],
        **ACTION_OPTIONS,
    )
    def sign_in_sheet(self, request, pk=None):
        return self._export(request, exports.SIGN_IN_SHEET)


@extend_schema(tags=["enrolments"])
class EnrolmentDeliveryViewSet(EnrolmentActionsViewSet):
    """``POST /api/v1/enrolments/{id}/override/``: a coordinator decides against the rule."""

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
        return visibility.visible_attendance(self.request.user)

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
        return visibility.visible_teachbacks(self.request.user).select_related("recorded_by")

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
        teachback = services.teachback_create(enrolment=enrolment, by=request.user, **fields)
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
class CourseExportViewSet(ReadOnlyViewSet):
    """Course files built by a worker because they were too large to build at once: each
    person sees only the files they asked for, while they may still take them."""

    serializer_class = CourseExportSerializer
    permission_classes = [PreparedFileAccess]
    filterset_class = None
    ordering = ["-created_at"]

    def get_queryset(self):
        return CourseExport.objects.filter(requested_by=self.request.user.pk).select_related(
            "course"
        )

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            )
        }
    )
    @action(detail=True, methods=["get"], **ACTION_OPTIONS)
    def download(self, request, pk=None):
        """The file, once built; 409 before, 404 once it expired."""
        job = self.get_object()
        if job.status != ExportStatus.DONE or not job.file:
            raise Conflict("The file is not ready yet: poll its status.")
        with job.file.open("rb") as handle:
            content = handle.read()
        return file_response(exports.ExportFile(content, job.filename, job.content_type))
