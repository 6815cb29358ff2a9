"""Writing spreadsheets people open in Excel, LibreOffice or Google Sheets, safely.

Every text cell comes from somebody's typing (a nomination list, a form), so each one is
neutralised against formula injection (OWASP "CSV injection"): a cell that a spreadsheet would
evaluate gets a leading apostrophe and stays plain text. XLSX cells are also written with the
explicit string type, so even a value that slipped through is never stored as a formula. CSV is
UTF-8 with a byte-order mark, without which Excel reads Arabic and Cyrillic as mojibake.

Numbers (scores, counts) are written as numbers: they are produced by the application, never
typed text, and a negative knowledge gain must stay a number a spreadsheet can sum.

Must not: touch the database. Callers build the rows.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# A cell starting with one of these is evaluated by Excel, LibreOffice and Google Sheets; a
# leading apostrophe makes it plain text again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

Cell = str | int | float | Decimal | None


def neutralise_formula(value):
    """``"=HYPERLINK(...)"`` -> ``"'=HYPERLINK(...)"``; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _text(value: str) -> str:
    # XLSX (XML 1.0) cannot hold most control characters; openpyxl would refuse the workbook.
    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value))


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV file, UTF-8 with BOM, every text cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise_formula(h) for h in header])
    for row in rows:
        writer.writerow(
            ["" if v is None else neutralise_formula(v) if isinstance(v, str) else v for v in row]
        )
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    widths: Sequence[int] | None = None,
) -> bytes:
    """A one-sheet workbook: a bold, frozen header row, then ``rows``. Text cells are explicit
    strings, neutralised; numbers stay numbers; ``None`` is an empty cell."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its one sheet active
    # Sheet titles: at most 31 characters, none of []:*?/\ .
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    bold = Font(bold=True)
    for column, label in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=column, value=_text(label))
        cell.data_type = "s"
        cell.font = bold
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            if value is None:
                continue
            if isinstance(value, str):
                cell = sheet.cell(row=row_number, column=column, value=_text(value))
                cell.data_type = "s"
            else:
                sheet.cell(row=row_number, column=column, value=value)
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths or (), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
