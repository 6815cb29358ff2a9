"""Reading nomination lists (CSV or XLSX) of trainees: decoding, header mapping, row validation
and matching rows to people already registered, plus the report the import answers with.

This module writes nothing and opens no transaction: ``participants.services.participants_import``
reads and checks the file with it first, and only then applies the plan inside one transaction.
File-level problems (too big, too wide, too slow to read, unreadable, no name column) raise
``DomainError``; row-level problems become entries of the report.
"""

import csv
import datetime as dt
import functools
import io
import posixpath
import re
import time
import zipfile
from collections.abc import Iterable, Iterator, Sized
from dataclasses import dataclass, field
from typing import cast
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db.models import Field
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django_countries import countries
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string, get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from core.errors import DomainError

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
SHEET_ROWS = 1_048_576  # the last row of a spreadsheet; a higher row number is a damaged file
MAX_PART_BYTES = 64 * 1024 * 1024  # one part of an XLSX archive (a sheet, the strings), unpacked
MAX_SHARED_STRINGS = 1_000_000  # texts in an XLSX's shared strings table
READ_SECONDS = 5.0  # wall-clock time to read one file
SNIFF_CHARS = 1_000  # of the first line, to guess a CSV's delimiter (the sniffer is quadratic)

_clock = time.monotonic
_XML_CHUNK = 64 * 1024
_MAX_RELATIONS = 10_000  # sheets, relationships and styles of a workbook

Row = tuple[int, list[str]]  # the row's number in the file (the header is row 1), its cells


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


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers typed into a number cell
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(data: bytes, deadline: _Deadline) -> Iterator[Row]:
    """The rows present in the first worksheet, streamed from its XML: a row the sheet does not
    hold is not made up (a lone row at 20,000,000 is one row, refused for its number), and
    cells are read as openpyxl reads them (shared and inline strings, numbers, dates by their
    style, booleans, cached results of formulas), only in the first ``MAX_COLUMNS`` columns.

    openpyxl's own reader is not used: its read-only sheet yields an empty row for every
    missing row number (20 million of them for that lone row), builds every cell of a row
    however wide, and loads the shared strings and styles without any bound."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            yield from _Workbook(archive, deadline).rows()
    except DomainError:
        raise
    except Exception as exc:
        # Any malformed archive or workbook is the user's file, not our bug: answer 400.
        raise DomainError(_("The file could not be read as an Excel workbook (.xlsx).")) from exc


def _local(name: str) -> str:
    """An XML name without its namespace prefix: ``x:row`` → ``row``."""
    return name[name.find(":") + 1 :]


# The names of a sheet's elements as most programs write them (without a prefix), looked up
# before calling ``_local``: a sheet of a million cells is a few million elements.
_NAMES = {name: name for name in ("c", "v", "t", "is", "r", "rPr", "rPh", "f", "row", "si")}


def _no_doctype(*args) -> None:
    # No spreadsheet program writes a DTD; entities are how XML bombs are made.
    raise ValueError("document type declarations are not read")


def _xml(archive: zipfile.ZipFile, name: str, deadline: _Deadline, handler) -> Iterator[None]:
    """Feed one part of the archive to expat in chunks, calling ``handler.start``, ``.end`` and
    ``.text``; yields after each chunk, so a caller can take what was read so far."""
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:  # zipfile stops at the declared size, then fails
        raise DomainError(
            _(
                "The workbook is too large once unpacked (a part of it holds more than "
                "%(mb)d MB); copy the list alone into a new file, or split it."
            )
            % {"mb": MAX_PART_BYTES // 2**20}
        )
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.StartElementHandler = handler.start
    if hasattr(handler, "end"):
        parser.EndElementHandler = handler.end
    if hasattr(handler, "text"):
        parser.CharacterDataHandler = handler.text
    with archive.open(info) as source:
        while chunk := source.read(_XML_CHUNK):
            parser.Parse(chunk, False)
            deadline.check()
            yield
    parser.Parse(b"", True)
    yield


def _read_part(archive: zipfile.ZipFile, name: str, deadline: _Deadline, handler) -> None:
    for _chunk in _xml(archive, name, deadline, handler):
        pass


def _counted(items: Sized) -> None:
    if len(items) > _MAX_RELATIONS:
        raise ValueError("more sheets, relationships or styles than a workbook holds")


class _Relations:
    """A part's relationships: id → (type, path in the archive), internal targets only."""

    def __init__(self, archive: zipfile.ZipFile, part: str, deadline: _Deadline) -> None:
        self.folder = posixpath.dirname(part)
        self.found: dict[str, tuple[str, str]] = {}
        name = posixpath.join(self.folder, "_rels", posixpath.basename(part) + ".rels")
        if name in archive.NameToInfo:
            _read_part(archive, name, deadline, self)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) != "Relationship" or attrs.get("TargetMode") == "External":
            return
        target = attrs.get("Target", "")
        if target.startswith("/"):  # from the root of the package
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join(self.folder, target))
        self.found[attrs.get("Id", "")] = (attrs.get("Type", "").rsplit("/", 1)[-1], path)
        _counted(self.found)

    def first(self, kind: str, ids: Iterable[str] | None = None) -> str | None:
        """The path of the first relationship of ``kind`` (among ``ids``, in their order)."""
        for key in self.found if ids is None else ids:
            found_kind, path = self.found.get(key, ("", ""))
            if found_kind == kind:
                return path
        return None


