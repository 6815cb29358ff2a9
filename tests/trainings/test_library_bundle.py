"""A course's manuals in one ZIP: asked for through the API or the library page, built by the
Celery task (run eagerly here; the worker topology tests cover real workers), downloaded once
with one log row per file it holds."""

import io
import zipfile

import pytest

from config.celery import app
from tests.factories import (
    CourseFactory,
    ManualAttachmentFactory,
    ManualBundleFactory,
    ManualFactory,
    ThematicModuleFactory,
)
from trainings import bundles, library
from trainings.models import BundleStatus, ManualBundle, ManualDownload
from trainings.tasks import build_manual_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    """Tasks run in this process when sent, as a worker would run them."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def course():
    """Two modules with manuals in English and Arabic, one older English version, one
    withdrawn newer Arabic version, an attachment, and a module of another course."""
    legal = ThematicModuleFactory(code="legal-migration", order=1)
    border = ThematicModuleFactory(code="border-management", order=2)
    course = CourseFactory(code="ERB")
    course.modules.set([legal, border])
    ManualFactory(module=legal, language="en", version=1, original_name="Legal v1.pdf")
    current = ManualFactory(module=legal, language="en", version=2, original_name="Legal.pdf")
    ManualAttachmentFactory(manual=current, original_name="Role play.pdf")
    ManualFactory(module=legal, language="ar", version=1, original_name="قانوني.pdf")
    ManualFactory(
        module=legal,
        language="ar",
        version=2,
        original_name="withdrawn.pdf",
        withdrawn_at="2024-01-01T00:00Z",
    )
    ManualFactory(module=border, language="en", version=1, original_name="Border.pdf")
    ManualFactory(language="en", original_name="Elsewhere.pdf")  # not taught in this course
    return course


def request_bundle(client, course, **body):
    return client.post(f"/api/v1/courses/{course.pk}/manual-bundle/", body, format="json")


def zip_names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_a_trainer_gets_every_current_manual_of_the_course_in_one_zip(
    course, api_as, bob, eager_celery, django_capture_on_commit_callbacks
):
    client = api_as(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = request_bundle(client, course)
    assert response.status_code == 202, response.content
    assert (response.json()["status"], response.json()["total"]) == ("queued", 4)

    bundle = client.get(f"/api/v1/manual-bundles/{response.json()['id']}/").json()
    assert (bundle["status"], bundle["done"], bundle["total"]) == ("done", 4, 4)
    download = client.get(bundle["download_url"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="manuals-ERB-all.zip"'
    assert sorted(zip_names(b"".join(download.streaming_content))) == [
        "border-management/en/Border.pdf",
        "legal-migration/ar/قانوني.pdf",
        "legal-migration/en/Legal.pdf",
        "legal-migration/en/attachments/Role play.pdf",
    ]


def test_downloading_the_zip_logs_one_row_per_file_it_holds(
    course, api_as, bob, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bundle_id = request_bundle(api_as(bob), course, language="en").json()["id"]
    assert not ManualDownload.objects.exists()  # building is not downloading

    api_as(bob).get(f"/api/v1/manual-bundles/{bundle_id}/download/")

    rows = ManualDownload.objects.filter(bundle_id=bundle_id, user=bob)
    assert sorted(r.manual.original_name for r in rows if r.attachment is None) == [
        "Border.pdf",
        "Legal.pdf",
    ]
    assert [r.attachment.original_name for r in rows if r.attachment] == ["Role play.pdf"]


def test_running_the_task_twice_builds_the_zip_once(course, bob):
    bundle = ManualBundleFactory(course=course, requested_by=bob, total=4)
    assert build_manual_bundle.apply(args=[bundle.pk]).get() is True
    bundle.refresh_from_db()
    first_file, first_finished = bundle.file.name, bundle.finished_at

    assert build_manual_bundle.apply(args=[bundle.pk]).get() is False
    bundle.refresh_from_db()
    assert (bundle.file.name, bundle.finished_at) == (first_file, first_finished)
    assert bundle.status == BundleStatus.DONE


def test_asking_twice_while_it_is_pending_returns_the_same_bundle(course, api_as, bob):
    first = request_bundle(api_as(bob), course).json()
    second = request_bundle(api_as(bob), course).json()
    assert first["id"] == second["id"]
    assert ManualBundle.objects.count() == 1


def test_a_course_without_manuals_is_refused_clearly(api_as, bob):
    response = request_bundle(api_as(bob), CourseFactory())
    assert response.status_code == 400
    assert "no manual" in response.json()["detail"]
    assert not ManualBundle.objects.exists()


def test_an_unknown_language_is_refused(course, api_as, bob):
    response = request_bundle(api_as(bob), course, language="de")
    assert response.status_code == 400
    assert "language" in response.json()


def test_zip_entry_names_never_leave_their_folder_and_stay_unique(db):
    module = ThematicModuleFactory(code="legal")
    course = CourseFactory()
    course.modules.set([module])
    manual = ManualFactory(module=module, original_name="../../etc/passwd.pdf")
    ManualAttachmentFactory(manual=manual, original_name="..\\..\\x.pdf")
    ManualAttachmentFactory(manual=manual, original_name="X.pdf")
    ManualAttachmentFactory(manual=manual, original_name="\u202etxt.exe.pdf")
    names = [entry.name for entry in library.bundle_entries(course=course)]
    assert names == [
        "legal/en/passwd.pdf",
        "legal/en/attachments/x.pdf",
        "legal/en/attachments/X (2).pdf",
        "legal/en/attachments/txt.exe.pdf",
    ]
    for name in names:
        assert not any(part in ("", ".", "..") for part in name.split("/"))


def test_a_file_missing_from_storage_is_left_out_and_named(course, bob):
    legal = course.modules.get(code="legal-migration")
    missing = legal.manuals.get(language="en", version=2)
    missing.file.storage.delete(missing.file.name)
    bundle = ManualBundleFactory(course=course, requested_by=bob)
    bundles.bundle_build(bundle_id=bundle.pk)
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.DONE
    assert "legal-migration/en/Legal.pdf" in bundle.error
    with bundle.file.open("rb") as handle:
        assert "legal-migration/en/Legal.pdf" not in zip_names(handle.read())


def test_a_failing_task_marks_the_bundle_failed(course, bob, monkeypatch):
    bundle = ManualBundleFactory(course=course, requested_by=bob)

    def broken(**kwargs):
        raise ValueError("disk on fire")

    monkeypatch.setattr(bundles, "bundle_build", broken)
    with pytest.raises(ValueError):
        build_manual_bundle.apply(args=[bundle.pk], throw=True)
    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == "The ZIP could not be built. Please ask again."


# --- Who may see a bundle --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("bob", 200), ("carol", 200), ("root", 200), ("alice", 403), ("dave", 403)],
)
def test_a_bundle_is_shown_to_its_requester_and_coordinators(
    course, request, api_as, bob, actor, expected
):
    bundle = ManualBundleFactory(course=course, requested_by=bob)
    bundles.bundle_build(bundle_id=bundle.pk)
    client = api_as(request.getfixturevalue(actor))
    assert client.get(f"/api/v1/manual-bundles/{bundle.pk}/").status_code == expected
    assert client.get(f"/api/v1/manual-bundles/{bundle.pk}/download/").status_code == expected


def test_anonymous_clients_get_401_for_bundles(course, anon_api, bob):
    bundle = ManualBundleFactory(course=course, requested_by=bob)
    assert anon_api.get(f"/api/v1/manual-bundles/{bundle.pk}/").status_code == 401
    assert request_bundle(anon_api, course).status_code == 401


@pytest.mark.parametrize("actor", ["alice", "bob", "carol"])
def test_every_role_may_ask_for_a_course_zip(course, request, api_as, actor):
    assert request_bundle(api_as(request.getfixturevalue(actor)), course).status_code == 202


def test_a_user_without_role_may_not_ask_for_a_course_zip(course, api_as, dave):
    assert request_bundle(api_as(dave), course).status_code == 403
    assert not ManualBundle.objects.exists()


def test_the_download_of_an_unfinished_bundle_answers_404(course, api_as, bob):
    bundle = ManualBundleFactory(course=course, requested_by=bob)
    response = api_as(bob).get(f"/api/v1/manual-bundles/{bundle.pk}/download/")
    assert response.status_code == 404
    assert not ManualDownload.objects.exists()


# --- The library page's button and progress ----------------------------------------------------


def test_the_library_button_queues_a_zip_and_the_fragment_follows_it(
    course, client, bob, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/library/bundles/", {"course": course.pk, "language": ""}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    bundle = ManualBundle.objects.get()
    assert f"/library/bundles/{bundle.pk}/progress/" in response.content.decode()  # polls

    fragment = client.get(f"/library/bundles/{bundle.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment  # done: polling stops
    assert f"/library/bundles/{bundle.pk}/download/" in fragment
    download = client.get(f"/library/bundles/{bundle.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert ManualDownload.objects.filter(bundle=bundle, user=bob).count() == 4


def test_someone_elses_bundle_page_views_answer_403(course, client, alice, bob):
    bundle = ManualBundleFactory(course=course, requested_by=bob)
    client.force_login(alice)
    assert client.get(f"/library/bundles/{bundle.pk}/progress/").status_code == 403
    assert client.get(f"/library/bundles/{bundle.pk}/download/").status_code == 403


@pytest.mark.parametrize("value", ["", "abc", "999999"])
def test_the_library_button_answers_404_for_an_unknown_course(client, bob, value):
    client.force_login(bob)
    assert client.post("/library/bundles/", {"course": value}).status_code == 404
    assert not ManualBundle.objects.exists()


def test_the_library_button_without_htmx_goes_back_to_the_library(course, client, bob):
    client.force_login(bob)
    response = client.post("/library/bundles/", {"course": course.pk, "language": "en"})
    assert response.status_code == 302
    assert response["Location"].startswith("/library/?course=")
    page = client.get(response["Location"]).content.decode()
    assert "bundle-progress" in page and "hx-trigger" in page  # queued: the page polls


def test_the_sweep_resends_bundles_whose_message_was_lost(course, bob, monkeypatch):
    """Queued for minutes (the broker was down when it was asked for) or running with a lease
    that ran out (the worker died): beat sends them again; fresh and finished ones stay put."""
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    lost = ManualBundleFactory(course=course, requested_by=bob)
    dead = ManualBundleFactory(
        course=course,
        requested_by=bob,
        status=BundleStatus.RUNNING,
        claimed_until=now - dt.timedelta(seconds=1),
    )
    fresh = ManualBundleFactory(course=course, requested_by=bob)
    ManualBundleFactory(course=course, requested_by=bob, status=BundleStatus.DONE)
    ManualBundle.objects.filter(pk=lost.pk).update(updated_at=now - dt.timedelta(minutes=5))
    ManualBundle.objects.filter(pk=fresh.pk).update(updated_at=now)
    sent = []
    monkeypatch.setattr(bundles, "bundle_dispatch", sent.append)

    assert bundles.bundles_sweep() == 2
    assert sent == [lost.pk, dead.pk]

    # What the sweep sends is built once, however often it is sent.
    assert build_manual_bundle.apply(args=[lost.pk]).get() is True
    assert build_manual_bundle.apply(args=[lost.pk]).get() is False


def test_the_library_lists_ones_own_recent_zips_without_a_course_filter(
    course, client, bob, alice, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/library/bundles/", {"course": course.pk, "language": "en"})
    ManualBundleFactory(course=course, requested_by=alice)  # someone else's: not listed

    page = client.get("/library/?filtered=1").content.decode()

    mine = ManualBundle.objects.get(requested_by=bob)
    assert "Your course ZIPs" in page
    assert f"/library/bundles/{mine.pk}/download/" in page
    assert page.count('class="bundle-progress"') == 1


def test_old_zips_drop_out_of_the_library_list(course, client, bob):
    bundle = ManualBundleFactory(course=course, requested_by=bob)
    ManualBundle.objects.filter(pk=bundle.pk).update(created_at="2020-01-01T00:00Z")
    client.force_login(bob)

    assert "Your course ZIPs" not in client.get("/library/").content.decode()
