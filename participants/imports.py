"""Reading nomination lists (CSV or XLSX) of trainees: decoding, header mapping, row validation
and matching rows to people already registered, plus the report the import answers with.

This module writes nothing and opens no transaction: ``participants.services.participants_import``
reads and checks the file with it first, and only then applies the plan inside one transaction.
File-level problems (too big, too wide, too slow to read, unreadable, no name column) raise
``DomainError``; row-level problems become entries of the report.
"""

import csv
import functools
import io
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db.models import Field
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl.utils.cell import get_column_letter

from core import xlsx
from core.errors import DomainError
from core.text import without_bidi_controls

from .models import Gender, Organisation, Participant

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"  # the OLE container of Excel 97-2003
FIELDS = (
    "first_name",
    "last_name",
    "native_name",
    "gender",
    "email",
    "phone",
    "organisation",
    "position",
    "country",
)

# Header spellings seen on nomination lists, compared after ``_header_key`` (lower case, only
# letters and digits), so "E-Mail", " FIRST NAME " and "family_name" all match.
_SYNONYMS = {
    "first_name": ("firstname", "givenname", "givennames", "name", "forename"),
    "last_name": ("lastname", "surname", "familyname"),
    "native_name": (
        "nativename",
        "namearabic",
        "arabicname",
        "fullnameinnativescript",
        "nameinnativescript",
    ),
    "gender": ("gender", "sex"),
    "email": ("email", "mail", "emailaddress"),
    "phone": ("phone", "mobile", "telephone", "tel", "phonenumber", "mobilenumber"),
    "organisation": ("organisation", "organization", "ministry", "agency"),
    "position": ("position", "title", "jobtitle", "function"),
    "country": ("country", "nationality"),
}
HEADER_FIELDS = {spelling: name for name, spellings in _SYNONYMS.items() for spelling in spellings}

_GENDERS = {
    **dict.fromkeys(("f", "female", "woman", "w", "ж", "أنثى", "انثى"), Gender.FEMALE),
    **dict.fromkeys(("m", "male", "man", "м", "ذكر"), Gender.MALE),
}


# --- Report ---------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class RowOutcome:
    """What happens to one data row: ``create``, ``update``, ``duplicate`` or ``invalid``."""

    row: int
    action: str
    participant: int | None
    name: str
    message: str = ""


@dataclass
class ImportReport:
    dry_run: bool
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    rows: list[RowOutcome] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)
    enrolled: int = 0


# --- Reading --------------------------------------------------------------------------------

# The limits of one file, besides MAX_BYTES and MAX_ROWS (above). Each is checked while the file
# is read, so a file past one is refused as soon as that is known, with the reason (a 400).
MAX_COLUMNS = 50  # a nomination list has about a dozen; data beyond column AX is refused
MAX_LINE_CHARS = 20_000  # one line of a CSV file
READ_SECONDS = 5.0  # wall-clock time to read one file
SNIFF_CHARS = 1_000  # of the first line, to guess a CSV's delimiter (the sniffer is quadratic)

_clock = time.monotonic

Row = xlsx.Row  # the row's number in the file (the header is row 1), its cells


@dataclass
class Table:
    """The header (row 1) and the filled data rows, each with its number in the file; empty
    rows are left out, so they cost nothing, but the numbers are still the spreadsheet's."""

    header: list[str]
    rows: list[Row]


class _Deadline:
    """``READ_SECONDS`` of wall-clock time from now. The readers ``check`` it as they go: after
    every 64 KB of XML, every 1,024 CSV records and every filled row."""

    def __init__(self) -> None:
        self._end = _clock() + READ_SECONDS

    def check(self) -> None:
        if _clock() > self._end:
            raise DomainError(
                _("The file is too large or too complex to read; split it into smaller files.")
            )


def read_table(data: bytes) -> Table:
    """The header and filled data rows of an uploaded file, every cell as a string.

    Bounded whatever the file: at most ``MAX_BYTES``, ``MAX_ROWS`` filled rows (empty ones do not
    count: workbooks often carry thousands of formatted, empty rows), ``MAX_COLUMNS`` columns,
    ``READ_SECONDS``; the rows are streamed, and a sheet's missing rows are never made up."""
    if len(data) > MAX_BYTES:
        raise DomainError(_("The file is larger than 5 MB; split it into smaller files."))
    if data.startswith(XLS_MAGIC):
        raise DomainError(_("Old Excel files (.xls) cannot be read: save it as .xlsx or CSV."))
    deadline = _Deadline()
    reader = _read_xlsx if data.startswith(XLSX_MAGIC) else _read_csv
    rows = reader(data, deadline)
    number, header = next(rows, (0, []))
    if number != 1 or not _filled(header):
        raise DomainError(_("The file is empty: the first row must name the columns."))
    body: list[Row] = []
    for number, row in rows:  # the readers check the deadline as they go, empty rows too
        if row and _filled(row):
            deadline.check()
            body.append((number, row))
            if len(body) > MAX_ROWS:
                raise DomainError(_("The file has more than %d rows; split it.") % MAX_ROWS)
    return Table(header=header, rows=body)