class _WorkbookPart:
    """The sheets of ``workbook.xml`` in their order (their relationship ids) and the epoch."""

    def __init__(self) -> None:
        self.sheets: list[str] = []
        self.epoch = WINDOWS_EPOCH

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = _local(name)
        if name == "sheet":
            self.sheets += [value for key, value in attrs.items() if key.endswith(":id")][:1]
            _counted(self.sheets)
        elif name == "workbookPr" and attrs.get("date1904", "").lower() in ("1", "true"):
            self.epoch = MAC_EPOCH


class _Styles:
    """Which cell styles format a number as a date or a duration, as openpyxl decides it."""

    def __init__(self) -> None:
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []  # the number format of each cell style, in order
        self.in_cell_styles = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = _local(name)
        if name == "numFmt":
            self.custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
            _counted(self.custom)
        elif name == "cellXfs":
            self.in_cell_styles = True
        elif name == "xf" and self.in_cell_styles:
            self.formats.append(int(attrs.get("numFmtId") or 0))
            _counted(self.formats)

    def end(self, name: str) -> None:
        if _local(name) == "cellXfs":
            self.in_cell_styles = False

    def kinds(self) -> tuple[set[int], set[int]]:
        dates, durations = set(), set()
        for style, number_format in enumerate(self.formats):
            code = self.custom.get(number_format) or BUILTIN_FORMATS.get(number_format)
            if is_date_format(code):
                dates.add(style)
            if is_timedelta_format(code):
                durations.add(style)
        return dates, durations


