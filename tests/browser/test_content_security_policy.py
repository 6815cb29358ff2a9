"""The Content-Security-Policy holds in a real browser: every page a role uses, including the
htmx updates, the attendance grid's script, the API docs and the admin, loads and works without
one violation of the policy (Chromium reports each as a console error)."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ParticipantFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def course(bob, carol):
    for user in (bob, carol):
        user.set_password(PASSWORD)
        user.save()
    start = dt.date.today() - dt.timedelta(days=2)
    course = CourseFactory(
        title="ToT Erbil", start_date=start, end_date=start + dt.timedelta(days=4)
    )
    ExpertAssignmentFactory(expert=ExpertFactory(user=bob), course=course)
    EnrolmentFactory(course=course, status="confirmed", participant=ParticipantFactory())
    return course


def sign_in(page: Page, live_server, username: str) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text[:80]}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("main")).to_be_visible()
    return violations


def test_a_coordinators_pages_run_under_the_policy(page: Page, live_server, course, root):
    violations = sign_in(page, live_server, "carol")
    for path in (
        "/",
        "/courses/",
        f"/courses/{course.pk}/",
        f"/courses/{course.pk}/trainees/",
        f"/courses/{course.pk}/completion/",
        "/participants/",
        "/library/",
        "/experts/",
        "/verify/",
        "/api/docs/",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    # An htmx update in place: the course filter.
    page.goto(f"{live_server.url}/courses/")
    page.get_by_label("Search").fill("Erbil")
    expect(page.locator("#course-results")).to_contain_text("ToT Erbil")
    # The attendance grid's own script: a click marks a day.
    page.goto(f"{live_server.url}/courses/{course.pk}/attendance/")
    page.locator("[data-grid-cell]").first.click()
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_the_api_docs_render_under_the_policy(page: Page, live_server, course):
    violations = sign_in(page, live_server, "carol")
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui")).to_be_visible()
    expect(page.get_by_text("/api/v1/courses/").first).to_be_visible()
    assert violations == []


def test_the_admin_runs_under_the_policy(page: Page, live_server, course, root):
    root.set_password(PASSWORD)
    root.save()
    violations = sign_in(page, live_server, "root")
    for path in (
        "/admin/",
        "/admin/participants/participant/",
        f"/admin/trainings/course/{course.pk}/change/",
        "/admin/participants/participant/add/",
    ):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    assert violations == []
