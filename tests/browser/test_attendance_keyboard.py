"""Fast keyboard entry in the attendance grid: every key saved, the focus never lost; the names
column and the day header stay in view when the grid scrolls."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from accounts.roles import PROJECT_TEAM
from participants.models import Attendance
from tests.browser.helpers import sign_in
from tests.factories import CourseFactory, EnrolmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

START = dt.date(2016, 5, 12)
DAYS = 12


@pytest.fixture
def course():
    course = CourseFactory(
        title="ToT Erbil", start_date=START, end_date=START + dt.timedelta(DAYS - 1)
    )
    for index in range(16):
        EnrolmentFactory(
            course=course,
            participant__first_name=f"Trainee{index:02d}",
            participant__last_name="Al-Musawi Abdulrahman",
        )
    return course


def sign_in_as_team(page: Page, base: str, language: str = "en") -> None:
    team = UserFactory(username="team")
    team.groups.add(Group.objects.get(name=PROJECT_TEAM))
    sign_in(page, base, "team", password="correct horse battery staple", language=language)


def focused_key(page: Page) -> str | None:
    return page.evaluate("document.activeElement?.dataset.key ?? null")


def wait_for_saves(course, expected: int) -> list[Attendance]:
    import time

    for _attempt in range(200):
        marks = list(Attendance.objects.filter(enrolment__course=course))
        if len(marks) >= expected:
            return marks
        time.sleep(0.05)
    raise AssertionError(f"{len(marks)} of {expected} marks saved")


def test_forty_quick_keys_are_all_saved_and_the_focus_stays_in_the_grid(
    page: Page, live_server, course
):
    sign_in_as_team(page, live_server.url)
    page.goto(f"{live_server.url}/courses/{course.pk}/attendance/")
    first, second = course.enrolments.order_by("participant__first_name")[:2]
    page.locator(f'[data-key="{first.pk}-{START:%Y-%m-%d}"]').focus()

    # Row one left to right, down, row two right to left: 10 + 9 + 1 + 10 + 9 = 39 keys, and a
    # second Space on the last cell (the 40th key) marks that day absent again.
    keys = []
    for row in range(2):
        for day in range(10):
            keys.append("Space")
            if day < 9:
                keys.append("ArrowRight" if row == 0 else "ArrowLeft")
        if row == 0:
            keys.append("ArrowDown")
    keys = [*keys[:-1], "Space", "Space"]
    assert len(keys) == 40
    for key in keys:
        page.keyboard.press(key)

    marks = wait_for_saves(course, 20)
    page.wait_for_load_state("networkidle")
    marks = {(mark.enrolment_id, mark.date): mark.present for mark in Attendance.objects.all()}
    days = [START + dt.timedelta(n) for n in range(10)]
    assert {day for (enrolment, day) in marks if enrolment == first.pk} == set(days)
    assert {day for (enrolment, day) in marks if enrolment == second.pk} == set(days)
    # Every cell present, except the one pressed twice: present, then absent.
    assert marks.pop((second.pk, START)) is False
    assert all(marks.values())

    # The focus is where the keys left it, and the arrows still move it.
    assert focused_key(page) == f"{second.pk}-{START:%Y-%m-%d}"
    page.keyboard.press("ArrowUp")
    assert focused_key(page) == f"{first.pk}-{START:%Y-%m-%d}"
    expect(page.locator(f'[data-key="{second.pk}-{START:%Y-%m-%d}"]')).to_have_attribute(
        "aria-pressed", "false"
    )
    # The totals follow the marks, whatever order the saves came back in (each save's own count
    # arrives out of band and may be older than the last mark).
    expect(page.locator(f"#total-{first.pk}")).to_have_text("10")
    expect(page.locator(f"#total-{second.pk}")).to_have_text("9")


@pytest.mark.parametrize(("language", "width", "height"), [("en", 1366, 768), ("ar", 375, 740)])
def test_names_and_days_stay_in_view_when_the_grid_scrolls(
    page: Page, live_server, course, axe, language, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    sign_in_as_team(page, live_server.url, language)
    page.goto(f"{live_server.url}/courses/{course.pk}/attendance/")
    wrap = page.locator(".table-wrap--grid")
    name = page.locator("#attendance-grid tbody tr").nth(0).locator("th")
    day_header = page.locator("#attendance-grid thead th.grid-day").nth(0)

    before_name, before_header, box = (
        name.bounding_box(),
        day_header.bounding_box(),
        wrap.bounding_box(),
    )
    # Scroll the grid to its far end (the left in Arabic) and to its bottom.
    wrap.evaluate(
        "w => { w.scrollLeft = (document.dir === 'rtl' ? -1 : 1) * w.scrollWidth; w.scrollTop = w.scrollHeight; }"
    )
    page.wait_for_timeout(100)
    assert wrap.evaluate("w => Math.abs(w.scrollLeft)") > 0, "the grid should be wider than its box"
    assert wrap.evaluate("w => w.scrollTop") > 0, "the grid should be taller than its box"

    after_name, after_header = name.bounding_box(), day_header.bounding_box()
    assert abs(after_name["x"] - before_name["x"]) < 1  # the names column did not move sideways
    assert abs(after_header["y"] - box["y"]) < 3  # the day header sits at the top of the box
    assert before_header["y"] >= box["y"]
    assert axe(page) == []