class _SharedStrings:
    """The shared strings table: the text of each ``<si>``, its runs joined, phonetic
    guides (``<rPh>``) left out, as openpyxl reads it."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.collect = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = _NAMES.get(name) or _local(name)
        if name == "t":
            self.collect = not self.phonetic
        elif name == "si":
            self.parts = []
        elif name == "rPh":
            self.phonetic += 1

    def text(self, data: str) -> None:
        if self.collect:
            self.parts.append(data)

    def end(self, name: str) -> None:
        name = _NAMES.get(name) or _local(name)
        if name == "t":
            self.collect = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si":
            self.strings.append("".join(self.parts).replace("x005F_", ""))
            if len(self.strings) > MAX_SHARED_STRINGS:
                raise DomainError(
                    _(
                        "The workbook holds more than %(n)d different texts; copy the list "
                        "alone into a new file, or split it."
                    )
                    % {"n": MAX_SHARED_STRINGS}
                )


@functools.lru_cache(maxsize=1024)
def _column(letters: str) -> int:
    column = column_index_from_string(letters)
    if column < 1:
        raise ValueError(f"no column in {letters!r}")
    return column


class _Sheet:
    """The ``<sheetData>`` of a worksheet, row by row: finished rows gather in ``rows``."""

    def __init__(self, strings: list[str], styles: _Styles, epoch: dt.datetime) -> None:
        self.strings = strings
        self.dates, self.durations = styles.kinds()
        self.epoch = epoch
        self.rows: list[Row] = []
        self.in_data = False
        self.number = 0  # of the current row
        self.cells: dict[int, str] = {}
        self.column = 0  # of the current cell
        self.kind = "n"
        self.style = 0
        self.parts: list[str] = []
        self.collect = False
        self.phonetic = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        name = _NAMES.get(name) or _local(name)
        if not self.in_data:
            self.in_data = name == "sheetData"
        elif name == "c":
            ref = attrs.get("r")
            self.column = _column(ref.rstrip("0123456789")) if ref else self.column + 1
            self.kind = attrs.get("t", "n")
            self.style = int(attrs.get("s") or 0)
            self.parts = []
        elif name == "v":
            self.collect = self.kind != "inlineStr"
        elif name == "t":
            self.collect = self.kind == "inlineStr" and not self.phonetic
        elif name == "row":
            ref = attrs.get("r")
            self.number = int(ref) if ref else self.number + 1
            if self.number > SHEET_ROWS:
                raise DomainError(
                    _(
                        "The sheet has a row numbered %(row)d, beyond the %(max)d rows a "
                        "spreadsheet can hold: the file is damaged or was not saved by a "
                        "spreadsheet program. Save the list again from Excel or LibreOffice."
                    )
                    % {"row": self.number, "max": SHEET_ROWS}
                )
            if self.number < 1:
                raise ValueError(f"row number {self.number}")
            self.cells = {}
            self.column = 0
        elif name == "rPh":
            self.phonetic += 1

    def text(self, data: str) -> None:
        if self.collect:
            if self.column <= MAX_COLUMNS:
                self.parts.append(data)
            elif data.strip():
                raise _beyond_columns(self.column)

    def end(self, name: str) -> None:
        if not self.in_data:
            return
        name = _NAMES.get(name) or _local(name)
        if name in ("v", "t"):
            self.collect = False
        elif name == "c":
            if self.parts and self.column <= MAX_COLUMNS:
                self.cells[self.column] = self._value("".join(self.parts))
        elif name == "row":
            if self.cells:
                row = [""] * max(self.cells)
                for column, value in self.cells.items():
                    row[column - 1] = value
                self.rows.append((self.number, row))
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "sheetData":
            self.in_data = False

    def _value(self, text: str) -> str:
        """A cell as text, as ``_cell_text`` gives openpyxl's value of it."""
        kind = self.kind
        if kind == "n":
            number = float(text) if "." in text or "E" in text or "e" in text else int(text)
            if self.style not in self.dates:
                return _cell_text(number)
            try:
                duration = self.style in self.durations
                return _cell_text(from_excel(number, self.epoch, timedelta=duration))
            except (OverflowError, ValueError):
                return "#VALUE!"  # openpyxl's reading of a date out of range
        if kind == "s":
            return self.strings[int(text)]
        if kind == "b":
            return str(bool(int(text)))
        if kind == "d":
            return _cell_text(from_ISO8601(text))
        return text  # inline strings, the cached text of formulas ("str"), errors ("e")


class _Workbook:
    """The parts of an XLSX archive the first worksheet needs: found through the package's
    relationships, the shared strings and the styles read first, then the sheet streamed."""

    def __init__(self, archive: zipfile.ZipFile, deadline: _Deadline) -> None:
        self.archive, self.deadline = archive, deadline
        book = _Relations(archive, "", deadline).first("officeDocument") or "xl/workbook.xml"
        workbook = _WorkbookPart()
        _read_part(archive, book, deadline, workbook)
        related = _Relations(archive, book, deadline)
        sheet = related.first("worksheet", workbook.sheets)
        if sheet is None:
            raise ValueError("no worksheet")
        self.sheet, self.epoch = sheet, workbook.epoch
        self.strings = _SharedStrings()
        if path := related.first("sharedStrings"):
            _read_part(archive, path, deadline, self.strings)
        self.styles = _Styles()
        if path := related.first("styles"):
            _read_part(archive, path, deadline, self.styles)

    def rows(self) -> Iterator[Row]:
        sheet = _Sheet(self.strings.strings, self.styles, self.epoch)
        for _chunk in _xml(self.archive, self.sheet, self.deadline, sheet):
            yield from sheet.rows
            sheet.rows.clear()


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
    """The row's values by field, stripped. Formula-looking text (``=SUM(...)``) is kept
    as-is: it is stored as plain text and never evaluated here."""
    values = dict.fromkeys(FIELDS, "")
    for index, name in columns.items():
        if index < len(row):
            values[name] = (row[index] or "").strip()
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
