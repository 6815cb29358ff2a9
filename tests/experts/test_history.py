"""An expert's teaching history: ``GET /api/v1/experts/{id}/history/`` and the selector."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experts.selectors import expert_history
from tests.api_fixtures import fast_passwords, fresh_throttles  # noqa: F401  (fixtures)
from tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ThematicModuleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def career():
    """Katrin taught the whole Erbil ToT (2016) and two of its sessions, and one session of the
    Baghdad cascade (2017)."""
    border = ThematicModuleFactory(code="border-management", title_en="Border management")
    legal = ThematicModuleFactory(code="legal-migration", title_en="Legal migration")
    expert = ExpertFactory(first_name="Katrin", last_name="Hoffmann")
    expert.modules.add(border)
    erbil = CourseFactory(
        code="ERB", title="ToT Erbil", city="Erbil", country="IQ",
        start_date=dt.date(2016, 5, 15), end_date=dt.date(2016, 5, 24),
    )  # fmt: skip
    erbil.modules.add(border, legal)
    baghdad = CourseFactory(
        code="BGW", title="Cascade Baghdad", city="Baghdad", country="IQ",
        start_date=dt.date(2017, 2, 5), end_date=dt.date(2017, 2, 9),
    )  # fmt: skip
    ExpertAssignmentFactory(expert=expert, course=erbil, role="lead")
    late = CourseSessionFactory(course=erbil, module=border, date=dt.date(2016, 5, 18))
    early = CourseSessionFactory(course=erbil, module=border, date=dt.date(2016, 5, 16))
    for session in (late, early):
        ExpertAssignmentFactory(expert=expert, course=erbil, session=session, role="co_trainer")
    cascade = CourseSessionFactory(course=baghdad, module=legal, date=dt.date(2017, 2, 6))
    ExpertAssignmentFactory(expert=expert, course=baghdad, session=cascade, role="speaker")
    ExpertAssignmentFactory(course=CourseFactory(title="Someone else's course"))
    return expert


def test_history_lists_courses_newest_first_with_roles_sessions_and_modules(api_as, bob, career):
    response = api_as(bob).get(f"/api/v1/experts/{career.pk}/history/")

    assert response.status_code == 200, response.content
    baghdad, erbil = response.json()
    assert baghdad["course"]["title"] == "Cascade Baghdad"
    assert baghdad["course"]["city"] == "Baghdad"
    assert baghdad["course"]["country"] == "IQ"
    assert baghdad["role"] is None  # single sessions only
    assert [(s["date"], s["role"]) for s in baghdad["sessions"]] == [("2017-02-06", "speaker")]
    assert [m["code"] for m in baghdad["modules"]] == ["legal-migration"]

    assert erbil["course"]["start_date"] == "2016-05-15"
    assert erbil["course"]["end_date"] == "2016-05-24"
    assert erbil["role"] == "lead"
    assert [s["date"] for s in erbil["sessions"]] == ["2016-05-16", "2016-05-18"]
    assert erbil["sessions"][0]["module"]["title"] == "Border management"
    assert [m["code"] for m in erbil["modules"]] == ["border-management"]


def test_a_whole_course_only_assignment_counts_every_module_of_the_course(api_as, alice):
    expert = ExpertFactory()
    course = CourseFactory()
    course.modules.add(*ThematicModuleFactory.create_batch(2))
    ExpertAssignmentFactory(expert=expert, course=course, role="lead")

    [entry] = api_as(alice).get(f"/api/v1/experts/{expert.pk}/history/").json()

    assert entry["sessions"] == []
    assert len(entry["modules"]) == 2


def test_an_expert_who_never_taught_has_an_empty_history(api_as, carol):
    expert = ExpertFactory()
    assert api_as(carol).get(f"/api/v1/experts/{expert.pk}/history/").json() == []


def test_an_unknown_expert_is_a_404(api_as, carol):
    assert api_as(carol).get("/api/v1/experts/999999/history/").status_code == 404


def test_history_takes_two_queries_however_long(career):
    with CaptureQueriesContext(connection) as queries:
        entries = expert_history(career)
        for entry in entries:
            [a.session.module for a in entry.sessions]
    assert len(queries) == 2
