"""Behaviour of the expert and expert-assignment endpoints."""

from tests.api_fixtures import fast_passwords, fresh_throttles  # noqa: F401  (fixtures)
from tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ThematicModuleFactory,
)


def result_ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


def test_an_expert_shows_the_country_as_an_iso_code(api_as, carol):
    module = ThematicModuleFactory()
    response = api_as(carol).post(
        "/api/v1/experts/",
        {"last_name": "Kováč", "title": "Dr", "country": "SK", "modules": [module.pk]},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["country"] == "SK"
    assert body["modules"] == [module.pk]
    assert body["full_name"] == "Dr Kováč"


def test_experts_filter_by_country_and_module(api_as, bob):
    module = ThematicModuleFactory()
    german = ExpertFactory(country="DE")
    german.modules.add(module)
    argentine = ExpertFactory(country="AR")
    client = api_as(bob)
    assert result_ids(client.get("/api/v1/experts/", {"country": "AR"})) == [argentine.pk]
    assert result_ids(client.get("/api/v1/experts/", {"module": module.pk})) == [german.pk]


def test_experts_are_searchable_by_organisation(api_as, bob):
    expert = ExpertFactory(organisation="Home Office")
    ExpertFactory(organisation="BAMF")
    assert result_ids(api_as(bob).get("/api/v1/experts/?search=home")) == [expert.pk]


def test_assignments_filter_by_course_expert_and_session(api_as, bob):
    session = CourseSessionFactory()
    on_session = ExpertAssignmentFactory(course=session.course, session=session)
    whole_course = ExpertAssignmentFactory(course=session.course)
    ExpertAssignmentFactory()
    client = api_as(bob)
    url = "/api/v1/expert-assignments/"
    assert sorted(result_ids(client.get(url, {"course": session.course_id}))) == sorted(
        [on_session.pk, whole_course.pk]
    )
    assert result_ids(client.get(url, {"session": session.pk})) == [on_session.pk]
    assert result_ids(client.get(url, {"expert": whole_course.expert_id})) == [whole_course.pk]


def test_an_assignment_to_a_session_of_another_course_is_refused(api_as, carol):
    session = CourseSessionFactory()
    response = api_as(carol).post(
        "/api/v1/expert-assignments/",
        {"expert": ExpertFactory().pk, "course": CourseFactory().pk, "session": session.pk},
    )
    assert response.status_code == 400
    assert response.json()["session"] == ["The session belongs to another course."]


def test_an_expert_is_assigned_to_a_course_only_once(api_as, carol):
    assignment = ExpertAssignmentFactory()
    response = api_as(carol).post(
        "/api/v1/expert-assignments/",
        {"expert": assignment.expert_id, "course": assignment.course_id},
    )
    assert response.status_code == 409
    assert "already assigned to this whole course" in response.json()["detail"]


def test_an_expert_may_teach_a_session_of_a_course_they_are_assigned_to(api_as, carol):
    assignment = ExpertAssignmentFactory()
    session = CourseSessionFactory(course=assignment.course)
    response = api_as(carol).post(
        "/api/v1/expert-assignments/",
        {"expert": assignment.expert_id, "course": assignment.course_id, "session": session.pk},
    )
    assert response.status_code == 201


def test_experts_filter_by_language(api_as, alice):
    arabic = ExpertFactory(languages=["en", "ar"])
    ExpertFactory(languages=["de", "en"])
    client = api_as(alice)
    assert result_ids(client.get("/api/v1/experts/", {"language": "ar"})) == [arabic.pk]
    assert result_ids(client.get("/api/v1/experts/", {"language": "a"})) == []
    assert result_ids(client.get("/api/v1/experts/", {"language": '"%'})) == []
