"""Read queries for pages that list trainees and count them per course. Nothing here writes."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from core.actor import Actor
from core.errors import DomainError
from participants import visibility
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


def participants_matching(
    queryset: QuerySet[Participant], text: str, *, by_email: bool
) -> QuerySet[Participant]:
    """``queryset`` narrowed to the trainees matching every word of ``text`` (at most eight):
    in a name (Latin or native script), the organisation's name (in any of its languages) or
    acronym and, when
    ``by_email``, the e-mail (only for those shown it: for a trainer, a match would tell whose
    address it is)."""
    for word in text.split()[:8]:
        words = (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(native_name__icontains=word)
            | Q(organisation__name__icontains=word)
            | Q(organisation__native_name__icontains=word)
            | Q(organisation__name_ar__icontains=word)
            | Q(organisation__name_ru__icontains=word)
            | Q(organisation__acronym__iexact=word)
        )
        if by_email:
            words |= Q(email__icontains=word)
        queryset = queryset.filter(words)
    return queryset


# Search-as-you-type shows this many matches; more words narrow the search.
CANDIDATES_SHOWN = 20
# At most this many trainees are ticked and added in one submission (the API takes 2,000 ids).
ENROL_AT_ONCE = 200


@dataclass
class EnrolmentCandidates:
    """What the course's "Add trainees" search shows: the trainees already ticked (kept across
    searches), the first matches of the words typed, and how many match in all. Each trainee
    carries ``enrolled_status``: their status in the course, or ``None``."""

    selected: Sequence[Participant]
    matches: Sequence[Participant]
    total: int
    text: str


def enrolment_candidates(
    *, user: Actor, course: Course, text: str, selected_ids: list[int]
) -> EnrolmentCandidates:
    """The registry ``user`` may see, searched for ``text``, for enrolling in ``course``: three
    queries at most, whatever the number of matches."""
    status_here = Enrolment.objects.filter(course=course, participant=OuterRef("pk")).values(
        "status"
    )[:1]
    visible = (
        visibility.visible_participants(user)
        .select_related("organisation__parent")
        .annotate(enrolled_status=Subquery(status_here))
        .order_by("last_name", "first_name", "pk")
    )
    wanted = list(dict.fromkeys(selected_ids))[:ENROL_AT_ONCE]
    selected = []
    if wanted:
        found = {p.pk: p for p in visible.filter(pk__in=wanted)}
        selected = [found[pk] for pk in wanted if pk in found]
    text = " ".join(text.split())[:100]
    if not text:
        return EnrolmentCandidates(selected=selected, matches=[], total=0, text="")
    by_email = "email" not in visibility.hidden_fields(user)
    matching = participants_matching(visible, text, by_email=by_email)
    total = matching.count()
    ticked = set(wanted)
    matches = [p for p in matching[:CANDIDATES_SHOWN] if p.pk not in ticked]
    return EnrolmentCandidates(selected=selected, matches=matches, total=total, text=text)
