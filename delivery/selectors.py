"""Reads of running a course: the completion rule per trainee and the attendance grid, shared
by the API and the course's tabs. Nothing here writes."""

from collections import defaultdict

from participants.models import Attendance, Enrolment
from participants.serializers import knowledge_gain
from trainings.models import Course

from . import completion


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
        Enrolment.objects.filter(course=course)
        .seated()
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
