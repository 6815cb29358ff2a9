"""A project-team member working in Arabic adds two trainees who are already registered to a
course from its Trainees tab: search as you type (in Arabic script), tick one, search again
(the tick stays), tick the other, add both at once. The course has one seat left, so the first
ticked takes it and the second goes on the waiting list, as the message says. axe-core finds no
serious or critical WCAG 2.1 AA violation on the page, with the results shown and after."""

import pytest
from playwright.sync_api import Page, expect

from participants.models import Enrolment
from tests.factories import CourseFactory, OrganisationFactory, ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_a_team_member_adds_two_registered_trainees_in_arabic(
    page: Page, live_server, alice, axe, screenshot
):
    momd = OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")
    layla = ParticipantFactory(
        first_name="Layla", last_name="Hassan", native_name="ليلى حسن", organisation=momd
    )
    omar = ParticipantFactory(
        first_name="Omar", last_name="Farouk", native_name="عمر فاروق", organisation=momd
    )
    ParticipantFactory(first_name="Zainab", last_name="Kareem", native_name="زينب كريم")
    course = CourseFactory(
        title="ToT Baghdad", title_ar="دورة تدريب المدربين — بغداد", upcoming=True, capacity=1
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator(".lang-switch button[value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(f"{live_server.url}/courses/{course.pk}/trainees/")
    expect(page.get_by_role("heading", name="إضافة متدربين")).to_be_visible()

    search = page.get_by_label("البحث في سجل المتدربين")
    results = page.locator("#add-trainees-results")
    count = page.locator("#add-trainees-count")
    search.fill("ليلى")
    expect(results.locator("li")).to_have_count(1)
    expect(results).to_contain_text("Layla Hassan")
    expect(count).to_contain_text("عُثر على متدرب واحد")
    results.get_by_label("Layla Hassan", exact=False).check()

    search.fill("عمر")
    expect(results).to_contain_text("Omar Farouk")
    expect(results.locator("li")).to_have_count(2)  # Layla stays, ticked, first
    expect(results.locator(f"#candidate-{layla.pk}")).to_be_checked()
    results.locator(f"#candidate-{omar.pk}").check()
    expect(count).to_contain_text("المحدَّد: 1.")
    screenshot(page, "enrol-existing-search-rtl")
    assert axe(page) == []
    assert not Enrolment.objects.exists()

    page.get_by_role("button", name="إضافة المتدربين المحدَّدين").click()

    # Each name is isolated (U+2068 … U+2069) inside the Arabic sentence.
    expect(page.get_by_text("تم التسجيل: \u2068Layla Hassan\u2069.")).to_be_visible()
    expect(
        page.get_by_text("في قائمة الانتظار بهذا الترتيب: \u2068Omar Farouk\u2069.")
    ).to_be_visible()
    statuses = dict(Enrolment.objects.values_list("participant_id", "status"))
    assert statuses == {layla.pk: "nominated", omar.pk: "waitlisted"}
    screenshot(page, "enrol-existing-added-rtl")
    assert axe(page) == []
