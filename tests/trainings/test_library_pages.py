"""The library pages, per role: module cards, "My modules", history, downloads through the
site (logged), the coordinators' upload form and download log."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ManualAttachmentFactory,
    ManualFactory,
    ThematicModuleFactory,
    UserFactory,
)
from trainings.models import Manual, ManualDownload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% uploaded through the site\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def world():
    legal = ThematicModuleFactory(code="legal-migration", title_en="Legal migration", order=1)
    border = ThematicModuleFactory(code="border-management", title_en="Border management", order=2)
    course = CourseFactory(title="ToT Erbil")
    course.modules.set([legal])
    manual = ManualFactory(module=legal, language="en", title="Legal migration — trainer's guide")
    ManualFactory(module=legal, language="ar", title="الهجرة القانونية")
    ManualFactory(
        module=legal, language="ar", version=2, title="Withdrawn AR", withdrawn_at=timezone.now()
    )
    ManualFactory(module=border, language="ru", title="Пограничный контроль")
    attachment = ManualAttachmentFactory(manual=manual, title="Role play exercise")
    return {
        "legal": legal,
        "border": border,
        "course": course,
        "manual": manual,
        "attachment": attachment,
    }


def page_urls(world) -> dict[str, str]:
    legal, manual = world["legal"], world["manual"]
    return {
        "library": "/library/",
        "history": f"/library/modules/{legal.pk}/en/",
        "manual-download": f"/library/manuals/{manual.pk}/download/",
        "attachment-download": f"/library/attachments/{world['attachment'].pk}/download/",
        "upload": "/library/upload/",
        "downloads": "/library/downloads/",
    }


READERS = {"alice", "bob", "carol", "root"}
COORDINATORS = {"carol", "root"}
ACCESS = {
    "library": READERS,
    "history": READERS,
    "manual-download": READERS,
    "attachment-download": READERS,
    "upload": COORDINATORS,
    "downloads": COORDINATORS,
}


@pytest.mark.parametrize("which", ACCESS)
@pytest.mark.parametrize("actor", ["anon", "dave", "alice", "bob", "carol", "root"])
def test_each_page_answers_each_role(world, client, request, which, actor):
    url = page_urls(world)[which]
    if actor != "anon":
        client.force_login(request.getfixturevalue(actor))
    response = client.get(url)
    if actor == "anon":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif actor in ACCESS[which]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
    assert ManualDownload.objects.filter(user__username=actor).exists() == (
        which.endswith("-download") and actor in ACCESS[which]
    )


def test_the_library_shows_the_current_manual_per_language_with_attachments(world, client, bob):
    client.force_login(bob)
    page = html(client.get("/library/"))
    assert "Legal migration — trainer&#x27;s guide" in page
    assert "الهجرة القانونية" in page
    assert "Withdrawn AR" not in page  # withdrawn: in the history only
    assert "Role play exercise" in page
    assert f"/library/attachments/{world['attachment'].pk}/download/" in page
    assert f"/library/manuals/{world['manual'].pk}/download/" in page


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"module": "border"}, ["Пограничный контроль"], ["trainer&#x27;s guide"]),
        ({"language": "ar"}, ["الهجرة القانونية"], ["trainer&#x27;s guide", "Пограничный"]),
        ({"course": "course"}, ["trainer&#x27;s guide"], ["Пограничный контроль"]),
    ],
)
def test_the_library_filters_by_module_language_and_course(
    world, client, bob, params, shown, hidden
):
    client.force_login(bob)
    query = {k: world[v].pk if v in world else v for k, v in params.items()}
    page = html(client.get("/library/", {**query, "filtered": 1}))
    for text in shown:
        assert text in page
    for text in hidden:
        assert text not in page


def test_an_expert_sees_their_modules_by_default_and_may_see_all(world, client):
    trainer = UserFactory(username="maria", roles=["trainer"])
    expert = ExpertFactory(user=trainer)
    session_module = ThematicModuleFactory(title_en="Smuggling of migrants")
    expertise_module = ThematicModuleFactory(title_en="International protection")
    other_course = CourseFactory()
    ExpertAssignmentFactory(expert=expert, course=world["course"])  # whole course: legal
    session = CourseSessionFactory(course=other_course, module=session_module)
    ExpertAssignmentFactory(expert=expert, course=other_course, session=session)
    expert.modules.add(expertise_module)

    client.force_login(trainer)
    page = html(client.get("/library/"))
    for module in (world["legal"], session_module, expertise_module):
        assert f'id="module-{module.pk}"' in page
    assert f'id="module-{world["border"].pk}"' not in page
    assert 'name="mine"' in page and "checked" in page

    everything = html(client.get("/library/", {"filtered": 1}))
    assert f'id="module-{world["border"].pk}"' in everything


def test_a_trainer_without_an_expert_record_sees_every_module(world, client, bob):
    client.force_login(bob)
    page = html(client.get("/library/"))
    assert f'id="module-{world["border"].pk}"' in page
    assert f'id="module-{world["legal"].pk}"' in page
    assert 'name="mine"' not in page


def test_the_history_shows_every_version_and_marks_withdrawn_ones(world, client, bob):
    client.force_login(bob)
    page = html(client.get(f"/library/modules/{world['legal'].pk}/ar/"))
    assert "Withdrawn AR" in page and "الهجرة القانونية" in page
    assert "badge--withdrawn" in page
    assert "Withdraw</button>" not in page  # trainers do not manage versions


def test_the_history_of_an_unknown_language_is_404(world, client, bob):
    client.force_login(bob)
    assert client.get(f"/library/modules/{world['legal'].pk}/de/").status_code == 404


def test_a_download_through_the_site_streams_the_file_and_is_logged(world, client, bob):
    client.force_login(bob)
    response = client.get(f"/library/manuals/{world['manual'].pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert response["Content-Disposition"] == 'attachment; filename="manual.pdf"'
    assert ManualDownload.objects.filter(manual=world["manual"], user=bob).count() == 1


def test_a_missing_file_is_404_and_not_logged(world, client, bob):
    manual = world["manual"]
    manual.file.storage.delete(manual.file.name)
    client.force_login(bob)
    assert client.get(f"/library/manuals/{manual.pk}/download/").status_code == 404
    assert not ManualDownload.objects.exists()


def test_user_text_is_escaped(client, bob):
    ManualFactory(title="<script>alert(1)</script>", notes="<img src=x onerror=alert(2)>")
    client.force_login(bob)
    page = html(client.get("/library/"))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page


# --- Coordinators: withdraw and restore from the history ---------------------------------------


def test_a_coordinator_withdraws_and_restores_from_the_history(world, client, carol):
    client.force_login(carol)
    manual = world["manual"]
    response = client.post(f"/library/manuals/{manual.pk}/withdraw/", {"reason": "Outdated"})
    assert response.status_code == 302
    manual.refresh_from_db()
    assert (manual.withdrawn_by, manual.withdrawal_reason) == (carol, "Outdated")
    client.post(f"/library/manuals/{manual.pk}/restore/")
    manual.refresh_from_db()
    assert manual.withdrawn_at is None


@pytest.mark.parametrize("actor", ["alice", "bob", "dave"])
def test_others_may_not_withdraw_through_the_site(world, client, request, actor):
    client.force_login(request.getfixturevalue(actor))
    response = client.post(f"/library/manuals/{world['manual'].pk}/withdraw/")
    assert response.status_code == 403
    assert Manual.objects.get(pk=world["manual"].pk).withdrawn_at is None


# --- The upload form ---------------------------------------------------------------------------


def post_upload(client, module, name="Legal migration.pdf", data=PDF, **extra):
    body = {
        "module": module.pk,
        "language": "en",
        "title": "Legal migration",
        "notes": "",
        "file": SimpleUploadedFile(name, data, "application/pdf"),
        **extra,
    }
    return client.post("/library/upload/", body)


def stored_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_a_coordinator_uploads_a_new_version_through_the_form(client, carol):
    module = ThematicModuleFactory()
    ManualFactory(module=module, version=1)
    client.force_login(carol)
    response = post_upload(client, module)
    assert response.status_code == 302
    manual = Manual.objects.get(module=module, version=2)
    assert (manual.uploaded_by, manual.original_name, manual.size) == (
        carol,
        "Legal migration.pdf",
        len(PDF),
    )


def test_the_form_refuses_an_executable_renamed_pdf_with_a_clear_message(client, carol, settings):
    module = ThematicModuleFactory()
    client.force_login(carol)
    response = post_upload(client, module, name="manual.pdf", data=ELF)
    assert response.status_code == 400
    assert "This file is not a PDF, DOCX, PPTX, XLSX, ODT or ZIP" in html(response)
    assert not Manual.objects.exists()
    assert stored_files(settings) == []


def test_the_form_refuses_a_file_over_the_limit(client, carol, settings):
    settings.MAX_UPLOAD_SIZE = 2 * 1024 * 1024
    client.force_login(carol)
    response = post_upload(client, ThematicModuleFactory(), data=PDF + b"\0" * (2 * 1024 * 1024))
    assert response.status_code == 400
    assert "larger than the limit of 2 MB" in html(response)
    assert not Manual.objects.exists()


def test_the_form_neutralises_a_path_in_the_file_name(client, carol):
    client.force_login(carol)
    post_upload(client, ThematicModuleFactory(), name="../../etc/x.pdf")
    manual = Manual.objects.get()
    assert manual.original_name == "x.pdf"
    assert "etc" not in manual.file.name and ".." not in manual.file.name


def test_the_form_reports_a_missing_file(client, carol):
    client.force_login(carol)
    response = client.post(
        "/library/upload/", {"module": ThematicModuleFactory().pk, "language": "en", "title": "T"}
    )
    assert response.status_code == 400
    assert "This field is required." in html(response)


@pytest.mark.parametrize("actor", ["alice", "bob", "dave"])
def test_only_coordinators_upload_through_the_site(client, request, actor):
    client.force_login(request.getfixturevalue(actor))
    assert post_upload(client, ThematicModuleFactory()).status_code == 403
    assert not Manual.objects.exists()


# --- The download log --------------------------------------------------------------------------


def log_rows(n: int, user=None):
    for _ in range(n):
        manual = ManualFactory()
        attachment = ManualAttachmentFactory(manual=manual)
        ManualDownload.objects.create(manual=manual, user=user or UserFactory())
        ManualDownload.objects.create(manual=manual, attachment=attachment, user=user)


def test_the_download_log_lists_who_took_what_and_filters(world, client, carol, bob, alice):
    ManualDownload.objects.create(manual=world["manual"], user=bob)
    ManualDownload.objects.create(
        manual=world["manual"], attachment=world["attachment"], user=alice
    )
    other = ManualFactory(title="Other module manual")
    old = ManualDownload.objects.create(manual=other, user=bob)
    ManualDownload.objects.filter(pk=old.pk).update(
        downloaded_at=timezone.now() - dt.timedelta(days=30)
    )
    client.force_login(carol)

    everything = html(client.get("/library/downloads/"))
    assert "Role play exercise" in everything and "Other module manual" in everything

    by_module = html(client.get("/library/downloads/", {"module": world["legal"].pk}))
    assert "Other module manual" not in by_module
    by_user = html(client.get("/library/downloads/", {"user": alice.pk}))
    assert (
        "Role play exercise" in by_user
        and "trainer&#x27;s guide" not in by_user.split("<tbody>")[1]
    )
    recent = html(
        client.get(
            "/library/downloads/", {"since": str(timezone.localdate() - dt.timedelta(days=1))}
        )
    )
    assert "Other module manual" not in recent


def test_the_download_log_query_count_does_not_grow_with_the_rows(client, carol):
    client.force_login(carol)
    log_rows(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/library/downloads/").status_code == 200
    log_rows(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/library/downloads/").status_code == 200
    assert len(many) == len(few)


def test_the_library_query_count_does_not_grow_with_the_modules(client, bob):
    client.force_login(bob)
    for _ in range(2):
        ManualAttachmentFactory(manual=ManualFactory())
    with CaptureQueriesContext(connection) as few:
        client.get("/library/")
    for _ in range(15):
        ManualAttachmentFactory(manual=ManualFactory())
    with CaptureQueriesContext(connection) as many:
        client.get("/library/")
    assert len(many) == len(few)


def test_a_coordinator_attaches_an_exercise_from_the_history_page(client, carol, alice):
    from django.urls import reverse

    from tests.factories import ManualFactory
    from trainings.models import ManualAttachment

    manual = ManualFactory()
    url = reverse("library-attachment-upload", args=[manual.pk])
    history = reverse("library-history", args=[manual.module_id, manual.language])

    client.force_login(alice)  # the project team reads the library, coordinators keep it
    assert client.post(url, {"kind": "exercise", "title": "x"}).status_code == 403

    client.force_login(carol)
    page = client.get(history).content.decode()
    assert "Attach a file" in page
    disguised = SimpleUploadedFile("role-play.pdf", b"#!/bin/sh\nrm -rf /\n")
    refused = client.post(
        url, {"kind": "exercise", "title": "Role play", "file": disguised}, follow=True
    )
    assert "is not a PDF, DOCX, PPTX, XLSX, ODT or ZIP" in refused.content.decode()
    missing = client.post(url, {"kind": "exercise", "title": "Role play"}, follow=True)
    assert "Choose a file to attach." in missing.content.decode()
    assert not ManualAttachment.objects.exists()

    upload = SimpleUploadedFile("../role play.pdf", b"%PDF-1.4\n%%EOF\n")
    response = client.post(
        url, {"kind": "exercise", "title": "Role play", "file": upload}, follow=True
    )
    assert "Role play attached to version 1." in response.content.decode()
    attachment = ManualAttachment.objects.get()
    assert (attachment.kind, attachment.original_name) == ("exercise", "role play.pdf")
    assert attachment.uploaded_by == carol
