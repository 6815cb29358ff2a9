"""The registration side of a course in the API: the completion rule per trainee, closing the
course, bulk status changes and the attendance grid.

Mixed into ``trainings.api.CourseViewSet`` so the paths hang under ``/api/v1/courses/{id}/``.
Each action names its own permission: the course resource itself is coordinator-written, while
attendance and statuses are the project team's daily work.
"""

from collections import defaultdict

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from trainings.models import Course

from . import completion, services
from .models import Attendance, Enrolment
from .permissions import EnrolmentAccess
from .serializers import (
    BulkStatusSerializer,
    CloseResultSerializer,
    CompletionRowSerializer,
    EnrolmentSerializer,
    GridSaveSerializer,
    GridSerializer,
    knowledge_gain,
)


def completion_rows(course: Course) -> list[dict]:
    rows = []
    for enrolment, verdict in completion.evaluate_course(course):
        teachback = getattr(enrolment, "teachback", None)
        rows.append(
            {
                "enrolment": enrolment.pk,
                "participant": enrolment.participant_id,
                "name": enrolment.participant.full_name,
                "native_name": enrolment.participant.native_name,
                "status": enrolment.status,
                "status_label": enrolment.get_status_display(),
                "status_reason": enrolment.status_reason,
                "status_overridden": enrolment.status_overridden,
                "days_present": verdict.days_present,
                "days_required": verdict.days_required,
                "days_total": verdict.days_total,
                "pre_test_score": enrolment.pre_test_score,
                "post_test_score": enrolment.post_test_score,
                "knowledge_gain": knowledge_gain(enrolment),
                "teachback": teachback,
                "qualifies": verdict.qualifies,
                "reasons": verdict.reasons,
            }
        )
    return rows


def attendance_grid(course: Course) -> dict:
    """Days, and one row per trainee in the course with each day's mark: two queries."""
    enrolments = list(
        Enrolment.objects.filter(course=course, status__in=completion.IN_COURSE_STATUSES)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    marks: dict[int, dict] = defaultdict(dict)
    for enrolment_id, date, present in Attendance.objects.filter(
        enrolment__in=[e.pk for e in enrolments]
    ).values_list("enrolment_id", "date", "present"):
        marks[enrolment_id][date] = present
    days = completion.course_days(course)
    return {
        "days": days,
        "rows": [
            {
                "enrolment": e.pk,
                "participant": e.participant_id,
                "name": e.participant.full_name,
                "native_name": e.participant.native_name,
                "status": e.status,
                "marks": {day.isoformat(): marks[e.pk].get(day) for day in days},
                "days_present": sum(1 for day in days if marks[e.pk].get(day)),
            }
            for e in enrolments
        ],
    }


class CourseRegistrationMixin:
    """``/api/v1/courses/{id}/completion/``, ``close/``, ``enrolments/status/`` and
    ``attendance-grid/``."""

    @extend_schema(
        tags=["enrolments"],
        summary="The completion rule, evaluated for every trainee",
        description=(
            "One row per trainee in the course (not the waiting list or withdrawals): days "
            "present against days required, test scores with the knowledge gain, the teach-back "
            "where the course requires one, whether they qualify and, if not, why in words "
            "(`reasons`). Nothing changes: closing the course applies it."
        ),
        responses={200: CompletionRowSerializer(many=True)},
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[EnrolmentAccess],
        pagination_class=None,
        filterset_class=None,
    )
    def completion(self, request, pk=None):
        rows = completion_rows(self.get_object())
        return Response(CompletionRowSerializer(rows, many=True).data)

    @extend_schema(
        tags=["enrolments"],
        summary="Close the course: mark every trainee completed or failed by the rule",
        description=(
            "Coordinators only, from the course's last day. Failed trainees get the rule's "
            "reason in words; a coordinator's override is kept (`kept`). Closing again "
            "re-evaluates, but never fails a trainee holding a valid certificate (`blocked`)."
        ),
        request=None,
        responses={200: CloseResultSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=[EnrolmentAccess])
    def close(self, request, pk=None):
        result = services.course_close(course=self.get_object(), by=request.user)
        body = {
            "completed": [e.pk for e in result.completed],
            "failed": [e.pk for e in result.failed],
            "kept": [e.pk for e in result.kept],
            "blocked": [{"enrolment": e.pk, "reason": r} for e, r in result.blocked],
        }
        return Response(CloseResultSerializer(body).data)

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
        permission_classes=[EnrolmentAccess],
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
        permission_classes=[EnrolmentAccess],
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
        return Response(GridSerializer(attendance_grid(course)).data)
