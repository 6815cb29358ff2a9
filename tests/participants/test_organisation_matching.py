"""Organisations match on a normalised form: in an import (API and page), in the organisations
API and in the admin. Near misses are offered, never created; a registered trainee is never
moved to another organisation without the report saying so."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from participants.models import Organisation, Participant
from participants.organisation_names import name_key
from tests.factories import OrganisationFactory, ParticipantFactory

URL = "/api/v1/participants/import/"
HEADER = ["first_name", "last_name", "email", "organisation", "country"]


def csv_bytes(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def post(client, data: bytes, **fields):
    upload = SimpleUploadedFile("list.csv", data, content_type="text/csv")
    return client.post(URL, {"file": upload, **fields}, format="multipart")


@pytest.fixture
def krg(db):
    return OrganisationFactory(
        name="Kurdistan Regional Government", acronym="KRG", country="IQ", kind="other"
    )


@pytest.fixture
def moi_krg(krg):
    return OrganisationFactory(
        name="Ministry of Interior",
        acronym="MoI-KRG",
        parent=krg,
        country="IQ",
        name_ar="وزارة الداخلية - إقليم كوردستان",
        name_ru="Министерство внутренних дел Курдистана",
    )


@pytest.fixture
def residency(moi_krg):
    return OrganisationFactory(
        name="Directorate of Residency", acronym="DR", parent=moi_krg, country="IQ"
    )


# --- The key --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a,b",
    [
        ("Ministry of Interior — KRG", "ministry of interior - krg"),
        ("Ministry of Interior – KRG", "MINISTRY  OF INTERIOR\u2212KRG"),
        ("Ministry of Labour & Social Affairs", "Ministry of Labour and Social Affairs"),
        ("Ministry of the Interior", "Ministry of Interior"),
        ("Министерство труда и социальной защиты", "Министерство труда социальной защиты"),
        ("وزارة الهجرة والمهجرين", "وزارة الهجرة و المهجرين"),
        ("وزارة الداخليـــة", "وزارة الداخلية"),
        ("إدارة الإقامة", "ادارة الاقامه"),
        ("مستشفى", "مستشفي"),
        ("ＭｏＩ", "M.o.I."),
    ],
)
def test_spellings_of_one_name_share_a_key(a, b):
    assert name_key(a) == name_key(b)


def test_different_names_keep_different_keys():
    assert name_key("Directorate 3") != name_key("Directorate 8")
    assert name_key("Ministry of Interior") != name_key("Ministry of Justice")


def test_the_key_is_stored_on_save_and_follows_a_rename(db):
    organisation = OrganisationFactory(name="Ministry of Interior — KRG")
    assert Organisation.objects.get(match_key="ministryinteriorkrg") == organisation

    organisation.name = "Ministry of Justice"
    organisation.save(update_fields=["name"])

    assert Organisation.objects.get(pk=organisation.pk).match_key == "ministryjustice"


# --- Import: exact matches --------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "Ministry of Interior — Kurdistan Regional Government",  # as the filter shows it
        "ministry of interior - kurdistan regional government",
        "Ministry of Interior (KRG)",
        "KRG Ministry of Interior",
        "MoI-KRG",
        "MOI KRG",
        "وزارة الداخلية – اقليم كوردستان",
        "Министерство внутренних дел Курдистана",
    ],
)
def test_an_import_matches_the_registered_organisation_however_written(
    written, api_as, alice, moi_krg
):
    response = post(api_as(alice), csv_bytes([["Aras", "Mahmoud", "", written, "IQ"]]))

    assert response.status_code == 200, response.json()
    assert response.json()["new_organisations"] == []
    assert Organisation.objects.count() == 2
    assert Participant.objects.get().organisation == moi_krg


def test_a_directorate_written_with_its_ministry_is_the_registered_one(api_as, alice, residency):
    rows = [["Dilan", "Aziz", "", "Directorate of Residency, Ministry of Interior", "IQ"]]

    response = post(api_as(alice), csv_bytes(rows))

    assert response.status_code == 200, response.json()
    assert Participant.objects.get().organisation == residency
    assert Organisation.objects.count() == 3


def test_a_registered_trainee_stays_in_the_organisation_written_another_way(api_as, alice, moi_krg):
    aras = ParticipantFactory(
        first_name="Aras", last_name="Mahmoud", email="aras@moi.krd", organisation=moi_krg
    )
    rows = [["Aras", "Mahmoud", "aras@moi.krd", "Ministry of Interior — KRG", "IQ"]]

    body = post(api_as(alice), csv_bytes(rows), skip_invalid="true").json()

    assert (body["created"], body["updated"], body["new_organisations"]) == (0, 1, [])
    assert body["rows"][0]["message"] == ""
    aras.refresh_from_db()
    assert aras.organisation == moi_krg
    assert Organisation.objects.count() == 2


def test_new_organisations_written_twice_are_created_once(api_as, alice, db):
    rows = [
        ["Gul", "", "", "Ministry of Refugees & Repatriation", "AF"],
        ["Nazir", "", "", "ministry of refugees and repatriation", "AF"],
    ]

    body = post(api_as(alice), csv_bytes(rows)).json()

    assert body["new_organisations"] == ["Ministry of Refugees & Repatriation"]
    assert Organisation.objects.count() == 1
    assert Participant.objects.filter(organisation__isnull=False).count() == 2


# --- Import: near misses and ambiguity ----------------------------------------------------------


def test_a_near_miss_is_offered_not_created(api_as, alice, moi_krg):
    rows = [
        ["Aras", "Mahmoud", "", "Ministry of Interor — Kurdistan Regional Goverment", "IQ"],
        ["Dilan", "Aziz", "", "Ministry of Interior — KRG", "IQ"],
    ]

    response = post(api_as(alice), csv_bytes(rows), dry_run="true")

    assert response.status_code == 200
    body = response.json()
    assert body["new_organisations"] == []
    (error,) = body["errors"]
    assert (error["row"], error["field"]) == (2, "organisation")
    assert (
        "Did you mean “Ministry of Interior — Kurdistan Regional Government”?" in error["message"]
    )
    assert error["candidates"] == [
        {"id": moi_krg.pk, "name": "Ministry of Interior — Kurdistan Regional Government"}
    ]
    assert [row["action"] for row in body["rows"]] == ["invalid", "create"]


def test_a_near_miss_refuses_the_import_and_changes_nothing(api_as, alice, moi_krg):
    rows = [["Aras", "Mahmoud", "", "Ministry of Interor - KRG", "IQ"]]

    response = post(api_as(alice), csv_bytes(rows))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "organisation"
    assert Organisation.objects.count() == 2
    assert Participant.objects.count() == 0


def test_skip_invalid_skips_a_near_miss_row_without_creating_its_organisation(
    api_as, alice, moi_krg
):
    rows = [["Aras", "Mahmoud", "", "Ministry of Interor - KRG", "IQ"], ["Gul", "", "", "", ""]]

    body = post(api_as(alice), csv_bytes(rows), skip_invalid="true").json()

    assert (body["created"], body["skipped"]) == (1, 1)
    assert Organisation.objects.count() == 2


def test_a_name_several_organisations_bear_is_an_error_naming_them(api_as, alice, moi_krg):
    federal = OrganisationFactory(name="Federal Government of Iraq", acronym="GoI", country="IQ")
    moi = OrganisationFactory(name="Ministry of Interior", acronym="MoI", parent=federal)
    rows = [["Aras", "Mahmoud", "", "Ministry of Interior", "IQ"]]

    body = post(api_as(alice), csv_bytes(rows), dry_run="true").json()

    (error,) = body["errors"]
    assert "matches several registered organisations" in error["message"]
    assert {c["id"] for c in error["candidates"]} == {moi.pk, moi_krg.pk}


def test_the_country_picks_among_organisations_of_one_name(api_as, alice, moi_krg):
    pakistan = OrganisationFactory(name="Government of Pakistan", acronym="GoP", country="PK")
    moi_pk = OrganisationFactory(name="Ministry of Interior", acronym="MoI", parent=pakistan)
    moi_pk.country = "PK"
    moi_pk.save()
    rows = [["Imran", "Khan", "", "Ministry of Interior", "Pakistan"]]

    post(api_as(alice), csv_bytes(rows))

    assert Participant.objects.get().organisation == moi_pk


# --- Import: a trainee moved to another organisation ----------------------------------------------


def test_the_report_says_when_a_registered_trainee_changes_organisation(api_as, alice, moi_krg):
    momd = OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")
    layla = ParticipantFactory(
        first_name="Layla", last_name="Hassan", email="layla@example.org", organisation=momd
    )
    rows = [["Layla", "Hassan", "layla@example.org", "MoI-KRG", "IQ"]]

    preview = post(api_as(alice), csv_bytes(rows), dry_run="true").json()
    done = post(api_as(alice), csv_bytes(rows)).json()

    change = (
        "organisation: Ministry of Migration and Displacement → "
        "Ministry of Interior — Kurdistan Regional Government"
    )
    assert preview["rows"][0]["message"] == done["rows"][0]["message"] == change
    layla.refresh_from_db()
    assert layla.organisation == moi_krg


def test_an_empty_organisation_cell_keeps_the_registered_one(api_as, alice, moi_krg):
    ParticipantFactory(first_name="Layla", email="layla@example.org", organisation=moi_krg)
    rows = [["Layla", "Hassan", "layla@example.org", "", "IQ"]]

    body = post(api_as(alice), csv_bytes(rows)).json()

    assert body["rows"][0]["message"] == ""
    assert Participant.objects.get().organisation == moi_krg


def test_the_import_page_shows_a_change_of_organisation_and_the_candidates(db, alice, moi_krg):
    momd = OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")
    ParticipantFactory(first_name="Layla", email="layla@example.org", organisation=momd)
    rows = [
        ["Layla", "Hassan", "layla@example.org", "MoI-KRG", "IQ"],
        ["Aras", "Mahmoud", "", "Ministry of Interor — <b>KRG</b>", "IQ"],
    ]
    client = Client()
    client.force_login(alice)
    upload = SimpleUploadedFile("list.csv", csv_bytes(rows), "text/csv")

    page = client.post(reverse("participant-import"), {"file": upload}).content.decode()

    assert "Ministry of Migration and Displacement → Ministry of Interior — Kurdistan" in page
    assert "Did you mean “Ministry of Interior — Kurdistan Regional Government”?" in page
    assert "<b>KRG</b>" not in page and "&lt;b&gt;KRG&lt;/b&gt;" in page
    assert Organisation.objects.count() == 3


# --- Registering an organisation ------------------------------------------------------------


def test_the_api_refuses_an_organisation_registered_under_another_spelling(api_as, alice, moi_krg):
    response = api_as(alice).post(
        "/api/v1/organisations/", {"name": "ministry of interior – KRG"}, format="json"
    )

    assert response.status_code == 400
    (message,) = response.json()["name"]
    assert "Ministry of Interior — Kurdistan Regional Government" in message
    assert f"id {moi_krg.pk}" in message
    assert Organisation.objects.count() == 2


def test_the_api_refuses_the_same_name_in_the_same_parent_however_written(
    api_as, alice, moi_krg, krg
):
    response = api_as(alice).post(
        "/api/v1/organisations/",
        {"name": "MINISTRY OF THE INTERIOR", "parent": krg.pk},
        format="json",
    )

    assert response.status_code == 400
    assert "Ministry of Interior — Kurdistan Regional Government" in response.json()["name"][0]


def test_the_same_name_in_another_parent_is_another_organisation(api_as, alice, moi_krg):
    federal = OrganisationFactory(name="Federal Government of Iraq", acronym="GoI")

    response = api_as(alice).post(
        "/api/v1/organisations/", {"name": "Ministry of Interior", "parent": federal.pk}
    )

    assert response.status_code == 201, response.json()
    assert response.json()["name_ar"] == ""


def test_renaming_an_organisation_keeps_its_own_name_free(api_as, alice, moi_krg):
    response = api_as(alice).patch(
        f"/api/v1/organisations/{moi_krg.pk}/", {"name": "Ministry of the Interior"}
    )

    assert response.status_code == 200, response.json()


def test_the_admin_refuses_an_organisation_under_another_spelling(db, root, moi_krg):
    client = Client()
    client.force_login(root)

    response = client.post(
        reverse("admin:participants_organisation_add"),
        {
            "name": "Ministry of Interior - Kurdistan Regional Government",
            "kind": "ministry",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "is already registered as" in response.content.decode()
    assert Organisation.objects.count() == 2


def test_in_arabic_the_names_in_a_message_are_isolated_and_quoted(moi_krg):
    from django.utils import translation

    from participants.services import participants_import

    rows = [["Aras", "Mahmoud", "", "Ministry of Interor - KRG", "IQ"]]
    with translation.override("ar"):
        report = participants_import(file=io.BytesIO(csv_bytes(rows)), by=None, dry_run=True)

    (error,) = report.errors
    assert "«\u2068Ministry of Interior — Kurdistan Regional Government\u2069»" in error.message
    assert error.candidates[0]["name"] == "Ministry of Interior — Kurdistan Regional Government"


def test_the_data_migration_fills_the_key_of_existing_organisations(db):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("participants.migrations.0005_organisation_match_key_fill")
    organisation = OrganisationFactory(name="Ministry of Interior — KRG")
    Organisation.objects.filter(pk=organisation.pk).update(match_key="")

    migration.fill_match_keys(apps, None)

    assert Organisation.objects.get(pk=organisation.pk).match_key == "ministryinteriorkrg"


@pytest.mark.django_db
def test_the_trainee_search_finds_an_organisation_by_its_arabic_or_russian_name():
    from participants.selectors import participants_matching

    moi = OrganisationFactory(
        name="Ministry of Interior", name_ar="وزارة الداخلية", name_ru="Министерство внутренних дел"
    )
    aras = ParticipantFactory(first_name="Aras", organisation=moi)
    ParticipantFactory(first_name="Omar")

    for text in ("الداخلية", "внутренних", "Interior"):
        found = participants_matching(Participant.objects.all(), text, by_email=False)
        assert list(found) == [aras], text