def _filled(row: list[str]) -> bool:
    return any(cell.strip() for cell in row)


def _beyond_columns(column: int) -> DomainError:
    last = get_column_letter(MAX_COLUMNS)
    return DomainError(
        _(
            "The file has data in column %(column)s, beyond the first %(max)d columns (A to "
            "%(last)s) an import reads; delete the columns after %(last)s, or copy the list "
            "into a new file."
        )
        % {"column": get_column_letter(column), "max": MAX_COLUMNS, "last": last}
    )


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows Arabic (cp1256), which Excel in Iraq and
    Afghanistan writes by default; latin-1 is the fallback that decodes anything."""
    for encoding in ("utf-8-sig", "cp1256"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


# --- CSV ------------------------------------------------------------------------------------


def _check_lines(text: str) -> None:
    """Refuse a line longer than ``MAX_LINE_CHARS`` before the CSV reader splits it: a 5 MB
    line of commas would be millions of cells. (Measuring every line is one pass in C.)"""
    if max(map(len, io.StringIO(text, newline="")), default=0) <= MAX_LINE_CHARS:
        return
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise DomainError(
                _(
                    "Line %(line)d is longer than %(max)d characters; a row of a nomination "
                    "list is far shorter. Check that this is the right file."
                )
                % {"line": number, "max": MAX_LINE_CHARS}
            )


def _delimiter(text: str) -> str:
    lines = (line.rstrip("\r\n") for line in io.StringIO(text, newline=""))
    first_line = next((line for line in lines if line.strip()), "")[:SNIFF_CHARS]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        return max((",", ";", "\t"), key=first_line.count)


def _read_csv(data: bytes, deadline: _Deadline) -> Iterator[Row]:
    """The records of a CSV file, numbered from 1; cells beyond ``MAX_COLUMNS`` must be empty
    and are dropped."""
    text = decode(data).replace("\0", "")
    _check_lines(text)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for number, row in enumerate(records, start=1):
            if not number % 1024:
                deadline.check()
            if len(row) > MAX_COLUMNS:
                extra = next((i for i, cell in enumerate(row[MAX_COLUMNS:]) if cell.strip()), -1)
                if extra >= 0:
                    raise _beyond_columns(MAX_COLUMNS + 1 + extra)
                del row[MAX_COLUMNS:]
            yield number, row
    except csv.Error as exc:
        raise DomainError(_("The file could not be read as CSV: %s") % exc) from exc


# --- XLSX -----------------------------------------------------------------------------------


def _read_xlsx(data: bytes, deadline: _Deadline) -> Iterator[Row]:
    """The rows present in the first worksheet, streamed and bounded (``core.xlsx``), in the
    first ``MAX_COLUMNS`` columns."""
    return xlsx.read_rows(data, deadline, max_columns=MAX_COLUMNS, too_wide=_beyond_columns)


_cell_text = xlsx.cell_text


# --- Header ---------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def map_header(header: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index → field name, and the columns ignored (unknown or repeated)."""
    columns: dict[int, str] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        name = HEADER_FIELDS.get(_header_key(title))
        if name is None or name in columns.values():
            if title.strip():
                ignored.append(title.strip())
            continue
        columns[index] = name
    if not {"first_name", "last_name"} & set(columns.values()):
        raise DomainError(
            _("No name column found: the first row must name a first_name or last_name column.")
        )
    return columns, ignored


# --- Rows -----------------------------------------------------------------------------------


def row_values(row: list[str], columns: dict[int, str]) -> dict[str, str]:
    """The row's values by field, stripped, without bidirectional controls (so an organisation
    pasted with one still matches the registered one). Formula-looking text (``=SUM(...)``)
    is kept as-is: it is stored as plain text and never evaluated here."""
    values = dict.fromkeys(FIELDS, "")
    for index, name in columns.items():
        if index < len(row):
            values[name] = without_bidi_controls(row[index] or "").strip()
    return values


_PARSED = ("gender", "country")  # read into a code, so their length is the code's


def _max_length(name: str) -> int:
    model_field = cast(  # a column of the model, never a relation
        Field,
        (Organisation if name == "organisation" else Participant)._meta.get_field(
            "name" if name == "organisation" else name
        ),
    )
    return model_field.max_length or 0


@functools.lru_cache(maxsize=2048)
def parse_country(text: str) -> str | None:
    """ISO alpha-2 or alpha-3 code, or the English name, in any case; None if unknown.

    Cached: django-countries compares against every country name on each lookup, which was
    half the time of checking a 10,000-row list, and a list repeats a handful of countries."""
    if not text:
        return ""
    code = countries.alpha2(text.upper()) if len(text) in (2, 3) else ""
    return code or countries.by_name(text, insensitive=True) or None


