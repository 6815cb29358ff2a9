"""Reading the rows of an XLSX workbook's first sheet, streamed and bounded, for imports.

The rows come straight from the sheet's XML (Python's expat, 64 KB at a time): a row the sheet
does not hold is never made up, so a lone row at 20,000,000 costs one row (and is refused for its
number), and a row is only as wide as the caller allows. openpyxl's own reader is not used: its
read-only sheet yields an empty row for every missing row number, builds every cell of a row
however wide, and loads the shared strings and styles without any bound. Cells read as openpyxl
reads them (shared and inline strings, numbers, dates by their style, booleans, the cached
results of formulas). A workbook with a DTD is refused (entities are how XML bombs are made).

Every refusal is a ``DomainError`` naming the reason; the caller's ``deadline.check()`` runs
after every 64 KB of XML.
"""

import datetime as dt
import functools
import io
import posixpath
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import Protocol
from xml.parsers import expat

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from .errors import DomainError

SHEET_ROWS = 1_048_576  # the last row of a spreadsheet; a higher row number is a damaged file
MAX_PART_BYTES = 64 * 1024 * 1024  # one part of an XLSX archive (a sheet, the strings), unpacked
MAX_SHARED_STRINGS = 1_000_000  # texts in an XLSX's shared strings table
_XML_CHUNK = 64 * 1024
_MAX_RELATIONS = 10_000  # sheets, relationships and styles of a workbook

Row = tuple[int, list[str]]  # the row's number in the file (the header is row 1), its cells


class Deadline(Protocol):
    def check(self) -> None: ...


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers typed into a number cell
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def read_rows(
    data: bytes,
    deadline: Deadline,
    *,
    max_columns: int,
    too_wide: Callable[[int], Exception],
) -> Iterator[Row]:
    """The rows present in the first worksheet, streamed from its XML: a row the sheet does not
    hold is not made up (a lone row at 20,000,000 is one row, refused for its number), and
    cells are read as openpyxl reads them (shared and inline strings, numbers, dates by their
    style, booleans, cached results of formulas), only in the first ``max_columns`` columns (data further right raises ``too_wide(column)``;
    empty formatted cells there are ignored).

    openpyxl's own reader is not used: its read-only sheet yields an empty row for every
    missing row number (20 million of them for that lone row), builds every cell of a row
    however wide, and loads the shared strings and styles without any bound."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            yield from _Workbook(archive, deadline).rows(max_columns, too_wide)
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


def _xml(archive: zipfile.ZipFile, name: str, deadline: Deadline, handler) -> Iterator[None]:
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


def _read_part(archive: zipfile.ZipFile, name: str, deadline: Deadline, handler) -> None:
    for _chunk in _xml(archive, name, deadline, handler):
        pass


def _counted(items: Sized) -> None:
    if len(items) > _MAX_RELATIONS:
        raise ValueError("more sheets, relationships or styles than a workbook holds")


class _Relations:
    """A part's relationships: id → (type, path in the archive), internal targets only."""

    def __init__(self, archive: zipfile.ZipFile, part: str, deadline: Deadline) -> None:
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

    def __init__(
        self,
        strings: list[str],
        styles: _Styles,
        epoch: dt.datetime,
        max_columns: int,
        too_wide: Callable[[int], Exception],
    ) -> None:
        self.strings = strings
        self.max_columns, self.too_wide = max_columns, too_wide
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
            if self.column <= self.max_columns:
                self.parts.append(data)
            elif data.strip():
                raise self.too_wide(self.column)

    def end(self, name: str) -> None:
        if not self.in_data:
            return
        name = _NAMES.get(name) or _local(name)
        if name in ("v", "t"):
            self.collect = False
        elif name == "c":
            if self.parts and self.column <= self.max_columns:
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
                return cell_text(number)
            try:
                duration = self.style in self.durations
                return cell_text(from_excel(number, self.epoch, timedelta=duration))
            except (OverflowError, ValueError):
                return "#VALUE!"  # openpyxl's reading of a date out of range
        if kind == "s":
            return self.strings[int(text)]
        if kind == "b":
            return str(bool(int(text)))
        if kind == "d":
            return cell_text(from_ISO8601(text))
        return text  # inline strings, the cached text of formulas ("str"), errors ("e")


class _Workbook:
    """The parts of an XLSX archive the first worksheet needs: found through the package's
    relationships, the shared strings and the styles read first, then the sheet streamed."""

    def __init__(self, archive: zipfile.ZipFile, deadline: Deadline) -> None:
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

    def rows(self, max_columns: int, too_wide: Callable[[int], Exception]) -> Iterator[Row]:
        sheet = _Sheet(self.strings.strings, self.styles, self.epoch, max_columns, too_wide)
        for _chunk in _xml(self.archive, self.sheet, self.deadline, sheet):
            yield from sheet.rows
            sheet.rows.clear()
