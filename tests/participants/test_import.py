"""Bulk import of trainees: ``POST /api/v1/participants/import/`` and ``participants_import``.

The files are built here: CSV bytes in the encodings nomination lists arrive in, and XLSX
workbooks written with openpyxl.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from participants.models import Enrolment, Organisation, Participant
from participants.services import ImportRefused, participants_import
from tests.factories import CourseFactory, OrganisationFactory, ParticipantFactory

URL = "/api/v1/participants/import/"

HEADER = [
    " First Name ",
    "Family Name",
    "Name (Arabic)",
    "Sex",
    "E-Mail",
    "Mobile",
    "Ministry",
    "Job Title",
    "Nationality",
    "Remarks",
]
# A messy nomination list: row numbers as the user sees them (the header is row 1).
NOMINATIONS = [
    ["Ahmed", "Al-Saadi", "أحمد الساعدي", "M", "ahmed@moi.gov.iq", "07701234567",
     "Ministry of Interior", "Officer", "Iraq", ""],  # row 2
    ["Layla", "Hassan", "ليلى حسن", "أنثى", "layla@momd.gov.iq", "", "momd", "Director",
     "IQ", "nominated late"],  # row 3
    ["", "", "", "", "", "", "", "", "", ""],  # row 4: empty, skipped silently
    ["Ahmad Shah", "", "", "male", "ahmad.shah@", "", "Ministry of Refugees", "", "AFG",
     ""],  # row 5: bad e-mail
    ["Fatima", "Noor", "", "F", "fatima@example.org", "", "", "", "Narnia", ""],  # row 6
    ["  AHMED ", "al-saadi", "", "", "AHMED@MOI.GOV.IQ", "", "Ministry of Interior", "",
     "", ""],  # row 7: same person as row 2
    ["Gul", "", "", "w", "", "+93 70 123 4567", "Ministry of Interior Affairs", "",
     "Afghanistan", ""],  # row 8: a single given name
]  # fmt: skip


def csv_bytes(rows, header=HEADER, delimiter=";", encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in [header, *rows]:
        sheet.append([value or None for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def post(client, data: bytes, name="nominations.csv", **fields):
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(URL, {"file": upload, **fields}, format="multipart")


def run(data: bytes, **options):
    options = {"dry_run": False, "skip_invalid": False, **options}
    return participants_import(file=io.BytesIO(data), by=None, **options)


def simple(rows, header=("first_name", "last_name", "email", "gender", "country")):
    return csv_bytes(rows, header=list(header), delimiter=",", encoding="utf-8")


@pytest.fixture
def momd(db):
    return OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")


def errors_of(body) -> list[tuple[int, str]]:
    return [(error["row"], error["field"]) for error in body["errors"]]


def actions_of(body) -> list[tuple[int, str]]:
    return [(row["row"], row["action"]) for row in body["rows"]]


# --- The nomination list ------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,name",
    [(csv_bytes(NOMINATIONS), "list.csv"), (xlsx_bytes(NOMINATIONS), "list.xlsx")],
    ids=["csv-bom-semicolons", "xlsx"],
)
def test_a_dry_run_flags_exactly_the_bad_rows_and_changes_nothing(data, name, api_as, alice, momd):
    response = post(api_as(alice), data, name, dry_run="true")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert errors_of(body) == [(5, "email"), (6, "country")]
    assert actions_of(body) == [
        (2, "create"),
        (3, "create"),
        (5, "invalid"),
        (6, "invalid"),
        (7, "duplicate"),
        (8, "create"),
    ]
    assert body["rows"][4]["message"] == "duplicate of row 2"
    assert (body["dry_run"], body["created"], body["updated"], body["skipped"]) == (True, 3, 0, 3)
    assert body["ignored_columns"] == ["Remarks"]
    assert body["new_organisations"] == ["Ministry of Interior", "Ministry of Interior Affairs"]
    assert Participant.objects.count() == 0
    assert Organisation.objects.count() == 1


def test_it_refuses_a_file_with_invalid_rows_and_changes_nothing(api_as, alice, momd):
    response = post(api_as(alice), csv_bytes(NOMINATIONS))

    assert response.status_code == 400
    body = response.json()
    assert "nothing was imported" in body["detail"]
    assert errors_of(body) == [(5, "email"), (6, "country")]
    assert body["errors"][0]["message"] == "Enter a valid e-mail address."
    assert Participant.objects.count() == 0
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_skip_invalid_imports_the_valid_rows(make, api_as, carol, momd):
    response = post(api_as(carol), make(NOMINATIONS), skip_invalid="true")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["dry_run"], body["created"], body["updated"], body["skipped"]) == (False, 3, 0, 3)
    ahmed = Participant.objects.get(email="ahmed@moi.gov.iq")
    assert ahmed.native_name == "أحمد الساعدي"
    assert (ahmed.gender, ahmed.country.code, ahmed.phone) == ("male", "IQ", "+9647701234567")
    assert ahmed.organisation.name == "Ministry of Interior"
    assert Participant.objects.get(email="layla@momd.gov.iq").organisation == momd
    gul = Participant.objects.get(first_name="Gul")
    assert (gul.last_name, gul.gender, gul.country.code) == ("", "female", "AF")
    assert gul.phone == "+93701234567"
    assert Participant.objects.count() == 3
    assert not Participant.objects.filter(first_name__in=["Ahmad Shah", "Fatima"]).exists()
    rows = {row["row"]: row for row in body["rows"]}
    assert rows[2]["participant"] == rows[7]["participant"] == ahmed.pk
    assert sorted(Organisation.objects.values_list("name", flat=True)) == [
        "Ministry of Interior",
        "Ministry of Interior Affairs",
        "Ministry of Migration and Displacement",
    ]


def test_importing_the_same_file_twice_registers_each_person_once(api_as, alice, momd):
    first = post(api_as(alice), csv_bytes(NOMINATIONS), skip_invalid="true").json()
    second = post(api_as(alice), csv_bytes(NOMINATIONS), skip_invalid="true").json()

    assert (first["created"], first["updated"]) == (3, 0)
    assert (second["created"], second["updated"], second["new_organisations"]) == (0, 3, [])
    assert Participant.objects.count() == 3
    assert Organisation.objects.count() == 3


# --- Reading files --------------------------------------------------------------------------


def test_it_reads_a_windows_arabic_csv(db):
    rows = [["Ahmed", "Al-Saadi", "أحمد الساعدي", "M", "", "", "", "", "IQ", ""]]
    data = csv_bytes(rows, delimiter=",", encoding="cp1256")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    report = run(data)

    assert report.created == 1
    assert Participant.objects.get().native_name == "أحمد الساعدي"


def test_it_reads_tab_separated_utf8_without_bom(db):
    data = csv_bytes([["Zainab", "Ali"]], header=["First name", "Surname"], delimiter="\t")

    run(data.removeprefix(b"\xef\xbb\xbf"))

    assert Participant.objects.get().full_name == "Zainab Ali"


def test_it_forgives_header_spelling_and_ignores_unknown_columns(db):
    header = ["E-Mail", "Family Name", " FIRST NAME ", "organization", "Date of birth"]
    data = csv_bytes([["z@example.org", "Ali", "Zainab", "MoI", "1980"]], header=header)

    report = run(data)

    person = Participant.objects.get()
    assert (person.first_name, person.last_name, person.email) == ("Zainab", "Ali", "z@example.org")
    assert person.organisation.name == "MoI"
    assert report.ignored_columns == ["Date of birth"]


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "empty"),
        (b"\r\n\r\n", "empty"),
        (csv_bytes([["x@example.org"]], header=["email"]), "No name column"),
        (b"PK\x03\x04 not really a workbook", "Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".xls"),
        (b"first_name\n" + b"Ali\n" * 20_001, "20000 rows"),
    ],
    ids=["empty", "blank-lines", "no-name-column", "broken-xlsx", "old-xls", "too-many-rows"],
)
def test_it_refuses_an_unusable_file_with_a_clear_message(data, message, api_as, alice):
    response = post(api_as(alice), data)

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert Participant.objects.count() == 0


def test_empty_rows_do_not_count_towards_the_row_limit(db):
    report = run(b"first_name\n" + b" , \n" * 30_000 + b"Ali\n", dry_run=True)

    assert [(row.row, row.action) for row in report.rows] == [(30_002, "create")]


def test_it_refuses_a_file_over_5_mb(api_as, alice):
    data = b"first_name\n" + b"A" * (5 * 1024 * 1024)

    response = post(api_as(alice), data)

    assert response.status_code == 400
    assert "5 MB" in response.json()["detail"]


# --- Row rules ------------------------------------------------------------------------------


def test_a_single_given_name_is_a_name_but_no_name_is_an_error(db):
    rows = [["Gul", "", "", "", ""], ["", "", "x@example.org", "", ""]]

    report = run(simple(rows), skip_invalid=True)

    assert Participant.objects.get().full_name == "Gul"

    assert [(e.row, e.field) for e in report.errors] == [(3, "first_name")]
    with pytest.raises(ImportRefused):
        run(simple([["", "", "x@example.org", "", ""]]))


@pytest.mark.parametrize(
    "spelling,gender",
    [
        ("F", "female"),
        ("female", "female"),
        ("Woman", "female"),
        ("w", "female"),
        ("ж", "female"),
        ("أنثى", "female"),
        ("m", "male"),
        ("MALE", "male"),
        ("man", "male"),
        ("м", "male"),
        ("ذكر", "male"),
        ("", ""),
    ],
)
def test_it_reads_the_usual_gender_spellings(spelling, gender, db):
    run(simple([["Sam", "", "", spelling, ""]]))

    assert Participant.objects.get().gender == gender


def test_an_unknown_gender_is_an_error(db):
    with pytest.raises(ImportRefused) as refused:
        run(simple([["Sam", "", "", "x", ""]]))

    assert [(e.row, e.field) for e in refused.value.report.errors] == [(2, "gender")]


@pytest.mark.parametrize(
    "text,code",
    [("IQ", "IQ"), ("af", "AF"), ("PAK", "PK"), ("Iraq", "IQ"), ("afghanistan", "AF")],
)
def test_it_reads_a_country_by_code_or_english_name(text, code, db):
    run(simple([["Sam", "", "", "", text]]))

    assert Participant.objects.get().country.code == code


def test_an_over_long_value_is_an_error_for_that_field(db):
    report = run(simple([["A" * 151, "Ali", "", "", ""]]), dry_run=True, skip_invalid=True)

    assert [(e.row, e.field) for e in report.errors] == [(2, "first_name")]
    assert "150" in report.errors[0].message


def test_formula_looking_text_is_stored_literally(db):
    header = ["first_name", "last_name", "position", "native_name"]
    rows = [['=HYPERLINK("http://x")', "+Ali", " -1+2 ", "@SUM(A1)"]]

    run(csv_bytes(rows, header=header))

    person = Participant.objects.get()
    assert (person.first_name, person.last_name) == ('=HYPERLINK("http://x")', "+Ali")
    assert (person.position, person.native_name) == ("-1+2", "@SUM(A1)")


# --- Matching registered people --------------------------------------------------------------


def test_a_registered_person_is_updated_by_e_mail(db):
    person = ParticipantFactory(
        email="layla@example.org", position="Officer", phone="+9647701234567"
    )

    report = run(simple([["Layla", "Hassan", "LAYLA@example.org", "F", ""]]))

    person.refresh_from_db()
    assert (report.created, report.updated) == (0, 1)
    assert report.rows[0].participant == person.pk
    assert (person.first_name, person.last_name, person.gender) == ("Layla", "Hassan", "female")
    assert (person.position, person.phone) == ("Officer", "+9647701234567")  # empty cells keep
    assert Participant.objects.count() == 1


def test_a_registered_person_is_updated_by_name_and_organisation(db):
    person = ParticipantFactory(first_name="Omar", last_name="Khan", email="")
    header = ["first_name", "last_name", "organisation", "email"]
    rows = [["omar", "KHAN", person.organisation.acronym.lower(), "omar@example.org"]]

    report = run(csv_bytes(rows, header=header))

    person.refresh_from_db()
    assert (report.created, report.updated) == (0, 1)
    assert person.email == "omar@example.org"


def test_a_same_name_in_another_organisation_is_another_person(db):
    ParticipantFactory(first_name="Omar", last_name="Khan", email="")
    header = ["first_name", "last_name", "organisation"]

    report = run(csv_bytes([["Omar", "Khan", "Another ministry"]], header=header))

    assert report.created == 1
    assert Participant.objects.count() == 2


# --- Enrolment ------------------------------------------------------------------------------


def test_course_enrols_the_imported_people_once(api_as, alice, momd):
    course = CourseFactory(upcoming=True)
    data = csv_bytes(NOMINATIONS)

    dry = post(api_as(alice), data, skip_invalid="true", dry_run="true", course=course.pk)
    first = post(api_as(alice), data, skip_invalid="true", course=course.pk)
    second = post(api_as(alice), data, skip_invalid="true", course=course.pk)

    assert dry.json()["enrolled"] == 3
    assert first.json()["enrolled"] == 3
    assert second.json()["enrolled"] == 0
    assert Enrolment.objects.filter(course=course).count() == 3


def test_a_cancelled_course_is_refused(api_as, alice):
    course = CourseFactory(status="cancelled")

    response = post(api_as(alice), simple([["Sam", "", "", "", ""]]), course=course.pk)

    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]
    assert Participant.objects.count() == 0


# --- Permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor,expected",
    [("project_team", 200), ("coordinator", 200), ("trainer", 403), ("norole", 403)],
)
def test_only_the_project_team_and_coordinators_import(actor, expected, actors, api_as):
    response = post(api_as(actors[actor]), simple([["Sam", "", "", "", ""]]))

    assert response.status_code == expected
    assert Participant.objects.count() == (1 if expected == 200 else 0)


def test_anonymous_clients_are_asked_for_credentials(anon_api, db):
    response = post(anon_api, simple([["Sam", "", "", "", ""]]))

    assert response.status_code == 401
    assert Participant.objects.count() == 0
