"""Spreadsheets handed to the user around an import: the blank template, and the error report
(the uploaded rows with an ``errors`` column) to fix and upload again.

Every cell that could be read as a formula is neutralised: a nomination list is user input,
and opening the report must never run ``=HYPERLINK(...)`` or ``=cmd|...``.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .admin import neutralise_formula
from .imports import FIELDS, ImportReport, Table

EXAMPLE_ROW = {
    "first_name": "Ahmed",
    "last_name": "Al-Saadi",
    "native_name": "أحمد الساعدي",
    "gender": "M",
    "email": "ahmed.alsaadi@example.org",
    "phone": "+964 770 123 4567",
    "organisation": "Ministry of Migration and Displacement",
    "position": "Head of section",
    "country": "IQ",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its one sheet active
    for row in rows:
        sheet.append([neutralise_formula(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_xlsx() -> bytes:
    return _workbook([list(FIELDS), [EXAMPLE_ROW[name] for name in FIELDS]])


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([list(FIELDS), [EXAMPLE_ROW[name] for name in FIELDS]])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8 (Arabic)


def error_report_xlsx(table: Table, report: ImportReport) -> bytes:
    """The uploaded header and filled rows, in their order, with the reasons each invalid row
    was refused in a last ``errors`` column ("email: Enter a valid e-mail address.")."""
    problems: dict[int, list[str]] = {}
    for error in report.errors:
        problems.setdefault(error.row, []).append(f"{error.field}: {error.message}")
    width = max([len(table.header), *(len(row) for _number, row in table.rows)])
    rows = [[*table.header, *[""] * (width - len(table.header)), "errors"]]
    for number, row in table.rows:
        padded = [*row, *[""] * (width - len(row))]
        rows.append([*padded, "; ".join(problems.get(number, []))])
    return _workbook(rows)
