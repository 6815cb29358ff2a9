"""Conflict warnings: double bookings and teaching outside one's expertise (experts.conflicts).

The rules are documented in the module and in docs/decisions.md; each case below is one rule.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experts import conflicts
from tests.api_fixtures import fast_passwords, fresh_throttles  # noqa: F401  (fixtures)
from tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ThematicModuleFactory,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2016, 5, 15)


@pytest.fixture
def module():
    return ThematicModuleFactory(title_en="Border management")


@pytest.fixture
def expert(module):
    expert = ExpertFactory(first_name="Katrin", last_name="Hoffmann")
    expert.modules.add(module)
    return expert


def session(course, start=None, end=None, *, day=DAY, module=None, **kwargs):
    return CourseSessionFactory(
        course=course, date=day, start_time=start, end_time=end, module=module, **kwargs
    )


def assign(expert, course, session=None):
    return ExpertAssignmentFactory(expert=expert, course=course, session=session)


def codes(assignment) -> list[str]:
    return [warning.code for warning in conflicts.assignment_warnings(assignment)]


def t(hour, minute=0):
    return dt.time(hour, minute)


# --- Double bookings ---------------------------------------------------------------------------


def test_sessions_of_two_courses_at_overlapping_times_are_double_booked(expert, module):
    erbil, baghdad = CourseFactory(title="ToT Erbil"), CourseFactory(title="Cascade Baghdad")
    morning = assign(expert, erbil, session(erbil, t(9), t(12, 30), module=module))
    late_morning = assign(
        expert, baghdad, session(baghdad, t(11), t(13), module=module, title="Risk analysis")
    )

    warnings = conflicts.assignment_warnings(morning)

    assert [(w.code, w.other_assignment) for w in warnings] == [("double_booked", late_morning.pk)]
    assert "Risk analysis" in warnings[0].message
    assert "Cascade Baghdad" in warnings[0].message
    assert codes(late_morning) == ["double_booked"]


def test_two_parallel_sessions_of_the_same_course_are_double_booked(expert, module):
    course = CourseFactory()
    first = assign(expert, course, session(course, t(9), t(11), module=module))
    assign(expert, course, session(course, t(10), t(12), module=module))

    assert codes(first) == ["double_booked"]


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        ((t(12, 30), t(14)), []),  # touching ends do not overlap
        ((t(14), t(16)), []),  # afternoon after a morning
        ((t(12), t(12, 45)), ["double_booked"]),
        ((None, None), ["double_booked"]),  # no times: the whole day
        ((t(8), None), ["double_booked"]),  # no end: until the end of the day
        ((None, t(9, 30)), ["double_booked"]),  # no start: from the start of the day
    ],
)
def test_overlap_of_session_times(expert, module, other, expected):
    erbil, baghdad = CourseFactory(), CourseFactory()
    morning = assign(expert, erbil, session(erbil, t(9), t(12, 30), module=module))
    assign(expert, baghdad, session(baghdad, *other, module=module))

    assert codes(morning) == expected


def test_sessions_on_different_days_never_overlap(expert, module):
    erbil, baghdad = CourseFactory(), CourseFactory()
    first = assign(expert, erbil, session(erbil, module=module))
    assign(expert, baghdad, session(baghdad, module=module, day=DAY + dt.timedelta(days=1)))

    assert codes(first) == []


def test_a_whole_course_and_its_own_sessions_do_not_conflict(expert, module):
    course = CourseFactory()
    course.modules.add(module)
    whole = assign(expert, course)
    one = assign(expert, course, session(course, t(9), t(12), module=module))

    assert codes(whole) == []
    assert codes(one) == []


def test_a_whole_course_overlaps_another_course_on_its_dates(expert, module):
    erbil = CourseFactory(start_date=DAY, end_date=DAY + dt.timedelta(days=9))
    erbil.modules.add(module)
    whole = assign(expert, erbil)
    baghdad = CourseFactory(
        title="Cascade Baghdad",
        start_date=DAY + dt.timedelta(days=3),
        end_date=DAY + dt.timedelta(days=12),
    )
    inside = assign(
        expert, baghdad, session(baghdad, t(9), t(10), module=module, day=DAY + dt.timedelta(3))
    )
    after = assign(
        expert, baghdad, session(baghdad, t(9), t(10), module=module, day=DAY + dt.timedelta(10))
    )

    assert [w.other_assignment for w in conflicts.assignment_warnings(whole)] == [inside.pk]
    assert codes(inside) == ["double_booked"]
    assert "whole course" in conflicts.assignment_warnings(inside)[0].message
    assert codes(after) == []


def test_two_whole_courses_overlap_when_their_dates_intersect(expert, module):
    first = CourseFactory(start_date=DAY, end_date=DAY + dt.timedelta(days=4))
    overlapping = CourseFactory(
        start_date=DAY + dt.timedelta(days=4), end_date=DAY + dt.timedelta(days=8)
    )
    later = CourseFactory(
        start_date=DAY + dt.timedelta(days=5), end_date=DAY + dt.timedelta(days=8)
    )
    for course in (first, overlapping, later):
        course.modules.add(module)
    a, b, c = (assign(expert, course) for course in (first, overlapping, later))

    assert [w.other_assignment for w in conflicts.assignment_warnings(a)] == [b.pk]
    assert sorted(w.other_assignment for w in conflicts.assignment_warnings(b)) == [a.pk, c.pk]


def test_other_experts_at_the_same_time_are_no_conflict(expert, module):
    course = CourseFactory()
    slot = session(course, t(9), t(12), module=module)
    mine = assign(expert, course, slot)
    colleague = ExpertFactory()
    colleague.modules.add(module)
    assign(colleague, CourseFactory(), session(CourseFactory(), t(9), t(12), module=module))

    assert codes(mine) == []


# --- Outside expertise -------------------------------------------------------------------------


def test_a_session_of_a_module_outside_the_expertise_is_warned(expert):
    course = CourseFactory()
    trafficking = ThematicModuleFactory(title_en="Trafficking in human beings")
    assignment = assign(expert, course, session(course, module=trafficking))

    warnings = conflicts.assignment_warnings(assignment)

    assert [w.code for w in warnings] == ["outside_expertise"]
    assert "Trafficking in human beings" in warnings[0].message
    assert "other_assignment" not in warnings[0].as_dict()


def test_a_session_without_a_module_is_within_any_expertise(expert):
    course = CourseFactory()
    assert codes(assign(expert, course, session(course, title="Opening"))) == []


def test_a_whole_course_is_outside_the_expertise_only_when_no_module_matches(expert, module):
    unrelated = CourseFactory()
    unrelated.modules.add(ThematicModuleFactory(), ThematicModuleFactory())
    mixed = CourseFactory(start_date=DAY + dt.timedelta(days=30), end_date=DAY + dt.timedelta(31))
    mixed.modules.add(ThematicModuleFactory(), module)
    no_modules = CourseFactory(
        start_date=DAY + dt.timedelta(days=60), end_date=DAY + dt.timedelta(days=61)
    )

    assert codes(assign(expert, unrelated)) == ["outside_expertise"]
    assert codes(assign(expert, mixed)) == []
    assert codes(assign(expert, no_modules)) == []


def test_an_expert_without_recorded_expertise_is_warned_for_every_module():
    course = CourseFactory()
    assignment = assign(ExpertFactory(), course, session(course, module=ThematicModuleFactory()))

    assert codes(assignment) == ["outside_expertise"]


def test_both_warnings_at_once(expert, module):
    erbil, baghdad = CourseFactory(), CourseFactory()
    other_module = ThematicModuleFactory()
    first = assign(expert, erbil, session(erbil, t(9), t(12), module=other_module))
    assign(expert, baghdad, session(baghdad, t(10), t(11), module=module))

    assert codes(first) == ["double_booked", "outside_expertise"]


# --- Loaders -----------------------------------------------------------------------------------


def test_expert_warnings_lists_only_assignments_with_warnings_in_date_order(expert, module):
    erbil, baghdad = CourseFactory(), CourseFactory()
    early = assign(expert, erbil, session(erbil, t(9), t(12), module=module))
    assign(expert, baghdad, session(baghdad, t(13), t(15), module=module))  # fine
    outside = assign(
        expert,
        baghdad,
        session(baghdad, module=ThematicModuleFactory(), day=DAY + dt.timedelta(days=2)),
    )
    clash = assign(expert, baghdad, session(baghdad, t(11), t(12), module=module))

    found = conflicts.expert_warnings(expert)

    assert [assignment.pk for assignment, _ in found] == [early.pk, clash.pk, outside.pk]


def test_warnings_for_many_assignments_take_a_fixed_number_of_queries(module):
    def build(n):
        rows = []
        for _ in range(n):
            expert = ExpertFactory()
            expert.modules.add(module)
            erbil, baghdad = CourseFactory(), CourseFactory()
            erbil.modules.add(module)
            rows.append(assign(expert, erbil))
            rows.append(assign(expert, baghdad, session(baghdad, module=ThematicModuleFactory())))
        return rows

    few = build(2)
    with CaptureQueriesContext(connection) as small:
        found = conflicts.warnings_for(few)
    many = few + build(20)
    with CaptureQueriesContext(connection) as large:
        found = conflicts.warnings_for(many)

    assert len(small) == len(large) == 3
    assert all(codes_ for codes_ in found.values())
