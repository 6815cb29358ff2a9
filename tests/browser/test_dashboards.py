"""Each role logs in through the real login form, sees its dashboard, and switches to Arabic;
the course filter updates in place; the keyboard reaches the skip link first."""

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import (
    CertificateBatchFactory,
    CourseFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ManualFactory,
    ParticipantFactory,
    ThematicModuleFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def world(alice, bob, carol):
    """An open course with nominations, a course bob teaches, and a completed course."""
    module = ThematicModuleFactory(
        title_en="Trafficking in human beings",
        title_ar="الاتجار بالبشر",
        title_ru="Торговля людьми",
    )
    erbil = CourseFactory(title="Training of Trainers on Migration, Erbil", status="running")
    erbil.modules.add(module)
    ExpertAssignmentFactory(expert=ExpertFactory(user=bob), course=erbil, role="lead")
    ManualFactory(module=module, language="ar", title="دليل المدرب: الاتجار بالبشر")
    open_course = CourseFactory(
        title="ToT on Border Management, Islamabad",
        status="open",
        city="Islamabad",
        country="PK",
        start_date=dt.date(2017, 3, 5),
        end_date=dt.date(2017, 3, 14),
        capacity=20,
    )
    for name, native in [("Ahmad Karimi", "احمد کریمی"), ("Sana Baig", "ثناء بیگ")]:
        first, last = name.split()
        person = ParticipantFactory(first_name=first, last_name=last, native_name=native)
        EnrolmentFactory(course=open_course, participant=person, status="nominated")
    done = CourseFactory(
        title="Cascade course, Baghdad", kind="cascade", parent=erbil, status="completed"
    )
    EnrolmentFactory.create_batch(3, course=done, status="completed")
    CertificateBatchFactory(course=done, status="done", total=3, done=3)
    return {"erbil": erbil, "open": open_course, "done": done}


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/")


def switch_to_arabic(page: Page) -> None:
    page.locator(".lang-switch button[value=ar]").click()


ROLES = [
    ("alice", "Project team dashboard", "لوحة فريق المشروع", "ToT on Border Management, Islamabad"),
    ("bob", "Trainer dashboard", "لوحة المدرّب", "الاتجار بالبشر"),
    ("carol", "Coordinator dashboard", "لوحة المنسّق", "Cascade course, Baghdad"),
]


@pytest.mark.parametrize(("username", "heading", "arabic_heading", "arabic_content"), ROLES)
def test_each_role_sees_its_dashboard_in_english_and_in_arabic(
    page: Page, live_server, world, screenshot, username, heading, arabic_heading, arabic_content
):
    log_in(page, live_server, username)

    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    screenshot(page, f"dashboard-{username}-en")

    switch_to_arabic(page)

    expect(page.locator("html[dir=rtl]")).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text(arabic_heading)
    expect(page.get_by_role("main")).to_contain_text(arabic_content)
    screenshot(page, f"dashboard-{username}-ar")


def test_the_arabic_layout_is_mirrored(page: Page, live_server, world):
    log_in(page, live_server, "alice")
    switch_to_arabic(page)
    expect(page.locator("html[dir=rtl]")).to_have_count(1)

    width = page.viewport_size["width"]
    brand = page.locator(".brand").bounding_box()
    heading = page.get_by_role("heading", level=1).bounding_box()

    # The product name starts at the right edge, and so do the headings.
    assert brand["x"] + brand["width"] > width * 0.75
    assert heading["x"] + heading["width"] > width * 0.75


def test_the_course_filter_updates_the_list_in_place(page: Page, live_server, world, screenshot):
    log_in(page, live_server, "carol")
    page.get_by_role("link", name="Courses", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("3 courses found")
    page.evaluate("window.__notReloaded = true")

    page.get_by_label("Status").select_option("completed")

    expect(page).to_have_url(re.compile(r"status=completed"))
    expect(page.get_by_role("status")).to_contain_text("1 course found")
    results = page.locator("#course-results")
    expect(results).to_contain_text("Cascade course, Baghdad")
    expect(results).not_to_contain_text("Islamabad")
    assert page.evaluate("window.__notReloaded") is True  # htmx swapped, no reload
    screenshot(page, "courses-filtered-en")


def test_the_skip_link_is_the_first_stop_of_the_keyboard(page: Page, live_server, world):
    log_in(page, live_server, "alice")

    page.keyboard.press("Tab")

    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    expect(page.locator(":focus")).to_have_attribute("id", "main")


def test_the_course_detail_in_arabic(page: Page, live_server, world, screenshot):
    log_in(page, live_server, "alice")
    switch_to_arabic(page)
    page.goto(f"{live_server.url}/courses/{world['open'].pk}/")

    expect(page.locator("html[dir=rtl]")).to_have_count(1)
    expect(page.get_by_role("heading", level=2, name=re.compile("المتدربون"))).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("احمد کریمی")
    screenshot(page, "course-detail-ar")


def test_on_a_phone_the_page_never_scrolls_sideways(page: Page, live_server, world, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server, "alice")
    switch_to_arabic(page)
    page.goto(f"{live_server.url}/courses/{world['open'].pk}/")

    expect(page.locator("html[dir=rtl]")).to_have_count(1)
    # Wide tables scroll inside their own box; the page itself fits the screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "course-detail-ar-phone")
