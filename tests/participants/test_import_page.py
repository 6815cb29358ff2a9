"""The import page: upload → preview (dry run) → confirm the same file, kept on the server; the
template and the error report downloads. Per role; the file never travels twice."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from participants import import_uploads
from participants.imports import FIELDS
from participants.models import Enrolment, Organisation, Participant
from tests.factories import CourseFactory, OrganisationFactory

ACTORS = ["anon", "dave", "bob", "alice", "carol", "root"]
TEAM = {"alice", "carol", "root"}

HEADER = ["First Name", "Family Name", "Name (Arabic)", "E-Mail", "Ministry", "Nationality"]
ROWS = [
    ["Ahmed", "Al-Saadi", "أحمد الساعدي", "ahmed@moi.gov.iq", "MoMD", "Iraq"],  # row 2
    ["Layla", "Hassan", "ليلى حسن", "layla@@momd", "MoMD", "IQ"],  # row 3: bad e-mail
    ["=HYPERLINK(\"http://x\")", "Noor", "", "", "Ministry of Refugees", "Narnia"],  # row 4
    ["Gul", "", "", "", "Ministry of Refugees", "AF"],  # row 5: a single name, new organisation
    ["AHMED", "al-saadi", "", "AHMED@moi.gov.iq", "MoMD", ""],  # row 6: same person as row 2
]  # fmt: skip


def csv_upload(rows=ROWS, header=HEADER, name="nominations.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([header, *rows])
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8-sig"), "text/csv")


def xlsx_upload(rows=ROWS, header=HEADER) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in [header, *rows]:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("nominations.xlsx", out.getvalue(), "application/octet-stream")


@pytest.fixture
def browse(request, db):
    def make(actor: str) -> Client:
        client = Client()
        if actor != "anon":
            client.force_login(request.getfixturevalue(actor))
        return client

    return make


@pytest.fixture
def momd(db):
    return OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")


@pytest.fixture
def team(browse):
    return browse("alice")


def upload(client, file=None):
    return client.post(reverse("participant-import"), {"file": file or csv_upload()})


def token_of(client) -> str:
    (token,) = client.session[import_uploads.SESSION_KEY]
    return token


def confirm(client, token, mode="all", course=""):
    data = {"token": token, "mode": mode, "course": course}
    return client.post(reverse("participant-import-confirm"), data)


# --- Roles ----------------------------------------------------------------------------------


def expected(actor: str, success: int = 200) -> int:
    return success if actor in TEAM else (302 if actor == "anon" else 403)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    "url",
    [
        reverse("participant-import"),
        reverse("participant-import-template", args=["xlsx"]),
        reverse("participant-import-template", args=["csv"]),
    ],
)
def test_the_import_pages_answer_each_role(url, actor, browse):
    response = browse(actor).get(url)
    assert response.status_code == expected(actor)
    if actor == "anon":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_team_can_upload_and_confirm(actor, browse, momd):
    client = browse(actor)
    response = upload(client)
    assert response.status_code == expected(actor)
    response = confirm(client, "0" * 32, mode="valid")
    assert response.status_code == expected(actor, success=302)
    assert not Participant.objects.exists()


# --- Preview --------------------------------------------------------------------------------


@pytest.mark.parametrize("make_file", [csv_upload, xlsx_upload], ids=["csv", "xlsx"])
def test_the_preview_lists_every_row_and_saves_nothing(make_file, team, momd):
    response = upload(team, make_file())
    content = response.content.decode()
    assert response.status_code == 200
    assert "import-row--create" in content and "import-row--duplicate" in content
    assert "duplicate of row 2" in content
    # The bad rows by their spreadsheet number, with the field and the reason.
    assert '<th scope="row" class="num">3</th>' in content
    assert "<code>email</code>: Enter a valid e-mail address." in content
    assert '<th scope="row" class="num">4</th>' in content
    assert "<code>country</code>: Unknown country" in content
    assert "Ministry of Refugees" in content  # a new organisation, listed before creation
    assert "2 rows are invalid." in content
    assert not Participant.objects.exists()
    assert Organisation.objects.count() == 1
    assert default_storage.exists(team.session[import_uploads.SESSION_KEY][token_of(team)]["name"])


def test_an_unreadable_file_is_refused_with_a_clear_message(team, db):
    response = upload(team, SimpleUploadedFile("list.xls", b"\xd0\xcf\x11\xe0old", "x"))
    assert response.status_code == 200
    assert "Old Excel files (.xls) cannot be read" in response.content.decode()


def test_a_file_without_a_name_column_is_refused(team, db):
    response = upload(team, csv_upload(rows=[["x"]], header=["Colour"]))
    assert "No name column found" in response.content.decode()


# --- Confirm --------------------------------------------------------------------------------


def test_all_or_nothing_refuses_a_file_with_invalid_rows(team, momd):
    upload(team)
    response = confirm(team, token_of(team), mode="all")
    assert response.status_code == 400
    assert "Nothing was imported" in response.content.decode()
    assert not Participant.objects.exists()
    assert token_of(team)  # the upload is kept: the user can still choose valid rows only


def test_valid_rows_only_imports_the_same_file_without_uploading_it_again(team, momd):
    upload(team)
    token = token_of(team)
    stored = team.session[import_uploads.SESSION_KEY][token]["name"]
    course = CourseFactory(upcoming=True)
    response = confirm(team, token, mode="valid", course=course.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("participant-list")
    assert sorted(Participant.objects.values_list("first_name", flat=True)) == ["Ahmed", "Gul"]
    assert Organisation.objects.filter(name="Ministry of Refugees").exists()
    assert Enrolment.objects.filter(course=course).count() == 2
    assert not default_storage.exists(stored)
    assert team.session[import_uploads.SESSION_KEY] == {}
    messages = team.get(reverse("participant-list")).content.decode()
    assert "Imported: 2 new, 0 updated, 3 skipped. 2 enrolled in the course." in messages


def test_a_clean_file_imports_all_or_nothing_and_twice_registers_each_person_once(team, momd):
    rows = [ROWS[0], ROWS[3]]
    for _ in range(2):
        upload(team, csv_upload(rows=rows))
        assert confirm(team, token_of(team)).status_code == 302
    assert Participant.objects.count() == 2


def test_a_confirmed_upload_cannot_be_imported_again(team, momd):
    upload(team, csv_upload(rows=[ROWS[0]]))
    token = token_of(team)
    confirm(team, token)
    response = confirm(team, token, mode="valid")
    assert response.status_code == 302
    assert response["Location"] == reverse("participant-import")
    assert Participant.objects.count() == 1


def test_an_upload_belongs_to_its_session(team, browse, momd):
    upload(team)
    other = browse("carol")
    assert confirm(other, token_of(team), mode="valid").status_code == 302
    assert not Participant.objects.exists()


@pytest.mark.parametrize("token", ["../../settings.py", "imports/x", ""])
def test_a_token_is_never_a_path(team, momd, token):
    upload(team)
    response = confirm(team, token, mode="valid")
    assert response.status_code == 302
    assert not Participant.objects.exists()


def test_an_upload_expires_after_a_day(team, momd):
    upload(team)
    token = token_of(team)
    session = team.session
    entry = session[import_uploads.SESSION_KEY][token]
    entry["at"] = (dt.datetime.fromisoformat(entry["at"]) - dt.timedelta(days=2)).isoformat()
    session.save()
    response = confirm(team, token, mode="valid")
    assert response["Location"] == reverse("participant-import")
    assert not Participant.objects.exists()


def test_an_invalid_choice_on_confirmation_changes_nothing(team, momd):
    upload(team)
    response = confirm(team, token_of(team), mode="everything")
    assert response.status_code == 400
    assert not Participant.objects.exists()


# --- Downloads ------------------------------------------------------------------------------


def test_the_xlsx_template_has_the_columns_and_an_example_row(team):
    response = team.get(reverse("participant-import-template", args=["xlsx"]))
    assert "attachment" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == list(FIELDS)
    assert rows[1][:3] == ("Ahmed", "Al-Saadi", "أحمد الساعدي")
    assert len(rows) == 2


def test_the_csv_template_reads_back_through_the_importer(team, db):
    response = team.get(reverse("participant-import-template", args=["csv"]))
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(FIELDS)
    upload(team, SimpleUploadedFile("template.csv", response.content, "text/csv"))
    assert confirm(team, token_of(team)).status_code == 302
    assert Participant.objects.get().native_name == "أحمد الساعدي"


def test_the_error_report_lists_the_rows_with_their_errors_formula_safe(team, momd):
    upload(team)
    response = team.get(reverse("participant-import-errors", args=[token_of(team)]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == (*HEADER, "errors")
    assert len(rows) == 1 + len(ROWS)
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["Hassan"][-1].startswith("email: Enter a valid e-mail address.")
    assert by_name["Noor"][0] == '\'=HYPERLINK("http://x")'  # never a live formula
    assert "country: Unknown country" in by_name["Noor"][-1]
    assert by_name["Al-Saadi"][-1] in ("", None)


def test_the_error_report_is_only_for_the_uploader(team, browse, momd):
    upload(team)
    response = browse("carol").get(reverse("participant-import-errors", args=[token_of(team)]))
    assert response.status_code == 302
    assert response["Location"] == reverse("participant-import")


def test_an_abandoned_upload_is_swept_by_the_next_upload_a_day_later(
    team, browse, momd, monkeypatch
):
    upload(team)
    stored = team.session[import_uploads.SESSION_KEY][token_of(team)]["name"]
    later = import_uploads.timezone.now() + dt.timedelta(days=2)
    monkeypatch.setattr(import_uploads.timezone, "now", lambda: later)
    carol = browse("carol")
    upload(carol)
    assert not default_storage.exists(stored)
    assert default_storage.exists(
        carol.session[import_uploads.SESSION_KEY][token_of(carol)]["name"]
    )


def test_the_preview_offers_only_courses_that_take_enrolments_and_refuses_a_closed_one(team, momd):
    upcoming = CourseFactory(title="ToT Tashkent", code="TAS", upcoming=True)
    ended = CourseFactory(title="ToT Islamabad", code="ISB", status="open")  # ended in 2016
    preview = upload(team).content.decode()
    choices = preview[preview.index('name="course"') : preview.index("</select>")]
    assert "ToT Tashkent (TAS)" in choices and "(ISB)" not in choices

    response = confirm(team, token_of(team), mode="valid", course=ended.pk)

    assert response.status_code == 400
    assert "Nobody can be enrolled in ToT Islamabad (ISB): the course ended on" in (
        response.content.decode()
    )
    assert not Participant.objects.exists()
    assert upcoming.enrolment_refusal() is None
