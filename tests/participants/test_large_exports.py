"""Course files too large to build at once (``EXPORT_SYNC_MAX_*``) are built by a worker: the
API answers 202 with a status to poll and then a download link, the page says "being prepared"
and polls; the file is the same bytes a direct download gives; permission and audit as for a
direct download; expired files are deleted. Small files stay synchronous."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEntry
from config.celery import app
from delivery import exports
from delivery.models import CourseExport, ExportStatus
from delivery.services import course_exports_sweep
from tests.factories import (
    AttendanceFactory,
    CourseFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def course(bob):
    course = CourseFactory(
        code="ERB", start_date=dt.date(2016, 5, 15), end_date=dt.date(2016, 5, 18)
    )
    ExpertAssignmentFactory(course=course, expert=ExpertFactory(user=bob))
    for index in range(3):
        enrolment = EnrolmentFactory(course=course, participant__first_name=f"Trainee{index}")
        AttendanceFactory(enrolment=enrolment, date=course.start_date, present=index % 2 == 0)
    return course


@pytest.fixture
def small_limits(settings):
    """Three trainees count as large: 64 roster cells, 45 attendance cells, 3 sign-in lines."""
    settings.EXPORT_SYNC_MAX_CELLS = 40
    settings.EXPORT_SYNC_MAX_SIGN_IN_TRAINEES = 2


URLS = {
    exports.ROSTER: "/api/v1/courses/{pk}/roster/?as=csv",
    exports.ATTENDANCE_SHEET: "/api/v1/courses/{pk}/attendance-sheet/?as=csv",
    exports.SIGN_IN_SHEET: "/api/v1/courses/{pk}/sign-in-sheet/?date=2016-05-16",
}


@pytest.mark.parametrize("export", [exports.ROSTER, exports.ATTENDANCE_SHEET])
def test_a_large_sheet_is_built_by_the_job_and_equals_the_direct_one(
    api_as, alice, course, eager, settings, django_capture_on_commit_callbacks, export
):
    url = URLS[export].format(pk=course.pk)
    direct = api_as(alice).get(url)
    assert direct.status_code == 200

    settings.EXPORT_SYNC_MAX_CELLS = 40
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api_as(alice).get(url)

    assert accepted.status_code == 202
    body = accepted.json()
    assert accepted["Location"] == body["url"]
    status = api_as(alice).get(body["url"]).json()
    assert status["status"] == "done" and status["download_url"]
    built = api_as(alice).get(status["download_url"])
    assert built.status_code == 200
    assert built.content == direct.content
    assert built["Content-Disposition"] == direct["Content-Disposition"]


def test_a_large_sign_in_sheet_is_built_by_the_job(
    api_as, bob, course, eager, small_limits, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api_as(bob).get(URLS[exports.SIGN_IN_SHEET].format(pk=course.pk))

    assert accepted.status_code == 202
    status = api_as(bob).get(accepted.json()["url"]).json()
    pdf = api_as(bob).get(status["download_url"])
    assert pdf.content.startswith(b"%PDF") and "sign-in-2016-05-16" in pdf["Content-Disposition"]


def test_small_files_stay_synchronous(api_as, alice, course):
    for url in URLS.values():
        assert api_as(alice).get(url.format(pk=course.pk)).status_code == 200
    assert not CourseExport.objects.exists()


def test_a_large_roster_is_audited_once_when_asked_for(
    api_as, alice, course, eager, small_limits, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_as(alice).get(URLS[exports.ROSTER].format(pk=course.pk))

    entry = AuditEntry.objects.get(action=AuditAction.ROSTER_EXPORTED)
    assert entry.object_id == str(course.pk)
    assert entry.data["export_id"] == CourseExport.objects.get().pk


def test_permissions_are_those_of_the_direct_file(
    api_as, alice, bob, carol, dave, course, small_limits
):
    """A trainer never gets the roster, large or not; a file is its requester's only."""
    assert api_as(bob).get(URLS[exports.ROSTER].format(pk=course.pk)).status_code == 403
    assert api_as(dave).get(URLS[exports.ATTENDANCE_SHEET].format(pk=course.pk)).status_code == 403
    assert not CourseExport.objects.exists()

    accepted = api_as(bob).get(URLS[exports.ATTENDANCE_SHEET].format(pk=course.pk))
    assert accepted.status_code == 202
    url = accepted.json()["url"]
    assert api_as(bob).get(url).status_code == 200
    for other in (alice, carol):
        assert api_as(other).get(url).status_code == 404
    assert api_as(dave).get(url).status_code == 403
    assert api_as().get(url).status_code == 401


def test_a_trainer_who_no_longer_teaches_the_course_cannot_fetch_the_file(
    api_as, bob, course, eager, small_limits, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api_as(bob).get(URLS[exports.ATTENDANCE_SHEET].format(pk=course.pk))
    course.expert_assignments.all().delete()

    answer = api_as(bob).get(accepted.json()["url"] + "download/")

    assert answer.status_code == 403


def test_the_page_says_being_prepared_then_offers_the_download(
    client, alice, course, small_limits, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        answer = client.get(reverse("course-export-roster", args=[course.pk]))
    job = CourseExport.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("course-export-prepared", args=[job.pk])

    page = client.get(answer["Location"]).content.decode()
    assert "being prepared" in page and 'hx-trigger="every 2s"' in page
    assert "<script" not in page.split("<main", 1)[1]

    from delivery.services import course_export_build

    assert course_export_build(export_id=job.pk)
    assert not course_export_build(export_id=job.pk)  # a duplicate message changes nothing
    fragment = client.get(answer["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert reverse("api:courseexport-download", args=[job.pk]) in fragment
    assert "hx-get" not in fragment  # it stops polling


def test_expired_files_are_deleted_by_the_sweep(
    api_as, alice, course, eager, small_limits, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_as(alice).get(URLS[exports.ROSTER].format(pk=course.pk))
    job = CourseExport.objects.get()
    storage, name = job.file.storage, job.file.name
    assert job.status == ExportStatus.DONE and storage.exists(name)

    CourseExport.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    with django_capture_on_commit_callbacks(execute=True):
        course_exports_sweep()

    assert not CourseExport.objects.exists()
    assert not storage.exists(name)
