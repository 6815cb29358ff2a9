"""Read queries for pages that list trainees and count them per course. Nothing here writes."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError
from participants.models import Enrolment, EnrolmentStatus, Participant
from trainings.models import Course, CourseStatus

# Withdrawn trainees stay on record but no longer count towards a course's numbers
# (``Enrolment.objects.active()``, here as a condition across the relation).
ACTIVE_ENROLMENT = ~Q(enrolments__status=EnrolmentStatus.WITHDRAWN)


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


def with_trainee_count(courses: QuerySet[Course]) -> QuerySet[Course]:
    """``courses`` annotated with ``trainee_count``: their trainees who have not withdrawn."""
    return courses.annotate(trainee_count=Count("enrolments", filter=ACTIVE_ENROLMENT))


def courses_in_preparation() -> QuerySet[Course]:
    """Open and running courses with their nominated and confirmed trainee counts."""
    return (
        Course.objects.filter(status__in=[CourseStatus.OPEN, CourseStatus.RUNNING])
        .select_related("programme")
        .annotate(
            nominated=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.NOMINATED)),
            confirmed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.CONFIRMED)),
        )
        .order_by("start_date", "title")
    )


def participants_by_ids(ids: list[int]) -> list[Participant]:
    """The trainees with these ids, in the order asked (repeats dropped); an unknown id is
    refused by naming it, on the ``participants`` field."""
    wanted = list(dict.fromkeys(ids))
    found = Participant.objects.in_bulk(wanted)
    unknown = [pk for pk in wanted if pk not in found]
    if unknown:
        raise DomainError(
            _("Unknown participant ids: %s.") % ", ".join(map(str, unknown)), field="participants"
        )
    return [found[pk] for pk in wanted]
