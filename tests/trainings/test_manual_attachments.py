"""Attachments of a manual version: checked like manuals, listed on the manual, downloaded
with a log row, deleted with their files."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import ManualAttachmentFactory, ManualFactory
from trainings.models import ManualAttachment, ManualDownload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% facilitation notes\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def attach(client, manual, name="Facilitation notes.pdf", data=PDF, kind="facilitation", **extra):
    file = SimpleUploadedFile(name, data, "application/pdf")
    body = {"manual": manual.pk, "kind": kind, "title": "Facilitation notes", "file": file, **extra}
    return client.post("/api/v1/manual-attachments/", body, format="multipart")


def stored_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_coordinator_attaches_facilitation_material_shown_on_the_manual(api_as, carol, bob):
    manual = ManualFactory()
    response = attach(api_as(carol), manual)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["original_name"], body["size"]) == (
        "facilitation",
        "Facilitation notes.pdf",
        len(PDF),
    )
    stored = ManualAttachment.objects.get()
    assert stored.file.name.startswith(f"manuals/{manual.module_id}/en/attachments/")
    assert "Facilitation" not in stored.file.name

    shown = api_as(bob).get(f"/api/v1/manuals/{manual.pk}/").json()["attachments"]
    assert [a["id"] for a in shown] == [stored.pk]
    listed = api_as(bob).get("/api/v1/manual-attachments/", {"manual": manual.pk}).json()
    assert [a["id"] for a in listed["results"]] == [stored.pk]


def test_an_executable_renamed_pdf_is_refused_as_an_attachment(api_as, carol, settings):
    manual = ManualFactory()
    before = stored_files(settings)
    response = attach(api_as(carol), manual, name="exercise.pdf", data=ELF)
    assert response.status_code == 400
    assert "not a PDF, DOCX, PPTX, XLSX, ODT or ZIP" in response.json()["file"][0]
    assert not ManualAttachment.objects.exists()
    assert stored_files(settings) == before


def test_an_attachment_over_the_limit_is_refused(api_as, carol, settings):
    settings.MAX_UPLOAD_SIZE = 10
    response = attach(api_as(carol), ManualFactory())
    assert response.status_code == 400
    assert "at most 10 bytes" in response.json()["file"][0]
    assert not ManualAttachment.objects.exists()


def test_a_path_in_the_attachment_name_is_neutralised(api_as, carol):
    response = attach(api_as(carol), ManualFactory(), name="../../etc/x.pdf")
    assert response.status_code == 201
    stored = ManualAttachment.objects.get()
    assert stored.original_name == "x.pdf"
    assert ".." not in stored.file.name and "etc" not in stored.file.name


def test_an_unknown_kind_is_refused(api_as, carol):
    response = attach(api_as(carol), ManualFactory(), kind="video")
    assert response.status_code == 400
    assert "kind" in response.json()


def test_an_attachment_download_is_logged_against_its_manual(api_as, bob):
    attachment = ManualAttachmentFactory(original_name="Role play — AR.pdf")
    response = api_as(bob).get(f"/api/v1/manual-attachments/{attachment.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment;" in response["Content-Disposition"]
    row = ManualDownload.objects.get()
    assert (row.manual_id, row.attachment_id, row.user) == (
        attachment.manual_id,
        attachment.pk,
        bob,
    )


def test_editing_an_attachment_changes_only_title_and_kind(api_as, carol):
    attachment = ManualAttachmentFactory()
    response = api_as(carol).patch(
        f"/api/v1/manual-attachments/{attachment.pk}/", {"kind": "slides", "title": "Slides"}
    )
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["title"]) == ("slides", "Slides")


def test_deleting_a_manual_removes_its_attachments_and_their_files(
    api_as, carol, django_capture_on_commit_callbacks
):
    attachment = ManualAttachmentFactory()
    storage, names = attachment.file.storage, [attachment.file.name, attachment.manual.file.name]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(carol).delete(f"/api/v1/manuals/{attachment.manual_id}/")
    assert response.status_code == 204
    assert not ManualAttachment.objects.exists()
    assert not any(storage.exists(name) for name in names)


def test_deleting_an_attachment_removes_its_file(api_as, carol, django_capture_on_commit_callbacks):
    attachment = ManualAttachmentFactory()
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(carol).delete(f"/api/v1/manual-attachments/{attachment.pk}/")
    assert response.status_code == 204
    assert not storage.exists(name)


@pytest.mark.parametrize(("actor", "expected"), [("alice", 403), ("bob", 403), ("dave", 403)])
def test_only_coordinators_attach(request, api_as, actor, expected):
    response = attach(api_as(request.getfixturevalue(actor)), ManualFactory())
    assert response.status_code == expected
    assert not ManualAttachment.objects.exists()
