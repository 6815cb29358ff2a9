"""Manual uploads are recognised by their content and named safely; downloads are logged."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.errors import DomainError
from core.uploads import CONTENT_TYPES, display_name, sniff
from tests.factories import ManualFactory, ThematicModuleFactory
from trainings.models import Manual, ManualDownload
from trainings.services import manual_create

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zipped(*entries: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = zipped(("word/document.xml", b"<w:document/>"))
XLSX = zipped(("xl/workbook.xml", b"<workbook/>"))


def upload(name: str, data: bytes, claimed: str = "application/pdf") -> Manual:
    return manual_create(
        module=ThematicModuleFactory(),
        language="en",
        title="Trainer's manual",
        file=SimpleUploadedFile(name, data, claimed),
    )


def stored_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- Recognising the content ----------------------------------------------------------------


def test_a_real_pdf_is_accepted(db):
    manual = upload("Legal migration.pdf", PDF)
    assert (manual.original_name, manual.content_type) == ("Legal migration.pdf", "application/pdf")
    with manual.file.open("rb") as handle:
        assert handle.read() == PDF


@pytest.mark.parametrize(
    ("data", "name", "kind", "content_type"),
    [(DOCX, "Manual.docx", "docx", DOCX_TYPE), (XLSX, "Attendance.xlsx", "xlsx", XLSX_TYPE)],
)
def test_office_files_are_told_apart_by_their_inner_names(db, data, name, kind, content_type):
    manual = upload(name, data, claimed="application/octet-stream")
    assert manual.content_type == content_type
    assert manual.original_name == name


@pytest.mark.parametrize(
    ("entries", "kind"),
    [
        ((("ppt/presentation.xml", b"<p/>"),), "pptx"),
        ((("mimetype", b"application/vnd.oasis.opendocument.text"),), "odt"),
        ((("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),), "zip"),
        ((("slides/readme.txt", b"hello"),), "zip"),
    ],
)
def test_sniff_reads_the_zip_directory(entries, kind):
    assert sniff(zipped(*entries), "whatever.pdf") == kind


@pytest.mark.parametrize(
    "data",
    [ELF, b"MZ\x90\x00" + b"\x00" * 60, b"<!DOCTYPE html><script>x()</script>", b"#!/bin/sh\n"],
    ids=["elf", "pe", "html", "script"],
)
def test_sniff_refuses_what_is_not_a_document(data):
    with pytest.raises(DomainError) as caught:
        sniff(data, "manual.pdf")
    assert "not a PDF, DOCX, PPTX, XLSX, ODT or ZIP" in caught.value.message


def test_a_broken_zip_is_refused():
    with pytest.raises(DomainError):
        sniff(b"PK\x03\x04 this is not really a zip", "manual.docx")


def test_an_executable_renamed_pdf_is_refused_and_nothing_is_stored(db, settings):
    with pytest.raises(DomainError) as caught:
        upload("manual.pdf", ELF)
    assert caught.value.message == (
        "This file is not a PDF, DOCX, PPTX, XLSX, ODT or ZIP "
        "(its content says otherwise, whatever its name)."
    )
    assert caught.value.field == "file"
    assert not Manual.objects.exists()
    assert stored_files(settings) == []


def test_an_executable_upload_through_the_api_answers_400(api_as, carol, settings):
    file = SimpleUploadedFile("manual.pdf", ELF, "application/pdf")
    body = {"module": ThematicModuleFactory().pk, "language": "en", "title": "M", "file": file}
    response = api_as(carol).post("/api/v1/manuals/", body, format="multipart")
    assert response.status_code == 400
    assert "not a PDF" in response.json()["file"][0]
    assert not Manual.objects.exists()
    assert stored_files(settings) == []


def test_a_file_over_the_limit_is_refused_with_the_limit_in_mb(db, settings):
    settings.MAX_UPLOAD_SIZE = 2 * 1024 * 1024
    with pytest.raises(DomainError) as caught:
        upload("big.pdf", PDF + b"0" * (2 * 1024 * 1024))
    assert "larger than the limit of 2 MB" in caught.value.message
    assert not Manual.objects.exists()
    assert stored_files(settings) == []


def test_the_stored_content_type_comes_from_the_content_not_the_client(db):
    manual = upload("manual.pdf", PDF, claimed="text/html")
    assert manual.content_type == "application/pdf"


# --- Names ----------------------------------------------------------------------------------


def test_a_path_in_the_name_is_neutralised(db):
    manual = upload("../../etc/x.pdf", PDF)
    assert manual.original_name == "x.pdf"
    assert manual.file.name.startswith(f"manuals/{manual.module_id}/en/")
    assert ".." not in manual.file.name
    assert re.fullmatch(r"[0-9a-f]{32}", manual.file.name.rsplit("/", 1)[-1])  # a uuid, no name


def test_a_docx_called_pdf_is_named_docx(db):
    manual = upload("Manual v2.pdf", DOCX)
    assert (manual.original_name, manual.content_type) == ("Manual v2.docx", DOCX_TYPE)


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("..\\..\\Windows\\report.PDF", "pdf", "report.PDF"),
        ("/etc/passwd", "pdf", "passwd.pdf"),
        ("...hidden.pdf", "pdf", "hidden.pdf"),
        ("bad\x00na\nme\x1b.pdf", "pdf", "badname.pdf"),
        ("gpj.\u202efdp", "pdf", "gpj.pdf"),  # a right-to-left override cannot disguise it
        ("", "docx", "manual.docx"),
        ("../..", "zip", "manual.zip"),
        ("دليل المدرب.pdf", "pdf", "دليل المدرب.pdf"),
    ],
)
def test_display_names_are_cleaned(name, kind, expected):
    assert display_name(name, kind) == expected


def test_a_long_name_is_capped_but_keeps_its_extension():
    name = display_name("a" * 400 + ".docx", "docx")
    assert len(name) == 150
    assert name.endswith("a.docx")


def test_every_kind_has_a_content_type():
    assert set(CONTENT_TYPES) == {"pdf", "docx", "pptx", "xlsx", "odt", "zip"}


# --- Downloads ------------------------------------------------------------------------------


def test_each_download_is_logged_with_the_user(api_as, bob):
    manual = ManualFactory()
    client = api_as(bob)
    for _ in range(2):
        response = client.get(f"/api/v1/manuals/{manual.pk}/download/")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    downloads = ManualDownload.objects.filter(manual=manual)
    assert downloads.count() == 2
    assert {d.user for d in downloads} == {bob}
    assert all(d.downloaded_at is not None for d in downloads)


def test_a_withdrawn_manual_stays_downloadable_and_is_logged(api_as, bob):
    manual = ManualFactory(withdrawn_at=timezone.now())
    response = api_as(bob).get(f"/api/v1/manuals/{manual.pk}/download/")
    assert response.status_code == 200
    assert ManualDownload.objects.filter(manual=manual, user=bob).count() == 1


def test_a_missing_file_is_not_logged_as_a_download(api_as, bob):
    manual = ManualFactory()
    manual.file.storage.delete(manual.file.name)
    assert api_as(bob).get(f"/api/v1/manuals/{manual.pk}/download/").status_code == 404
    assert not ManualDownload.objects.exists()


@pytest.mark.parametrize(("actor", "expected"), [("bob", 200), ("dave", 403), (None, 401)])
def test_who_may_download(db, request, api_as, actor, expected):
    manual = ManualFactory()
    user = request.getfixturevalue(actor) if actor else None
    response = api_as(user).get(f"/api/v1/manuals/{manual.pk}/download/")
    assert response.status_code == expected
    assert ManualDownload.objects.count() == (1 if expected == 200 else 0)


# --- The download log in the admin ----------------------------------------------------------


def test_the_download_log_is_read_only_in_the_admin(admin_client, bob):
    download = ManualDownload.objects.create(manual=ManualFactory(), user=bob)
    base = "/admin/trainings/manualdownload/"
    changelist = admin_client.get(base, {"q": "bob"})
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == 1
    change = admin_client.get(f"{base}{download.pk}/change/")
    assert change.status_code == 200
    assert b'name="_save"' not in change.content
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}{download.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ManualDownload.objects.count() == 1
