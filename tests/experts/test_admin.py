"""The admin shows assignment warnings: a column on the changelist (computed per page, not per
row) and messages after saving."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from experts.models import ExpertAssignment
from tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ThematicModuleFactory,
)

pytestmark = pytest.mark.django_db


def clashes(experts: int) -> None:
    for _ in range(experts):
        expert = ExpertFactory()
        for course in CourseFactory.create_batch(2):
            ExpertAssignmentFactory(
                expert=expert, course=course, session=CourseSessionFactory(course=course)
            )


def test_the_changelist_shows_warnings_in_a_fixed_number_of_queries(admin_client):
    url = reverse("admin:experts_expertassignment_changelist")
    clashes(2)
    with CaptureQueriesContext(connection) as few:
        response = admin_client.get(url)
    assert "Also assigned at an overlapping time" in response.content.decode()
    clashes(10)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


def test_saving_an_assignment_shows_its_warnings(admin_client):
    course = CourseFactory()
    session = CourseSessionFactory(
        course=course, module=ThematicModuleFactory(title_en="Smuggling")
    )
    expert = ExpertFactory()

    response = admin_client.post(
        reverse("admin:experts_expertassignment_add"),
        {"expert": expert.pk, "course": course.pk, "session": session.pk, "role": "lead"},
        follow=True,
    )

    assert ExpertAssignment.objects.filter(expert=expert, session=session).exists()
    page = response.content.decode()
    assert "“Smuggling”, is not among the expert" in page
