"""Read queries for pages that list trainees. Nothing here writes."""

from django.db.models import Count, Q, QuerySet

from participants.models import Enrolment, Participant
from trainings.models import Course


def course_enrolments(course: Course) -> QuerySet[Enrolment]:
    """The trainees of a course, each with ``days_present``, in one query."""
    return (
        Enrolment.objects.filter(course=course)
        .select_related("participant__organisation__parent")
        .annotate(days_present=Count("attendance", filter=Q(attendance__present=True)))
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def recent_participants(limit: int = 10) -> QuerySet[Participant]:
    """The trainees registered last, newest first."""
    return Participant.objects.select_related("organisation__parent").order_by(
        "-created_at", "-pk"
    )[:limit]