def validate_row(values: dict[str, str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Clean one row; returns the cleaned values and ``(field, message)`` errors."""
    errors = [
        (name, _("At most %(n)d characters (this has %(len)d).") % {"n": n, "len": len(v)})
        for name, v in values.items()
        if name not in _PARSED and (n := _max_length(name)) and len(v) > n
    ]
    clean = dict(values)
    if not values["first_name"] and not values["last_name"]:
        errors.append(("first_name", _("A participant needs at least one name (given or family).")))
    if values["email"]:
        try:
            EmailValidator(_("Enter a valid e-mail address."))(values["email"])
        except ValidationError as exc:
            errors.append(("email", exc.messages[0]))
    gender = _GENDERS.get(values["gender"].casefold(), None if values["gender"] else "")
    if gender is None:
        errors.append(("gender", _("Unknown gender: use F or M (or leave it empty).")))
    clean["gender"] = gender or ""
    country = parse_country(values["country"])
    if country is None:
        errors.append(("country", _("Unknown country: use an ISO code or the English name.")))
    clean["country"] = country or ""
    return clean, errors


# --- Matching -------------------------------------------------------------------------------


class Registry:
    """The organisations and trainees the rows of one file may refer to, read in a few queries
    for the whole file instead of two or three per row.

    Every organisation is read (a registry holds hundreds, not millions), and the trainees whose
    e-mail appears in the file or who belong to an organisation the file names. Matching then
    happens in memory with the rules of the import: an organisation by name or acronym (any
    case, names first, then the oldest); a person by e-mail (any case), else by the same given
    and family name in the same organisation (both without one counts as the same: re-importing
    a list without organisations must not duplicate its people).
    """

    CHUNK = 500  # ids or e-mails per IN (...) query, well under every database's limit

    def __init__(self, rows: Iterable[dict[str, str]]) -> None:
        rows = list(rows)
        self._by_name: dict[str, list[Organisation]] = {}
        self._by_acronym: dict[str, list[Organisation]] = {}
        for organisation in Organisation.objects.order_by("pk"):
            self._by_name.setdefault(organisation.name.casefold(), []).append(organisation)
            if organisation.acronym:
                acronym = organisation.acronym.casefold()
                self._by_acronym.setdefault(acronym, []).append(organisation)
        emails = sorted({v["email"].lower() for v in rows if v.get("email")})
        self._by_email: dict[str, Participant] = {}
        for chunk in _chunks(emails, self.CHUNK):
            for person in (
                Participant.objects.annotate(lower_email=Lower("email"))
                .filter(lower_email__in=chunk)
                .order_by("pk")
            ):
                self._by_email.setdefault(person.email.lower(), person)
        named = {self.organisation(v.get("organisation", "")) for v in rows}
        organisation_ids = sorted(o.pk for o in named if o is not None)
        self._by_identity: dict[tuple, Participant] = {}
        queries = [
            Participant.objects.filter(organisation_id__in=chunk)
            for chunk in _chunks(organisation_ids, self.CHUNK)
        ]
        if any(not v.get("organisation") for v in rows):
            queries.append(Participant.objects.filter(organisation__isnull=True))
        for query in queries:
            for member in query.order_by("pk"):
                key = (member.first_name.casefold(), member.last_name.casefold())
                self._by_identity.setdefault((*key, member.organisation_id), member)

    def organisation(self, name: str) -> Organisation | None:
        """An existing organisation whose name or acronym is ``name`` (any case); names first."""
        if not name:
            return None
        key = name.casefold()
        found = self._by_name.get(key) or self._by_acronym.get(key) or ()
        return found[0] if found else None

    def participant(self, clean: dict[str, str], organisation: Organisation | None):
        """The registered person a cleaned row is about, or ``None``."""
        if clean["email"] and (person := self._by_email.get(clean["email"].lower())):
            return person
        if organisation is None and clean["organisation"]:
            return None  # a new organisation has nobody in it yet
        key = (clean["first_name"].casefold(), clean["last_name"].casefold())
        return self._by_identity.get((*key, organisation.pk if organisation else None))


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def identity_keys(clean: dict[str, str], organisation_key, participant_pk) -> list[tuple]:
    """The keys under which two rows of one file are the same person."""
    keys: list[tuple] = [
        ("name", clean["first_name"].casefold(), clean["last_name"].casefold(), organisation_key)
    ]
    if clean["email"]:
        keys.append(("email", clean["email"].casefold()))
    if participant_pk:
        keys.append(("pk", participant_pk))
    return keys


def display_name(values: dict[str, str]) -> str:
    return " ".join(v for v in (values["first_name"], values["last_name"]) if v)
