"""The Trainees tab's bulk status change: "select all" ticks a whole list at once."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from accounts.roles import PROJECT_TEAM
from participants.models import Enrolment
from tests.browser.helpers import sign_in
from tests.factories import CourseFactory, EnrolmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_select_all_ticks_every_trainee_of_the_list_and_the_change_applies_to_them(
    page: Page, live_server, axe
):
    team = UserFactory(username="team")
    team.groups.add(Group.objects.get(name=PROJECT_TEAM))
    course = CourseFactory(upcoming=True, capacity=10)
    enrolments = EnrolmentFactory.create_batch(3, course=course, status="nominated")
    sign_in(page, live_server.url, "team", password="correct horse battery staple")
    page.goto(f"{live_server.url}/courses/{course.pk}/trainees/")

    select_all = page.get_by_label("Select everyone in “In the course”")
    select_all.check()
    for enrolment in enrolments:
        expect(page.locator(f"#pick-{enrolment.pk}")).to_be_checked()
    page.locator(f"#pick-{enrolments[0].pk}").uncheck()  # one by hand: the header is in between
    assert page.evaluate("document.querySelector('[data-select-all]').indeterminate") is True
    page.locator(f"#pick-{enrolments[0].pk}").check()
    expect(select_all).to_be_checked()
    assert axe(page) == []

    page.locator("#bulk-status-select").select_option("confirmed")
    page.locator("#bulk-status button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#bulk-status")).to_be_visible()
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"confirmed"}
