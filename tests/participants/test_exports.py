"""A course's roster, attendance sheet (XLSX, CSV) and daily sign-in sheet (PDF): who may take
them, what they hold, that typed text never becomes a formula, and that hostile names print as
text without anything being fetched."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from core import pdf
from delivery import exports
from delivery.exports import text_direction
from tests.factories import (
    AttendanceFactory,
    CourseFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    OrganisationFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE_CELLS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def course():
    return CourseFactory(
        code="ERB 2016/1",
        title="ToT Erbil",
        start_date=dt.date(2016, 5, 15),
        end_date=dt.date(2016, 5, 18),
    )


@pytest.fixture
def trainee(course):
    person = ParticipantFactory(
        first_name="Layla",
        last_name="Al-Saadi",
        native_name="ليلى الساعدي",
        email="layla@example.org",
        phone="+964 750 000 0000",
        position="=cmd|' /C calc'!A0",
        organisation=OrganisationFactory(name="Ministry of Migration and Displacement"),
    )
    enrolment = EnrolmentFactory(
        participant=person, course=course, pre_test_score=40, post_test_score="72.50"
    )
    AttendanceFactory(enrolment=enrolment, date=dt.date(2016, 5, 15), present=True)
    AttendanceFactory(enrolment=enrolment, date=dt.date(2016, 5, 16), present=False)
    AttendanceFactory(enrolment=enrolment, date=dt.date(2016, 5, 17), present=True)
    return enrolment


@pytest.fixture
def teaching_bob(bob, course):
    ExpertAssignmentFactory(expert=ExpertFactory(user=bob), course=course)
    return bob


def _actor(request, name):
    if name == "bob_teaching":
        return request.getfixturevalue("teaching_bob")
    if name == "bob_not_teaching":
        return request.getfixturevalue("bob")
    return request.getfixturevalue(name)


# --- Who may take which file ----------------------------------------------------------------

SHEET_ACCESS = {
    "dave": 403,
    "bob_not_teaching": 403,
    "bob_teaching": 200,
    "alice": 200,
    "carol": 200,
    "root": 200,
}
ROSTER_ACCESS = {**SHEET_ACCESS, "bob_teaching": 403}


@pytest.mark.parametrize(
    ("path", "access"),
    [
        ("roster/?as=csv", ROSTER_ACCESS),
        ("attendance-sheet/?as=csv", SHEET_ACCESS),
        ("sign-in-sheet/", SHEET_ACCESS),
    ],
    ids=["roster", "attendance-sheet", "sign-in-sheet"],
)
@pytest.mark.parametrize("actor", list(SHEET_ACCESS))
def test_the_api_gives_each_file_only_to_the_roles_that_may_take_it(
    request, api_as, course, trainee, path, access, actor
):
    response = api_as(_actor(request, actor)).get(f"/api/v1/courses/{course.pk}/{path}")
    assert response.status_code == access[actor], response.content[:200]
    if access[actor] == 200:
        assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("path", ["roster/", "attendance-sheet/", "sign-in-sheet/"])
def test_anonymous_api_clients_get_401(anon_api, course, path):
    assert anon_api.get(f"/api/v1/courses/{course.pk}/{path}").status_code == 401


@pytest.mark.parametrize(
    ("path", "access"),
    [("roster/?as=csv", ROSTER_ACCESS), ("attendance-sheet/?as=xlsx", SHEET_ACCESS)],
    ids=["roster", "attendance-sheet"],
)
@pytest.mark.parametrize("actor", list(SHEET_ACCESS))
def test_the_pages_give_each_file_only_to_the_roles_that_may_take_it(
    request, client, course, trainee, path, access, actor
):
    client.force_login(_actor(request, actor))
    response = client.get(f"/courses/{course.pk}/exports/{path}")
    assert response.status_code == access[actor]


def test_anonymous_visitors_are_sent_to_log_in(client, course):
    response = client.get(f"/courses/{course.pk}/exports/roster/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_course_page_offers_each_role_its_files(client, course, trainee, alice, teaching_bob):
    client.force_login(alice)
    page = client.get(f"/courses/{course.pk}/").content.decode()
    assert f"/courses/{course.pk}/exports/roster/?as=xlsx" in page
    assert f"/courses/{course.pk}/exports/sign-in-sheet/" in page

    client.force_login(teaching_bob)
    page = client.get(f"/courses/{course.pk}/").content.decode()
    assert "/exports/roster/" not in page
    assert f"/courses/{course.pk}/exports/attendance-sheet/?as=csv" in page


def test_a_trainer_of_another_course_sees_no_exports(client, course, trainee, bob):
    client.force_login(bob)
    page = client.get(f"/courses/{course.pk}/").content.decode()
    assert "/exports/" not in page


# --- Roster ---------------------------------------------------------------------------------


def test_the_roster_xlsx_has_one_row_per_enrolment_with_scores_and_attendance(
    api_as, alice, course, trainee
):
    EnrolmentFactory(course=course, status="withdrawn", participant__last_name="Zubair")
    response = api_as(alice).get(f"/api/v1/courses/{course.pk}/roster/?as=xlsx")

    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert 'filename="ERB-2016-1-roster.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, layla, withdrawn = rows
    record = dict(zip(header, layla, strict=True))
    assert record["Given name(s)"] == "Layla" and record["Family name"] == "Al-Saadi"
    assert record["Name in native script"] == "ليلى الساعدي"
    assert record["Organisation"] == "Ministry of Migration and Displacement"
    assert record["E-mail"] == "layla@example.org"
    assert record["Phone"] == "'+964 750 000 0000"  # would otherwise be read as a formula
    assert record["Status"] == "Confirmed"
    assert (record["Pre-test"], record["Post-test"], record["Knowledge gain"]) == (40, 72.5, 32.5)
    assert (record["Days present"], record["Course days"]) == (2, 4)
    assert dict(zip(header, withdrawn, strict=True))["Status"] == "Withdrawn"


def test_typed_text_never_becomes_a_formula_in_xlsx(api_as, alice, course):
    for index, text in enumerate(HOSTILE_CELLS):
        EnrolmentFactory(
            course=course,
            participant=ParticipantFactory(
                first_name=f"P{index}", last_name="X", position=text, native_name=text
            ),
        )
    response = api_as(alice).get(f"/api/v1/courses/{course.pk}/roster/?as=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    position = header.index("Position") + 1
    cells = [sheet.cell(row=r, column=position) for r in range(2, 2 + len(HOSTILE_CELLS))]
    assert {cell.data_type for cell in cells} == {"s"}
    assert sorted(cell.value for cell in cells) == sorted("'" + t for t in HOSTILE_CELLS)


def test_typed_text_never_becomes_a_formula_in_csv(api_as, alice, course):
    for index, text in enumerate(HOSTILE_CELLS):
        EnrolmentFactory(
            course=course,
            participant=ParticipantFactory(first_name=f"P{index}", last_name=text),
        )
    response = api_as(alice).get(f"/api/v1/courses/{course.pk}/roster/?as=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    family_names = [row[1] for row in rows[1:]]
    assert sorted(family_names) == sorted("'" + t for t in HOSTILE_CELLS)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_csv_is_utf8_with_bom_so_excel_reads_arabic(api_as, carol, course, trainee):
    response = api_as(carol).get(f"/api/v1/courses/{course.pk}/roster/?as=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="ERB-2016-1-roster.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Given name(s)", "Family name", "Name in native script"]
    assert rows[1][2] == "ليلى الساعدي"


def test_the_roster_reads_a_fixed_number_of_queries(course, django_assert_max_num_queries):
    EnrolmentFactory.create_batch(15, course=course)
    with django_assert_max_num_queries(1):
        exports.course_roster(course, "csv")


# --- Attendance sheet -----------------------------------------------------------------------


def test_the_attendance_sheet_has_one_column_per_course_day_and_totals(
    api_as, alice, course, trainee
):
    EnrolmentFactory(course=course, status="waitlisted")  # not in the course: no row
    other = EnrolmentFactory(course=course, participant__last_name="Zaki")
    AttendanceFactory(enrolment=other, date=dt.date(2016, 5, 15), present=True)

    response = api_as(alice).get(f"/api/v1/courses/{course.pk}/attendance-sheet/?as=csv")

    assert 'filename="ERB-2016-1-attendance.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Name",
        "Name in native script",
        "Organisation",
        "2016-05-15",
        "2016-05-16",
        "2016-05-17",
        "2016-05-18",
        "Present",
        "Absent",
    ]
    assert rows[1][:2] == ["Layla Al-Saadi", "ليلى الساعدي"]
    assert rows[1][3:] == ["P", "A", "P", "", "2", "1"]
    assert rows[2][3:] == ["P", "", "", "", "1", "0"]
    assert rows[3] == ["Present", "", "", "2", "0", "1", "0", "", ""]
    assert len(rows) == 4


def test_the_attendance_sheet_xlsx_keeps_arabic_and_marks(api_as, teaching_bob, course, trainee):
    response = api_as(teaching_bob).get(f"/api/v1/courses/{course.pk}/attendance-sheet/")
    assert response["Content-Type"] == XLSX  # xlsx when no format is asked for
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "ليلى الساعدي"
    assert rows[1][3:9] == ("P", "A", "P", None, 2, 1)


@pytest.mark.parametrize("fmt", ["pdf", "XLSX2", "json"])
def test_an_unknown_format_is_refused_with_a_clear_message(api_as, alice, course, fmt):
    response = api_as(alice).get(f"/api/v1/courses/{course.pk}/roster/?as={fmt}")
    assert response.status_code == 400
    assert "xlsx or csv" in response.json()["as"][0]


def test_the_page_sends_an_unknown_format_back_to_the_course_with_the_reason(client, alice, course):
    client.force_login(alice)
    response = client.get(f"/courses/{course.pk}/exports/roster/?as=ods", follow=True)
    assert response.redirect_chain[-1][0] == f"/courses/{course.pk}/"
    assert "xlsx or csv" in response.content.decode()


# --- Sign-in sheet --------------------------------------------------------------------------


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2016-05-19", "is not a day of this course"),
        ("2016-05-14", "is not a day of this course"),
        ("19/05/2016", "YYYY-MM-DD"),
        ("2016-02-30", "YYYY-MM-DD"),
    ],
)
def test_a_date_outside_the_course_is_refused(api_as, alice, course, date, message):
    response = api_as(alice).get(f"/api/v1/courses/{course.pk}/sign-in-sheet/?date={date}")
    assert response.status_code == 400
    assert message in response.json()["date"][0]


def test_the_sign_in_sheet_prints_both_scripts_and_hostile_names_as_text(
    api_as, alice, course, trainee, monkeypatch
):
    fetched = []
    original = pdf.ProjectOnlyFetcher.fetch

    def recording_fetch(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.ProjectOnlyFetcher, "fetch", recording_fetch)
    EnrolmentFactory(
        course=course,
        participant=ParticipantFactory(
            first_name='<img src="file:///etc/passwd">',
            last_name='<link rel="attachment" href="file:///etc/hostname">',
            native_name="",
        ),
    )

    response = api_as(alice).get(f"/api/v1/courses/{course.pk}/sign-in-sheet/?date=2016-05-16")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="ERB-2016-1-sign-in-2016-05-16.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width < reader.pages[0].mediabox.height  # portrait
    assert round(float(reader.pages[0].mediabox.width) / 72 * 25.4) == 210  # A4
    text = "\n".join(pdf_pages(response.content))
    assert "ToT Erbil" in text and "Day 2 of 4" in text
    assert "Layla Al-Saadi" in text
    assert "ليلى الساعدي" in text  # pypdf extracts Arabic in logical order
    squeezed = "".join(text.split())  # a long name wraps inside its cell
    assert '<imgsrc="file:///etc/passwd">' in squeezed
    assert '<linkrel="attachment"href="file:///etc/hostname">' in squeezed
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"])
    assert "root:x:0:0" not in text
    assert fetched == []


def test_a_long_sign_in_sheet_repeats_the_table_header_on_every_page(client, carol, course):
    for n in range(40):
        EnrolmentFactory(course=course, participant__first_name=f"Trainee{n:02d}")
    client.force_login(carol)

    response = client.get(f"/courses/{course.pk}/exports/sign-in-sheet/")

    assert response.status_code == 200
    pages = pdf_pages(response.content)
    assert len(pages) >= 2
    assert all("Signature" in page and "Name in native script" in page for page in pages)
    assert "Day 1 of 4" in pages[0]


def test_names_are_set_right_to_left_only_when_written_in_arabic_script():
    assert text_direction("ليلى الساعدي") == "rtl"
    assert text_direction("Layla") == "ltr"
    assert text_direction("Лейла") == "ltr"
    assert text_direction("") == "ltr"


def test_every_roster_export_is_in_the_audit_log_and_the_sheets_are_not(
    api_as, alice, client, course
):
    from accounts.models import AuditAction, AuditEntry

    api_as(alice).get(f"/api/v1/courses/{course.pk}/roster/?as=csv")
    client.force_login(alice)
    client.get(f"/courses/{course.pk}/exports/roster/")
    api_as(alice).get(f"/api/v1/courses/{course.pk}/attendance-sheet/")

    entries = AuditEntry.objects.filter(action=AuditAction.ROSTER_EXPORTED).order_by("pk")
    assert [(e.actor, e.object_id, e.data["format"]) for e in entries] == [
        (alice, str(course.pk), "csv"),
        (alice, str(course.pk), "xlsx"),
    ]
