"""A project-team member registers a trainee (a duplicate warning for the same name written in
Arabic appears while typing, before saving), then imports a nomination list with a bad row,
sees that row's number in the preview, imports the valid rows only and finds the new trainees
in the list."""

import re

import pytest
from playwright.sync_api import Page, expect

from participants.models import Participant
from tests.factories import CourseFactory, OrganisationFactory, ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
NOMINATIONS = (
    "first_name;last_name;native_name;email;organisation;country\n"
    "Layla;Hassan;ليلى حسن;layla@momd.gov.iq;MoMD;IQ\n"
    "Omar;Farouk;;omar.farouk@;MoMD;IQ\n"  # row 3: a bad e-mail
    "Gul;;;;Ministry of Refugees and Repatriation;AF\n"
)


def test_a_team_member_registers_a_trainee_and_imports_a_list(
    page: Page, live_server, alice, tmp_path, screenshot
):
    momd = OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")
    ParticipantFactory(
        first_name="محمد", last_name="الساعدي", native_name="", email="", organisation=momd
    )
    CourseFactory(title="ToT Erbil", code="ERB", status="open")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Trainees").click()
    page.get_by_role("link", name="Register a trainee").click()

    # The warning appears while typing, before anything is saved.
    page.get_by_label("Organisation").select_option(label=str(momd))
    page.get_by_label("Given name(s)").fill("Mohammed")
    page.get_by_label("Family name").fill("Al-Saadi")
    warning = page.locator(".duplicate-warning")
    expect(warning).to_contain_text("has a similar name in the same organisation")
    expect(warning.get_by_role("link", name="Open the existing record")).to_be_visible()
    screenshot(page, "registration-duplicate-warning")
    assert Participant.objects.count() == 1

    page.get_by_label("This is a different person: save anyway").check()
    page.get_by_role("button", name="Register").click()
    expect(page.locator("h1")).to_contain_text("Mohammed Al-Saadi")
    expect(page.get_by_text("Mohammed Al-Saadi is registered.")).to_be_visible()

    # A nomination list with one bad row.
    nominations = tmp_path / "nominations.csv"
    nominations.write_text(NOMINATIONS, encoding="utf-8")
    nav.get_by_role("link", name="Trainees").click()
    page.get_by_role("link", name="Import a nomination list").click()
    page.get_by_label("Nomination list (CSV or XLSX)").set_input_files(str(nominations))
    page.get_by_role("button", name="Check the file").click()

    bad_row = page.locator("tr.import-row--invalid")
    expect(bad_row.locator("th")).to_have_text("3")
    expect(bad_row).to_contain_text("email: Enter a valid e-mail address.")
    expect(page.get_by_text("Ministry of Refugees and Repatriation")).to_be_visible()
    expect(page.get_by_role("link", name="Download error report")).to_be_visible()
    screenshot(page, "import-preview")

    page.get_by_label("Valid rows only: skip the invalid ones").check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text(re.compile(r"Imported: 2 new, 0 updated, 1 skipped"))).to_be_visible()

    results = page.locator("#participant-results")
    expect(results).to_contain_text("Layla Hassan")
    expect(results).to_contain_text("Gul")
    expect(results).not_to_contain_text("Omar Farouk")
    page.get_by_label("Search").fill("ليلى")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text("Layla Hassan")
    screenshot(page, "trainee-list-after-import")


def test_a_coordinator_merges_two_records_of_one_person_in_arabic(
    page: Page, live_server, carol, screenshot
):
    momd = OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")
    kept = ParticipantFactory(first_name="Ahmed", last_name="Al-Saadi", native_name="",
                              phone="", organisation=momd)  # fmt: skip
    other = ParticipantFactory(first_name="Ahmad", last_name="Alsaadi",
                               native_name="أحمد الساعدي", organisation=momd)  # fmt: skip
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator(".lang-switch button[value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    page.goto(f"{live_server.url}/participants/{kept.pk}/")
    page.locator(f"a[href$='/merge/?duplicate={other.pk}']").click()
    expect(page.locator(".merge-table")).to_contain_text("أحمد الساعدي")
    screenshot(page, "merge-comparison-rtl")
    page.locator(".merge-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/participants/{kept.pk}/")
    expect(page.locator("h1")).to_contain_text("أحمد الساعدي")
    assert not Participant.objects.filter(pk=other.pk).exists()
