"""In Arabic, a team member imports a nomination list whose organisation column names one
registered ministry three ways (as the filter shows it, by its acronym, by its Arabic name) and
misspells it once: the preview matches the three, offers the registered name for the fourth,
shows the move of a registered trainee, and the import creates no organisation."""

import pytest
from playwright.sync_api import Page, expect

from participants.models import Organisation, Participant
from tests.factories import OrganisationFactory, ParticipantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
NOMINATIONS = (
    "first_name,last_name,email,organisation,country,phone\n"
    "Aras,Mahmoud,,Ministry of Interior — Kurdistan Regional Government,IQ,0750 446 1832\n"
    "Dilan,Aziz,,MoI-KRG,IQ,\n"
    "Shirin,Rasul,,وزارة الداخلية - إقليم كوردستان,IQ,\n"
    "Karwan,Ali,,Ministry of Interor - Kurdistan Regional Goverment,IQ,\n"  # row 5: a near miss
    "Layla,Hassan,layla@example.org,MoI-KRG,IQ,\n"  # row 6: moves from MoMD
)


def test_an_arabic_import_matches_an_organisation_written_three_ways(
    page: Page, live_server, alice, tmp_path, screenshot
):
    krg = OrganisationFactory(name="Kurdistan Regional Government", acronym="KRG", kind="other")
    moi = OrganisationFactory(
        name="Ministry of Interior",
        acronym="MoI-KRG",
        parent=krg,
        name_ar="وزارة الداخلية – إقليم كوردستان",
    )
    momd = OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")
    ParticipantFactory(first_name="Layla", last_name="Hassan", email="layla@example.org",
                       organisation=momd)  # fmt: skip
    nominations = tmp_path / "nominations.csv"
    nominations.write_text(NOMINATIONS, encoding="utf-8")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator(".lang-switch button[value=ar]").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.goto(f"{live_server.url}/participants/import/")
    page.locator("input[type=file]").set_input_files(str(nominations))
    page.locator("form:has(input[type=file]) button[type=submit]").click()

    expect(page.locator("tr.import-row--create")).to_have_count(3)
    near_miss = page.locator("tr.import-row--invalid")
    expect(near_miss.locator("th")).to_have_text("5")
    expect(near_miss).to_contain_text("Ministry of Interior — Kurdistan Regional Government")
    moved = page.locator("tr.import-row--update")
    # Arabic reads right to left: the old organisation, then the arrow pointing to the new one,
    # each name isolated so its own words stay in order.
    expect(moved).to_contain_text(
        "\u2068Ministry of Migration and Displacement\u2069 ← \u2068Ministry of Interior — "
        "Kurdistan Regional Government\u2069"
    )
    screenshot(page, "import-preview-organisations-rtl")

    page.locator("input[name=mode][value=valid]").check()
    page.locator("form.import-confirm button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/participants/")

    assert Organisation.objects.count() == 3
    assert Participant.objects.filter(organisation=moi).count() == 4
    assert Participant.objects.get(first_name="Aras").phone == "+9647504461832"
