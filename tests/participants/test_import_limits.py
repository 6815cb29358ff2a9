"""Issue 11, "Imports are unbounded": reading a nomination list is bounded in rows, columns,
line length and time, never pads a sheet's missing rows, and happens before any transaction
opens; a dry run writes nothing and opens no transaction.

The hostile workbooks are written by hand (a zip of a few XML parts), because no spreadsheet
program writes them; the ordinary ones with openpyxl, whose reading of them is the reference
the importer's reader must agree with.
"""

import datetime as dt
import io
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from participants import imports
from participants.models import Participant
from participants.services import ImportRefused, participants_import
from tests.factories import CourseFactory, ParticipantFactory

URL = "/api/v1/participants/import/"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SPREADSHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"


# --- Building workbooks by hand ---------------------------------------------------------------


def workbook(sheet_data: str, *, strings: str = "", styles: str = "", prefix: str = "") -> bytes:
    """An XLSX file whose first sheet's ``<sheetData>`` is ``sheet_data``; ``strings`` is the
    inside of a shared strings table, ``styles`` a whole styles part; ``prefix`` writes the
    sheet with a namespace prefix (``x:``), as some generators do."""
    ns = f"xmlns:{prefix[:-1]}" if prefix else "xmlns"
    related = [("worksheet", "worksheets/sheet1.xml")]
    parts = {
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<{prefix}worksheet {ns}="{MAIN}"><{prefix}sheetData>{sheet_data}'
        f"</{prefix}sheetData></{prefix}worksheet>",
    }
    if strings:
        related.append(("sharedStrings", "sharedStrings.xml"))
        parts["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{strings}</sst>'
    if styles:
        related.append(("styles", "styles.xml"))
        parts["xl/styles.xml"] = styles
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{DOC}/{kind}" Target="{target}"/>'
        for n, (kind, target) in enumerate(related, start=1)
    )
    types = "".join(
        f'<Override PartName="/xl/{target}" ContentType="{SPREADSHEETML}.{kind}+xml"/>'
        for kind, target in [("sheet.main", "workbook.xml"), *related]
    )
    parts |= {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f"{types}</Types>",
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
        '<sheet name="List" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}">{rels}</Relationships>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def row(number: int, *values: str, start: str = "A") -> str:
    """A ``<row>`` of inline strings from column ``start`` on (a single letter)."""
    cells = "".join(
        f'<c r="{chr(ord(start) + i)}{number}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def post(client, data: bytes, name="list.xlsx", **fields):
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(URL, {"file": upload, **fields}, format="multipart")


def run(data: bytes, **options):
    return participants_import(file=io.BytesIO(data), by=None, **options)


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows the XLSX reader handed over; it may never hand over more than
    ``limit`` (a reader that pads missing rows is stopped there, not after 20 million)."""
    seen = {"rows": 0, "limit": 3 * imports.MAX_ROWS}
    read = imports._read_xlsx

    def counting(*args, **kwargs):
        for item in read(*args, **kwargs):
            seen["rows"] += 1
            assert seen["rows"] <= seen["limit"], "the reader pads the sheet's missing rows"
            yield item

    monkeypatch.setattr(imports, "_read_xlsx", counting)
    return seen


# --- Rows -------------------------------------------------------------------------------------


def test_a_lone_row_at_20_million_is_refused_without_reading_the_rows_before_it(
    api_as, alice, rows_read
):
    rows_read["limit"] = 100
    data = workbook(row(1, "first_name") + row(20_000_000, "Ali"))
    assert len(data) < 2_000

    response = post(api_as(alice), data)

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "row numbered 20000000" in detail
    assert "1048576" in detail
    assert rows_read["rows"] <= 1
    assert not Participant.objects.exists()


def test_a_row_far_down_is_read_as_that_row_without_reading_the_blank_ones(db, rows_read):
    rows_read["limit"] = 100
    data = workbook(row(1, "first_name") + row(3, "Ali") + row(1_048_576, "Omar"))

    report = run(data, dry_run=True)

    assert [(r.row, r.action, r.name) for r in report.rows] == [
        (3, "create", "Ali"),
        (1_048_576, "create", "Omar"),
    ]
    assert rows_read["rows"] == 3


def test_more_filled_rows_than_the_limit_are_refused_but_blank_rows_between_are_free(
    api_as, alice, rows_read
):
    """20,000 names spread over 800,000 rows, with formatted empty rows between them, are read
    in one pass over the rows present; one name more is refused as soon as it is read."""
    spread = 40
    blank = '<row r="{n}"><c r="A{n}" s="1"/><c r="B{n}" t="inlineStr"><is><t> </t></is></c></row>'
    lines = [row(1, "first_name", "last_name")]
    for n in range(imports.MAX_ROWS):
        number = 2 + n * spread
        lines.append(row(number, f"Trainee{n}", "Ali"))
        if n % 100 == 0:
            lines.append(blank.format(n=number + 1))
    last = 2 + (imports.MAX_ROWS - 1) * spread

    table = imports.read_table(workbook("".join(lines)))

    assert len(table.rows) == imports.MAX_ROWS
    assert table.rows[0] == (2, ["Trainee0", "Ali"])
    assert table.rows[-1] == (last, [f"Trainee{imports.MAX_ROWS - 1}", "Ali"])
    assert rows_read["rows"] <= 1 + imports.MAX_ROWS + imports.MAX_ROWS // 100

    one_more = [
        row(last + 1, "One", "More"),
        *(row(last + 2 + n, "Never", "Read") for n in range(50)),
    ]
    rows_read["rows"] = 0
    response = post(api_as(alice), workbook("".join(lines + one_more)))

    assert response.status_code == 400
    assert "more than 20000 rows" in response.json()["detail"]
    assert rows_read["rows"] <= 1 + imports.MAX_ROWS + imports.MAX_ROWS // 100 + 1
    assert not Participant.objects.exists()


# --- Columns ----------------------------------------------------------------------------------


def wide_sheet(columns: int, rows: int) -> str:
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(c) for c in range(1, columns + 1)]
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>first_name</t></is></c>' + "".join(
        f'<c r="{letter}1"><v>1</v></c>' for letter in letters[1:]
    )
    body = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{letter}{r}"><v>1</v></c>' for letter in letters)
        + "</row>"
        for r in range(2, rows + 1)
    )
    return header + "</row>" + body


def test_a_sheet_wider_than_the_column_cap_is_refused_as_it_is_read(api_as, alice, rows_read):
    response = post(api_as(alice), workbook(wide_sheet(1_000, 200)))

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "column AY" in detail and "first 50 columns" in detail
    assert rows_read["rows"] == 0  # refused inside the header row
    assert not Participant.objects.exists()


def test_a_csv_wider_than_the_column_cap_is_refused(api_as, alice):
    header = ",".join(["first_name", *(f"extra{n}" for n in range(59))])
    data = f"{header}\r\nAli{',x' * 59}\r\n".encode()

    response = post(api_as(alice), data, "list.csv")

    assert response.status_code == 400
    assert "column AY" in response.json()["detail"]
    assert not Participant.objects.exists()


def test_empty_cells_beyond_the_column_cap_are_ignored_but_data_there_is_refused(db):
    """Formatting reaches far to the right on many sheets; only a value there is refused."""
    formatted = '<c r="BA2" s="1"/><c r="ZZ2" t="inlineStr"><is><t> </t></is></c>'
    ali = '<c r="A2" t="inlineStr"><is><t>Ali</t></is></c>'
    sheet = row(1, "first_name") + f'<row r="2">{ali}{formatted}</row>'
    csv = b"first_name" + b"," * 500 + b"\r\nOmar" + b"," * 500 + b"\r\n"

    assert [r.name for r in run(workbook(sheet), dry_run=True).rows] == ["Ali"]
    assert [r.name for r in run(csv, dry_run=True).rows] == ["Omar"]
    with pytest.raises(imports.DomainError, match="column BA"):
        run(workbook(sheet.replace('<c r="BA2" s="1"/>', '<c r="BA2"><v>0</v></c>')))


# --- Lines and time ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data,line",
    [
        (b"first_name" + b",x" * 100_000 + b"\r\nAli\r\n", 1),
        (b"first_name,last_name\r\nAli,Omar\r\n" + b"Zainab," + b"a" * 100_000 + b"\r\n", 3),
    ],
    ids=["wide-header", "long-row"],
)
def test_a_csv_with_an_enormous_line_is_refused(data, line, api_as, alice):
    response = post(api_as(alice), data, "list.csv")

    assert response.status_code == 400
    detail = response.json()["detail"]
    assert f"Line {line} is longer than {imports.MAX_LINE_CHARS} characters" in detail
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        workbook(row(1, "first_name") + "".join(row(n, "Ali") for n in range(2, 30))),
        b"first_name\r\n" + b"Ali\r\n" * 30,
    ],
    ids=["xlsx", "csv"],
)
def test_reading_stops_at_the_deadline(data, api_as, alice, monkeypatch):
    """The deadline is checked while reading: a clock that jumps a second at every look passes
    it within a few rows, and the file is refused with the reason."""
    assert post(api_as(alice), data, dry_run="true").status_code == 200
    ticks = iter(range(0, 10**6))
    monkeypatch.setattr(imports, "_clock", lambda: float(next(ticks)))

    response = post(api_as(alice), data, dry_run="true")

    assert response.status_code == 400
    assert "too large or too complex to read" in response.json()["detail"]


# --- Malformed workbooks ----------------------------------------------------------------------


def test_a_workbook_with_a_document_type_declaration_is_refused(api_as, alice):
    """No spreadsheet program writes a DTD; entities are how XML bombs are made."""
    sheet = workbook(row(1, "first_name") + row(2, "&who;"))
    with zipfile.ZipFile(io.BytesIO(sheet)) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    name = "xl/worksheets/sheet1.xml"
    parts[name] = parts[name].replace(
        b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY who "Ali">]><worksheet', 1
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part, text in parts.items():
            archive.writestr(part, text)

    response = post(api_as(alice), out.getvalue())

    assert response.status_code == 400
    assert "could not be read as an Excel workbook" in response.json()["detail"]
    assert not Participant.objects.exists()


# --- Reading what spreadsheet programs write --------------------------------------------------


def openpyxl_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """The reference: the filled rows as openpyxl reads them, every cell as text."""
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [imports._cell_text(value) for value in values]
        while cells and not cells[-1]:
            cells.pop()
        if any(cell.strip() for cell in cells):
            rows.append((number, cells))
    return rows


def read_rows(data: bytes) -> list[tuple[int, list[str]]]:
    table = imports.read_table(data)
    return [(1, table.header), *table.rows]


def test_the_reader_agrees_with_openpyxl_on_an_excel_style_workbook(db):
    book = Workbook()
    sheet = book.active
    sheet.append(["First Name", "Family Name", "Phone", "Born", "Score", "Member", "Arabic"])
    sheet.append(["Ahmed", "Al-Saadi", 7701234567, dt.date(1980, 5, 17), 12.5, True, "أحمد"])
    sheet.append([None, None, None, None, None, None, None])
    sheet.append(["Layla", None, 9.6477e11, dt.datetime(2024, 1, 2, 9, 30), 3, False, None])
    sheet["C6"] = '=HYPERLINK("x")'
    sheet["A7"] = "  Gul "
    sheet["D7"] = dt.time(10, 30)
    sheet["E7"] = dt.timedelta(hours=30)
    sheet["E7"].number_format = "[h]:mm:ss"
    sheet["A1"].font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()

    assert read_rows(data) == openpyxl_rows(data)
    assert read_rows(data)[1] == (
        2,
        ["Ahmed", "Al-Saadi", "7701234567", "1980-05-17T00:00:00", "12.5", "True", "أحمد"],
    )


@pytest.mark.filterwarnings("ignore:Workbook contains no default style")
def test_the_reader_agrees_with_openpyxl_on_hand_written_xml(db):
    """Shared strings with rich text and phonetic runs, cells without coordinates, a
    namespace prefix, errors, booleans and cached formula results, custom and built-in date
    styles."""
    strings = (
        "<si><t>first_name</t></si>"
        '<si><r><rPr><b/></rPr><t>Zai</t></r><r><t xml:space="preserve">nab </t></r>'
        '<rPh sb="0" eb="1"><t>ignored</t></rPh></si>'
        "<si><t>last_name</t></si><si><t>phone</t></si><si><t>x_x005F_y</t></si>"
    )
    styles = (
        f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
        'formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="3"><xf numFmtId="0"/>'
        '<xf numFmtId="164"/><xf numFmtId="14"/></cellXfs></styleSheet>'
    )
    sheet = (
        '<x:row r="1"><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c>'
        '<x:c t="s"><x:v>3</x:v></x:c><x:c r="E1" t="inlineStr"><x:is><x:t>when</x:t></x:is>'
        "</x:c></x:row>"
        '<x:row><x:c t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>4</x:v></x:c>'
        '<x:c><x:v>1.5E+3</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c>'
        '<x:c s="1"><x:v>45000.25</x:v></x:c></x:row>'
        '<x:row r="5"><x:c r="B5" t="b"><x:v>1</x:v></x:c><x:c t="str"><x:f>A1</x:f>'
        '<x:v>cached</x:v></x:c><x:c r="E5" s="2"><x:v>0.5</x:v></x:c></x:row>'
    )
    data = workbook(sheet, strings=strings, styles=styles, prefix="x:")

    assert read_rows(data) == openpyxl_rows(data)
    assert read_rows(data)[1] == (
        2,
        ["Zainab ", "x_y", "1500", "#N/A", "2023-03-15T06:00:00"],
    )


# --- Transactions -----------------------------------------------------------------------------


def nomination_list() -> bytes:
    return b"first_name,last_name,email\r\nAli,Omar,ali@example.org\r\nZainab,Ali,z@example.org\r\n"


@pytest.fixture
def queries():
    """Every query with whether it ran inside a transaction."""
    seen: list[tuple[str, bool]] = []

    def record(execute, sql, params, many, context):
        seen.append((sql, connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def writes(queries) -> list[tuple[str, bool]]:
    return [
        (sql, atomic)
        for sql, atomic in queries
        if sql.lstrip().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


@pytest.mark.django_db(transaction=True)
def test_the_file_is_read_and_checked_before_the_transaction_opens(monkeypatch, queries):
    assert not connection.in_atomic_block
    ParticipantFactory(email="z@example.org")
    del queries[:]
    in_transaction = []
    for module, name in [(imports, "read_table"), (imports, "validate_row")]:
        original = getattr(module, name)

        def spy(*args, _original=original, **kwargs):
            in_transaction.append(connection.in_atomic_block)
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)

    report = run(nomination_list())

    assert (report.created, report.updated) == (1, 1)
    assert in_transaction == [False, False, False]  # one read, two rows checked
    assert writes(queries) and all(atomic for _sql, atomic in writes(queries))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("refused", [False, True], ids=["dry-run", "refused-invalid-rows"])
def test_a_dry_run_or_a_refused_import_writes_nothing_and_opens_no_transaction(refused, queries):
    ParticipantFactory(email="z@example.org")
    course = CourseFactory(upcoming=True)
    before = Participant.objects.count()
    del queries[:]
    data = nomination_list() + (b"Bad,Email,not-an-email\r\n" if refused else b"")

    if refused:
        with pytest.raises(ImportRefused):
            run(data, course=course)
    else:
        report = run(data, dry_run=True, course=course)
        assert (report.created, report.updated, report.enrolled) == (1, 1, 2)

    assert queries, "the registry is read"
    assert writes(queries) == []
    assert not any(atomic for _sql, atomic in queries)
    assert not any("SAVEPOINT" in sql or "BEGIN" in sql for sql, _atomic in queries)
    assert Participant.objects.count() == before
