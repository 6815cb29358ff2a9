"""Warnings about expert assignments: double bookings and teaching outside one's expertise.

Warnings never refuse a write (a coordinator may know better: a guest speaker drops in for an
hour, an expert covers for a sick colleague); they are shown next to the assignment in the API,
the admin and the expert page.

**When two assignments of one expert overlap** (docs/decisions.md, "Expert conflicts"):

- a session occupies its date from ``start_time`` to ``end_time``; a missing start means the
  start of the day, a missing end the end of the day, so a session without times is the whole day;
- an assignment to a whole course occupies every day from the course's start to its end date,
  all day;
- two assignments overlap when their times intersect (touching ends, 09:00-12:00 and
  12:00-13:00, do not), **except** a whole-course assignment and a session of the same course:
  that session is part of the course the expert already teaches, not a second place to be.

**Outside expertise**: a session whose module is not among the expert's modules of expertise;
a whole-course assignment when the course has modules and none of them is the expert's (a lead
trainer of a course is not expected to be an expert in every module of it).

The rules are pure functions over loaded rows (``overlap``, ``warnings_among``); the loaders
(``warnings_for``, ``assignment_warnings``, ``expert_warnings``) fetch what they need in three
queries whatever the number of assignments. Nothing here writes.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from trainings.models import Course

from .models import Expert, ExpertAssignment

DOUBLE_BOOKED = "double_booked"
OUTSIDE_EXPERTISE = "outside_expertise"

_DAY_START = dt.time.min
_DAY_END = dt.time.max


@dataclass(frozen=True)
class AssignmentWarning:
    code: str
    message: str
    other_assignment: int | None = None

    def as_dict(self) -> dict:
        data: dict = {"code": self.code, "message": self.message}
        if self.other_assignment is not None:
            data["other_assignment"] = self.other_assignment
        return data


@dataclass(frozen=True)
class Span:
    """The time an assignment occupies: from ``first`` to ``last`` day, each day from ``start``
    to ``end``."""

    first: dt.date
    last: dt.date
    start: dt.time = _DAY_START
    end: dt.time = _DAY_END


def span_of(assignment: ExpertAssignment) -> Span:
    session = assignment.session
    if session is not None:
        return Span(
            session.date,
            session.date,
            session.start_time or _DAY_START,
            session.end_time or _DAY_END,
        )
    return Span(assignment.course.start_date, assignment.course.end_date)


def overlap(a: ExpertAssignment, b: ExpertAssignment) -> bool:
    """Whether one expert cannot hold both assignments (the rules in the module docstring)."""
    if a.course_id == b.course_id and (a.session_id is None or b.session_id is None):
        return False
    first, second = span_of(a), span_of(b)
    if first.last < second.first or second.last < first.first:
        return False
    if first.first != first.last or second.first != second.last:
        return True  # a whole-course span covers whole days
    return first.start < second.end and second.start < first.end


@dataclass
class ExpertFacts:
    """What the rules need about one expert: their assignments and modules of expertise."""

    assignments: list[ExpertAssignment] = field(default_factory=list)
    expertise: set[int] = field(default_factory=set)


def warnings_among(
    assignment: ExpertAssignment,
    facts: ExpertFacts,
    course_modules: Mapping[int, set[int]],
) -> list[AssignmentWarning]:
    """The warnings of ``assignment`` given its expert's facts and the module ids of courses
    (needed for whole-course assignments). Pure: no query."""
    warnings = [
        AssignmentWarning(DOUBLE_BOOKED, _double_booked_message(other), other.pk)
        for other in facts.assignments
        if other.pk != assignment.pk and overlap(assignment, other)
    ]
    session = assignment.session
    if session is not None:
        if session.module_id and session.module_id not in facts.expertise:
            assert session.module is not None  # module_id is set
            message = _(
                "The module of this session, “%(module)s”, is not among the expert's "
                "modules of expertise."
            ) % {"module": session.module.title}
            warnings.append(AssignmentWarning(OUTSIDE_EXPERTISE, message))
    else:
        modules = course_modules.get(assignment.course_id, set())
        if modules and not modules & facts.expertise:
            message = _(
                "None of the modules of this course is among the expert's modules of expertise."
            )
            warnings.append(AssignmentWarning(OUTSIDE_EXPERTISE, message))
    return warnings


def _double_booked_message(other: ExpertAssignment) -> str:
    if other.session is not None:
        session = other.session
        when = date_format(session.date, "DATE_FORMAT")
        if session.start_time:
            when += " " + time_format(session.start_time, "H:i")
        what = session.display_title or _("a session")
        return _("Also assigned at an overlapping time to “%(what)s” in %(course)s (%(when)s).") % {
            "what": what,
            "course": other.course.title,
            "when": when,
        }
    return _(
        "Also assigned to the whole course %(course)s (%(first)s – %(last)s), at the same time."
    ) % {
        "course": other.course.title,
        "first": date_format(other.course.start_date, "DATE_FORMAT"),
        "last": date_format(other.course.end_date, "DATE_FORMAT"),
    }


# --- Loaders ----------------------------------------------------------------------------------


def _load_facts(expert_ids: set[int]) -> dict[int, ExpertFacts]:
    """Every assignment and the expertise of these experts: two queries."""
    facts: dict[int, ExpertFacts] = defaultdict(ExpertFacts)
    rows = ExpertAssignment.objects.filter(expert_id__in=expert_ids).select_related(
        "course", "session__module"
    )
    for row in rows:
        facts[row.expert_id].assignments.append(row)
    links = Expert.modules.through.objects.filter(expert_id__in=expert_ids)
    for expert_id, module_id in links.values_list("expert_id", "thematicmodule_id"):
        facts[expert_id].expertise.add(module_id)
    return facts


def _load_course_modules(course_ids: set[int]) -> dict[int, set[int]]:
    modules: dict[int, set[int]] = defaultdict(set)
    if course_ids:
        links = Course.modules.through.objects.filter(course_id__in=course_ids)
        for course_id, module_id in links.values_list("course_id", "thematicmodule_id"):
            modules[course_id].add(module_id)
    return modules


def warnings_for(
    assignments: Iterable[ExpertAssignment],
) -> dict[int, list[AssignmentWarning]]:
    """Warnings of saved assignments, by assignment id, in at most three queries.

    The assignments are compared with the rows fetched here, so the answer reflects the database
    even if the objects passed in were loaded without their relations.
    """
    wanted = {a.pk: a.expert_id for a in assignments if a.pk}
    if not wanted:
        return {}
    facts = _load_facts(set(wanted.values()))
    loaded = {a.pk: a for f in facts.values() for a in f.assignments if a.pk in wanted}
    whole_courses = {a.course_id for a in loaded.values() if a.session_id is None}
    course_modules = _load_course_modules(whole_courses)
    return {
        pk: warnings_among(assignment, facts[assignment.expert_id], course_modules)
        for pk, assignment in loaded.items()
    }


def assignment_warnings(assignment: ExpertAssignment) -> list[AssignmentWarning]:
    return warnings_for([assignment]).get(assignment.pk, [])


def expert_warnings(expert: Expert) -> list[tuple[ExpertAssignment, list[AssignmentWarning]]]:
    """Every assignment of ``expert`` that has warnings, with them, in date order."""
    facts = _load_facts({expert.pk})[expert.pk]
    whole_courses = {a.course_id for a in facts.assignments if a.session_id is None}
    course_modules = _load_course_modules(whole_courses)
    found = [(a, warnings_among(a, facts, course_modules)) for a in facts.assignments]
    found = [(a, warnings) for a, warnings in found if warnings]
    return sorted(found, key=lambda pair: (span_of(pair[0]).first, span_of(pair[0]).start))
