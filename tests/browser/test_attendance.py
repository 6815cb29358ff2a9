"""The project team marks attendance in the grid (mouse and keyboard), records post-test
scores, and reads why a trainee does not complete; the coordinator closes the course."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from accounts.roles import COORDINATOR, PROJECT_TEAM
from participants.models import Attendance, Enrolment
from tests.factories import CourseFactory, EnrolmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_grid_marks_and_completion_reasons(page: Page, live_server, screenshot):
    team = UserFactory(username="team")
    team.groups.add(Group.objects.get(name=PROJECT_TEAM))
    coordinator = UserFactory(username="coord")
    coordinator.groups.add(Group.objects.get(name=COORDINATOR))
    course = CourseFactory(
        title="ToT Erbil",
        start_date=dt.date(2016, 5, 15),
        end_date=dt.date(2016, 5, 18),
        min_attendance_share="0.75",  # three of the four days
    )
    layla = EnrolmentFactory(
        course=course,
        participant__first_name="Layla",
        participant__last_name="Hassan",
        participant__native_name="ليلى حسن",
    )
    omar = EnrolmentFactory(
        course=course, participant__first_name="Omar", participant__last_name="Karimi"
    )

    login(page, live_server.url, "team")
    page.goto(f"{live_server.url}/courses/{course.pk}/")
    page.get_by_role("link", name="Attendance").click()

    # Mouse: everyone present on day one, then Layla present on day two.
    page.get_by_role("button", name="All present").first.click()
    expect(page.get_by_role("button", name="Layla Hassan, 15 May: present")).to_be_visible()
    page.get_by_role("button", name="Layla Hassan, 16 May: not recorded").click()
    expect(page.get_by_role("button", name="Layla Hassan, 16 May: present")).to_be_visible()

    # Keyboard: from that cell, right arrow to day three, Space marks it; down to Omar, Space.
    # (Focus is read from document.activeElement: a headless window may not count as focused.)
    def focus_is_on(enrolment, day: str) -> None:
        key = f"{enrolment.pk}-2016-05-{day}"
        # Polled with evaluate (wait_for_function evaluates a string inside the page, which the
        # Content-Security-Policy forbids; to_be_focused needs a focused window).
        for _attempt in range(100):
            if page.evaluate("document.activeElement?.dataset.key") == key:
                return
            page.wait_for_timeout(50)
        raise AssertionError(f"focus is not on {key}")

    page.get_by_role("button", name="Layla Hassan, 16 May: present").press("ArrowRight")
    focus_is_on(layla, "17")
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Layla Hassan, 17 May: present")).to_be_visible()
    focus_is_on(layla, "17")  # the new cell took the focus back
    page.keyboard.press("ArrowDown")
    focus_is_on(omar, "17")
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Omar Karimi, 17 May: present")).to_be_visible()
    focus_is_on(omar, "17")
    # A second Space on the same cell marks Omar absent.
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Omar Karimi, 17 May: absent")).to_be_visible()
    expect(page.locator(f"#total-{layla.pk}")).to_have_text("3")
    expect(page.locator(f"#total-{omar.pk}")).to_have_text("1")
    screenshot(page, "attendance-grid")
    assert Attendance.objects.filter(enrolment=layla, present=True).count() == 3

    # Scores and the reasons in words.
    page.get_by_role("link", name="Completion").click()
    page.get_by_label("Post-test score of Layla Hassan").fill("78")
    page.get_by_label("Post-test score of Layla Hassan").press("Enter")
    expect(page.get_by_text("Scores saved for Layla Hassan.")).to_be_visible()
    omar_row = page.locator(f"#enrolment-{omar.pk}")
    expect(omar_row).to_contain_text("Attended 1 of 4 days; 3 required (75%).")
    expect(omar_row).to_contain_text("No post-test score recorded; 60 required.")
    expect(page.locator(f"#enrolment-{layla.pk}")).to_contain_text("Qualifies")
    screenshot(page, "completion-reasons")

    # The coordinator tries to close the course: the last day and Omar's score are missing.
    page.get_by_role("button", name="Log out").click()
    login(page, live_server.url, "coord")
    page.goto(f"{live_server.url}/courses/{course.pk}/completion/")
    page.get_by_role("link", name="Close the course").click()
    expect(page.get_by_role("heading", name="This course cannot be closed yet")).to_be_visible()
    expect(page.get_by_text("No attendance recorded for 1 of 4 days: 18 May.")).to_be_visible()
    expect(page.get_by_text("Post-test score missing for 1 trainee: Omar Karimi.")).to_be_visible()
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"confirmed"}
    screenshot(page, "close-refused")

    # Once recorded, the preview says what closing does; the coordinator confirms.
    Attendance.objects.create(enrolment=omar, date=dt.date(2016, 5, 18), present=False)
    Enrolment.objects.filter(pk=omar.pk).update(post_test_score=40)
    page.reload()
    expect(page.get_by_text("1 trainee will be completed.")).to_be_visible()
    expect(page.locator(f"#close-{omar.pk}")).to_contain_text(
        "Post-test score 40 is below the pass mark of 60."
    )
    screenshot(page, "close-preview")
    page.get_by_role("button", name="Confirm: close the course").click()
    expect(page.get_by_text("Course closed: 1 completed, 1 did not complete.")).to_be_visible()
    assert dict(Enrolment.objects.values_list("pk", "status")) == {
        layla.pk: "completed",
        omar.pk: "failed",
    }
