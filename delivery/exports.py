"""A course's trainee files: the roster and the attendance sheet (XLSX or CSV), and the printable
daily sign-in sheet (PDF).

Who may take which file is decided here (``may_export``), once for the API and the pages: the
project team and coordinators take all three; a trainer takes the attendance and sign-in sheets
of a course they teach, never the roster, which carries e-mail addresses and phone numbers.

Text cells go through ``core.spreadsheets`` (formula injection, UTF-8 BOM). The PDF is
rendered from an autoescaped template by WeasyPrint with the certificates' sandboxed URL fetcher
and warm font configuration, so a name like ``<img src="file:///etc/passwd">`` prints as text
and nothing outside the project is ever fetched.

Must not: write to the database.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.roles import COORDINATOR, PROJECT_TEAM, TRAINER, has_role
from core.errors import DomainError
from core.pdf import html_to_pdf
from core.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_bytes, xlsx_bytes
from participants.models import Attendance, Enrolment
from trainings.models import Course
from trainings.selectors import user_teaches_course

from .completion import DaysPresent, course_days

if TYPE_CHECKING:  # django-stubs-ext is a development dependency: for the type checker only
    from django_stubs_ext import WithAnnotations

ROSTER = "roster"
ATTENDANCE_SHEET = "attendance-sheet"
SIGN_IN_SHEET = "sign-in-sheet"
# The files a trainer of the course may take: no contact data in either.
TRAINER_EXPORTS = (ATTENDANCE_SHEET, SIGN_IN_SHEET)

FORMATS = {"xlsx": XLSX_CONTENT_TYPE, "csv": CSV_CONTENT_TYPE}
DEFAULT_FORMAT = "xlsx"
PDF_CONTENT_TYPE = "application/pdf"


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


# --- Rules ----------------------------------------------------------------------------------


def may_export(user, course: Course, export: str) -> bool:
    """Whether ``user`` may take the ``export`` file of ``course``."""
    if has_role(user, PROJECT_TEAM, COORDINATOR):
        return True
    return (
        export in TRAINER_EXPORTS and has_role(user, TRAINER) and user_teaches_course(user, course)
    )


def export_format(raw: str | None) -> str:
    """The requested spreadsheet format (``xlsx`` when none is asked for)."""
    value = (raw or DEFAULT_FORMAT).strip().lower()
    if value not in FORMATS:
        raise DomainError(
            _("Unknown file format “%(format)s”: ask for xlsx or csv.") % {"format": raw},
            field="as",
        )
    return value


def sign_in_day(course: Course, raw: str | None) -> dt.date:
    """The course day a sign-in sheet is for: ``raw`` as YYYY-MM-DD, or the first day."""
    if not raw:
        return course.start_date
    try:
        day = parse_date(raw.strip())
    except ValueError:  # well-formed but impossible, such as 2016-02-30
        day = None
    if day is None:
        raise DomainError(
            _("“%(date)s” is not a date: write it as YYYY-MM-DD.") % {"date": raw}, field="date"
        )
    if not course.start_date <= day <= course.end_date:
        raise DomainError(
            _("%(date)s is not a day of this course (%(start)s to %(end)s).")
            % {"date": day, "start": course.start_date, "end": course.end_date},
            field="date",
        )
    return day


def file_stem(course: Course) -> str:
    """A file name from the course code, safe in every operating system and HTTP header."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", course.code).strip("-")
    return stem or f"course-{course.pk}"


