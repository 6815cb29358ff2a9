"""Who reads a visiting expert's e-mail address: the project team and coordinators read every
one; a trainer reads their own and those of the experts they teach a course with; nobody else.
Applied once (``experts.visibility``), in the API's list, detail and search and on the page.

bob is the visiting expert Becker of course A, which Novák teaches with him; Rossi teaches only
course B.
"""

import pytest
from django.urls import reverse

from tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(bob):
    course_a, course_b = CourseFactory(code="A"), CourseFactory(code="B")
    becker = ExpertFactory(last_name="Becker", email="becker@bamf.example", user=bob)
    novak = ExpertFactory(last_name="Novák", email="novak@minv.example")
    rossi = ExpertFactory(last_name="Rossi", email="rossi@interno.example")
    ExpertAssignmentFactory(expert=becker, course=course_a)
    session = CourseSessionFactory(course=course_a)
    ExpertAssignmentFactory(expert=novak, course=course_a, session=session)  # one session only
    ExpertAssignmentFactory(expert=rossi, course=course_b)
    return {"becker": becker, "novak": novak, "rossi": rossi}


def emails_listed(client) -> dict[str, str | None]:
    rows = client.get("/api/v1/experts/?page_size=200").json()["results"]
    return {row["last_name"]: row.get("email") for row in rows}


@pytest.mark.parametrize("role", ["alice", "carol"])
def test_the_team_and_coordinators_read_every_experts_email(world, api_as, role, request):
    client = api_as(request.getfixturevalue(role))

    assert emails_listed(client) == {
        "Becker": "becker@bamf.example",
        "Novák": "novak@minv.example",
        "Rossi": "rossi@interno.example",
    }
    assert client.get("/api/v1/experts/?search=rossi@interno").json()["count"] == 1


def test_a_trainer_reads_their_own_and_their_co_teachers_email_only(world, api_as, bob):
    client = api_as(bob)

    assert emails_listed(client) == {
        "Becker": "becker@bamf.example",
        "Novák": "novak@minv.example",
        "Rossi": None,  # left out, not blank
    }
    detail = client.get(f"/api/v1/experts/{world['rossi'].pk}/").json()
    assert detail["last_name"] == "Rossi" and "email" not in detail
    assert client.get(f"/api/v1/experts/{world['novak'].pk}/").json()["email"]


def test_a_trainer_searching_by_an_experts_email_finds_nothing(world, api_as, bob):
    client = api_as(bob)

    assert client.get("/api/v1/experts/?search=rossi@interno").json()["count"] == 0
    assert client.get("/api/v1/experts/?search=novak@minv").json()["count"] == 0
    assert client.get("/api/v1/experts/?search=Rossi").json()["count"] == 1


def test_a_trainer_teaching_nothing_reads_no_experts_email(world, api_as):
    from tests.factories import UserFactory

    erin = UserFactory(username="erin", roles=["trainer"])

    assert set(emails_listed(api_as(erin)).values()) == {None}


def test_a_user_without_a_role_reads_no_expert(world, api_as, dave):
    assert api_as(dave).get("/api/v1/experts/").status_code == 403


@pytest.mark.parametrize(
    ("role", "expert", "shown"),
    [
        ("alice", "rossi", True),
        ("carol", "rossi", True),
        ("bob", "becker", True),
        ("bob", "novak", True),
        ("bob", "rossi", False),
    ],
)
def test_the_expert_page_shows_the_email_by_the_same_rule(
    world, client, request, role, expert, shown
):
    client.force_login(request.getfixturevalue(role))
    record = world[expert]

    page = client.get(reverse("expert-detail", args=[record.pk])).content.decode()

    assert record.last_name in page
    assert (record.email in page) is shown
