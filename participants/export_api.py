"""Course file downloads in the API, mixed into ``trainings.api.CourseViewSet``:

* ``GET /api/v1/courses/{id}/roster/?as=xlsx|csv`` — project team and coordinators;
* ``GET /api/v1/courses/{id}/attendance-sheet/?as=xlsx|csv`` — also the course's trainers;
* ``GET /api/v1/courses/{id}/sign-in-sheet/?date=YYYY-MM-DD`` (PDF) — also the course's trainers.

Thin: the rules and the files live in ``participants.exports``.
"""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission

from accounts.roles import COORDINATOR, PROJECT_TEAM, TRAINER, has_role
from core.api import DOWNLOAD_VIEW_OPTIONS

from . import exports


class CourseExportAccess(BasePermission):
    """The roles that may ask at all (anonymous: 401, no such role: 403), then
    ``exports.may_export`` for the course itself (a trainer who does not teach it: 403)."""

    export = exports.ROSTER
    message = "Only the project team, coordinators and the course's trainers may take this file."

    def has_permission(self, request, view) -> bool:
        roles = (PROJECT_TEAM, COORDINATOR)
        if self.export in exports.TRAINER_EXPORTS:
            roles += (TRAINER,)
        return has_role(request.user, *roles)

    def has_object_permission(self, request, view, obj) -> bool:
        return exports.may_export(request.user, obj, self.export)


class RosterAccess(CourseExportAccess):
    export = exports.ROSTER
    message = "The roster holds contact data: only the project team and coordinators take it."


class AttendanceSheetAccess(CourseExportAccess):
    export = exports.ATTENDANCE_SHEET


class SignInSheetAccess(CourseExportAccess):
    export = exports.SIGN_IN_SHEET


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
SPREADSHEET_RESPONSES = {
    (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
    for content_type in (exports.XLSX_CONTENT_TYPE, "text/csv")
}
# The file actions need neither the course list's filters nor its pagination.
ACTION_OPTIONS = {**DOWNLOAD_VIEW_OPTIONS, "filter_backends": [], "pagination_class": None}


class CourseExportsMixin:
    """The course resource's file downloads. Every text cell is neutralised against formula
    injection; unknown formats and dates outside the course answer 400."""

    def _export(self, request, export: str):
        course = self.get_object()  # checks the object permission: a trainer's own course
        if export == exports.SIGN_IN_SHEET:
            day = exports.sign_in_day(course, request.query_params.get("date"))
            return file_response(exports.build(course, export, day=day))
        fmt = exports.export_format(request.query_params.get("as"))
        return file_response(exports.build(course, export, fmt=fmt))

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
            )
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