def text_direction(text: str) -> str:
    """``rtl`` when the first letter with a strong direction is Arabic or Hebrew script."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


# --- Reads ----------------------------------------------------------------------------------


def _present_on_course_days(course: Course) -> Count:
    return Count(
        "attendance",
        filter=Q(
            attendance__present=True,
            attendance__date__gte=course.start_date,
            attendance__date__lte=course.end_date,
        ),
    )


def roster_enrolments(course: Course) -> "QuerySet[WithAnnotations[Enrolment, DaysPresent]]":
    """Every enrolment of the course, whatever its status, with ``days_present``: one query."""
    return (
        Enrolment.objects.filter(course=course)
        .select_related("participant__organisation__parent")
        .annotate(days_present=_present_on_course_days(course))
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def trainees_in_course(course: Course) -> QuerySet[Enrolment]:
    """The trainees who take part (not waiting-listed, not withdrawn), in roster order."""
    return (
        Enrolment.objects.filter(course=course)
        .seated()
        .select_related("participant__organisation__parent")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def attendance_by_enrolment(course: Course, enrolments: Iterable[Enrolment]) -> dict:
    """``{enrolment_id: {date: present}}`` for the course days, in one query."""
    marks: dict[int, dict[dt.date, bool]] = {}
    rows = Attendance.objects.filter(
        enrolment__in=[e.pk for e in enrolments],
        date__gte=course.start_date,
        date__lte=course.end_date,
    ).values_list("enrolment_id", "date", "present")
    for enrolment_id, date, present in rows:
        marks.setdefault(enrolment_id, {})[date] = present
    return marks


# --- Roster ---------------------------------------------------------------------------------


def _roster_header() -> list[str]:
    return [
        _("Given name(s)"),
        _("Family name"),
        _("Name in native script"),
        _("Gender"),
        _("Organisation"),
        _("Position"),
        _("Nationality"),
        _("E-mail"),
        _("Phone"),
        _("Status"),
        _("Reason for the status"),
        _("Pre-test"),
        _("Post-test"),
        _("Knowledge gain"),
        _("Days present"),
        _("Course days"),
    ]


def _roster_row(enrolment: "WithAnnotations[Enrolment, DaysPresent]", total_days: int) -> list:
    person = enrolment.participant
    pre, post = enrolment.pre_test_score, enrolment.post_test_score
    # Knowledge gain: post-test minus pre-test, in points, when both are recorded.
    gain = post - pre if pre is not None and post is not None else None
    return [
        person.first_name,
        person.last_name,
        person.native_name,
        person.get_gender_display() if person.gender else "",
        str(person.organisation) if person.organisation_id else "",
        person.position,
        str(person.country.name) if person.country else "",
        person.email,
        person.phone,
        enrolment.get_status_display(),
        enrolment.status_reason_text,
        pre,
        post,
        gain,
        enrolment.days_present,
        total_days,
    ]


def course_roster(course: Course, fmt: str) -> ExportFile:
    rows = [_roster_row(e, course.days) for e in roster_enrolments(course)]
    header = _roster_header()
    name = f"{file_stem(course)}-roster.{fmt}"
    if fmt == "csv":
        return ExportFile(csv_bytes(header, rows), name, CSV_CONTENT_TYPE)
    widths = [18, 18, 24, 10, 36, 24, 16, 28, 18, 16, 30, 9, 9, 9, 9, 9]
    return ExportFile(xlsx_bytes(_("Roster"), header, rows, widths), name, XLSX_CONTENT_TYPE)


# --- Attendance sheet -----------------------------------------------------------------------


def attendance_table(course: Course) -> tuple[list[str], list[list]]:
    """Header and rows: one row per trainee, one column per course day (P, A or empty when not
    recorded), days present and absent; a last row counts who was present each day."""
    days = course_days(course)
    enrolments = list(trainees_in_course(course))
    marks = attendance_by_enrolment(course, enrolments)
    present_mark, absent_mark = _("P"), _("A")
    header = [
        _("Name"),
        _("Name in native script"),
        _("Organisation"),
        *[day.isoformat() for day in days],
        _("Present"),
        _("Absent"),
    ]
    rows, per_day = [], [0] * len(days)
    for enrolment in enrolments:
        person, own = enrolment.participant, marks.get(enrolment.pk, {})
        cells = []
        for index, day in enumerate(days):
            present = own.get(day)
            cells.append("" if present is None else present_mark if present else absent_mark)
            per_day[index] += present is True
        present_count = sum(1 for value in own.values() if value)
        rows.append(
            [
                person.full_name,
                person.native_name,
                str(person.organisation) if person.organisation_id else "",
                *cells,
                present_count,
                len(own) - present_count,
            ]
        )
    rows.append([_("Present"), "", "", *per_day, None, None])
    return header, rows


def attendance_sheet(course: Course, fmt: str) -> ExportFile:
    header, rows = attendance_table(course)
    name = f"{file_stem(course)}-attendance.{fmt}"
    if fmt == "csv":
        return ExportFile(csv_bytes(header, rows), name, CSV_CONTENT_TYPE)
    widths = [28, 28, 36, *[11] * course.days, 9, 9]
    return ExportFile(xlsx_bytes(_("Attendance"), header, rows, widths), name, XLSX_CONTENT_TYPE)


# --- Sign-in sheet (PDF) --------------------------------------------------------------------


@cache
def _sign_in_css() -> str:
    return render_to_string("delivery/sign_in_sheet.css")


def sign_in_context(course: Course, day: dt.date) -> dict:
    rows = []
    for enrolment in trainees_in_course(course):
        person = enrolment.participant
        rows.append(
            {
                "name": person.full_name,
                "name_dir": text_direction(person.full_name),
                "native_name": person.native_name,
                "native_dir": text_direction(person.native_name),
                "organisation": str(person.organisation) if person.organisation_id else "",
            }
        )
    language = translation.get_language() or "en"
    return {
        "course": course,
        "day": day,
        "day_number": (day - course.start_date).days + 1,
        "day_text": f"{date_format(day, 'l')}, {date_format(day, 'DATE_FORMAT')}",
        "rows": rows,
        "language": language,
        "direction": "rtl" if translation.get_language_bidi() else "ltr",
    }


def sign_in_sheet(course: Course, day: dt.date) -> ExportFile:
    """An A4 portrait sheet for one course day: one line per trainee, both scripts, an empty
    signature box. The table header repeats on every page (WeasyPrint repeats ``thead``)."""
    html = render_to_string("delivery/sign_in_sheet.html", sign_in_context(course, day))
    pdf = html_to_pdf(html=html, css=_sign_in_css())  # one warm writer, shared with certificates
    name = f"{file_stem(course)}-sign-in-{day.isoformat()}.pdf"
    return ExportFile(pdf, name, PDF_CONTENT_TYPE)


def build(course: Course, export: str, *, fmt: str = DEFAULT_FORMAT, day=None) -> ExportFile:
    """The ``export`` file of ``course`` (``fmt`` for spreadsheets, ``day`` for the PDF)."""
    if export == ROSTER:
        return course_roster(course, fmt)
    if export == ATTENDANCE_SHEET:
        return attendance_sheet(course, fmt)
    return sign_in_sheet(course, day)
