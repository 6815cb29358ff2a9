"""The ``warnings`` of expert assignments in the API: on create, update, detail and list, and
computed for a whole page at once."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experts.models import ExpertAssignment
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
def booked():
    """An expert of border management teaching a morning session in Erbil, and a session in
    Baghdad at the same time."""
    module = ThematicModuleFactory(title_en="Border management")
    expert = ExpertFactory()
    expert.modules.add(module)
    erbil, baghdad = CourseFactory(title="ToT Erbil"), CourseFactory(title="Cascade Baghdad")
    morning = CourseSessionFactory(course=erbil, module=module)
    clash = CourseSessionFactory(course=baghdad, module=module, start_time=dt.time(10))
    existing = ExpertAssignmentFactory(expert=expert, course=erbil, session=morning)
    return expert, baghdad, clash, existing


def test_creating_a_double_booking_succeeds_and_answers_with_the_warning(api_as, carol, booked):
    expert, baghdad, clash, existing = booked

    response = api_as(carol).post(
        "/api/v1/expert-assignments/",
        {"expert": expert.pk, "course": baghdad.pk, "session": clash.pk, "role": "lead"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    [warning] = response.json()["warnings"]
    assert warning["code"] == "double_booked"
    assert warning["other_assignment"] == existing.pk
    assert "ToT Erbil" in warning["message"]
    assert ExpertAssignment.objects.filter(session=clash).exists()


def test_detail_and_update_carry_the_warnings(api_as, carol, booked):
    expert, baghdad, clash, existing = booked
    other = ExpertAssignmentFactory(expert=expert, course=baghdad, session=clash)
    client = api_as(carol)

    detail = client.get(f"/api/v1/expert-assignments/{existing.pk}/").json()
    assert [(w["code"], w["other_assignment"]) for w in detail["warnings"]] == [
        ("double_booked", other.pk)
    ]

    outside = CourseSessionFactory(
        course=baghdad, module=ThematicModuleFactory(), date=dt.date(2016, 5, 20)
    )
    updated = client.patch(
        f"/api/v1/expert-assignments/{other.pk}/", {"session": outside.pk}, format="json"
    )
    assert updated.status_code == 200, updated.json()
    assert [w["code"] for w in updated.json()["warnings"]] == ["outside_expertise"]


def test_an_assignment_without_conflicts_has_an_empty_list(api_as, bob):
    module = ThematicModuleFactory()
    expert = ExpertFactory()
    expert.modules.add(module)
    course = CourseFactory()
    course.modules.add(module)
    assignment = ExpertAssignmentFactory(expert=expert, course=course)

    body = api_as(bob).get(f"/api/v1/expert-assignments/{assignment.pk}/").json()

    assert body["warnings"] == []


def _clashing_rows(experts):
    """Three clashing session assignments per expert, in three courses (all with warnings)."""
    for _ in range(experts):
        expert = ExpertFactory()
        for course in CourseFactory.create_batch(3):
            session = CourseSessionFactory(course=course)
            ExpertAssignmentFactory(expert=expert, course=course, session=session)


def _count(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/expert-assignments/?page_size=200")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert all(row["warnings"] for row in rows)
    return len(queries), len(rows)


def test_the_list_computes_warnings_without_a_query_per_row(api_as, root):
    client = api_as(root)
    _clashing_rows(1)
    few, rows_few = _count(client)
    _clashing_rows(9)
    many, rows_many = _count(client)

    assert (rows_few, rows_many) == (3, 30)
    assert few == many
