"""The registration endpoints of a course and an enrolment, as clients use them."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from participants.models import Attendance, Enrolment, TeachBack
from tests.factories import AttendanceFactory, CourseFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

START = dt.date(2016, 5, 15)


def test_completion_lists_reasons_and_knowledge_gain(api_as, alice):
    course = CourseFactory()
    enrolment = EnrolmentFactory(
        course=course, pre_test_score=35, post_test_score=80, participant__native_name="ليلى"
    )
    for day in range(7):
        AttendanceFactory(enrolment=enrolment, date=START + dt.timedelta(days=day))
    [row] = api_as(alice).get(f"/api/v1/courses/{course.pk}/completion/").json()
    assert row["qualifies"] is False
    assert row["reasons"] == ["Attended 7 of 10 days; 8 required (80%)."]
    assert (row["days_present"], row["days_required"], row["days_total"]) == (7, 8, 10)
    assert row["knowledge_gain"] == "45.00"
    assert row["native_name"] == "ليلى"


def test_close_through_the_api(api_as, alice, carol):
    course = CourseFactory()
    enrolment = EnrolmentFactory(course=course, post_test_score=90)
    for day in range(10):  # recorded absent every day: closing needs the attendance recorded
        AttendanceFactory(enrolment=enrolment, date=START + dt.timedelta(days=day), present=False)
    refused = api_as(alice).post(f"/api/v1/courses/{course.pk}/close/")
    assert refused.status_code == 403
    assert Enrolment.objects.get().status == "confirmed"
    body = api_as(carol).post(f"/api/v1/courses/{course.pk}/close/").json()
    assert body == {"completed": [], "failed": [enrolment.pk], "kept": [], "blocked": []}
    enrolment.refresh_from_db()
    assert enrolment.status_reason_text.startswith("Attended 0 of 10 days")


def test_override_without_a_reason_is_a_field_error(api_as, carol):
    enrolment = EnrolmentFactory()
    response = api_as(carol).post(
        f"/api/v1/enrolments/{enrolment.pk}/override/", {"status": "completed"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    enrolment.refresh_from_db()
    assert enrolment.status == "confirmed"


def test_history_shows_who_changed_what(api_as, alice):
    enrolment = EnrolmentFactory(status="nominated")
    client = api_as(alice)
    client.patch(
        f"/api/v1/enrolments/{enrolment.pk}/",
        {"status": "withdrawn", "reason": "Recalled by the ministry"},
        format="json",
    )
    [step] = client.get(f"/api/v1/enrolments/{enrolment.pk}/history/").json()
    assert step["from_status"] == "nominated"
    assert step["to_status"] == "withdrawn"
    assert step["reason"] == "Recalled by the ministry"
    assert step["changed_by"] == "alice"


def test_grid_round_trip_and_bad_mark_changes_nothing(api_as, alice):
    course = CourseFactory()
    enrolment = EnrolmentFactory(course=course)
    client = api_as(alice)
    url = f"/api/v1/courses/{course.pk}/attendance-grid/"
    bad = client.post(
        url,
        {
            "marks": [
                {"enrolment": enrolment.pk, "date": "2016-05-15", "present": True},
                {"enrolment": enrolment.pk, "date": "2016-05-30", "present": True},
            ]
        },
        format="json",
    )
    assert bad.status_code == 400
    assert "Mark 2" in str(bad.json())
    assert not Attendance.objects.exists()
    grid = client.post(
        url,
        {"marks": [{"enrolment": enrolment.pk, "date": "2016-05-16", "present": True}]},
        format="json",
    ).json()
    assert len(grid["days"]) == 10
    [row] = grid["rows"]
    assert row["marks"]["2016-05-16"] is True
    assert row["marks"]["2016-05-15"] is None
    assert row["days_present"] == 1


def test_bulk_status_by_the_project_team(api_as, alice):
    course = CourseFactory()
    enrolments = EnrolmentFactory.create_batch(3, course=course, status="nominated")
    response = api_as(alice).post(
        f"/api/v1/courses/{course.pk}/enrolments/status/",
        {"enrolments": [e.pk for e in enrolments], "status": "confirmed"},
        format="json",
    )
    assert response.status_code == 200
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"confirmed"}
    final = api_as(alice).post(
        f"/api/v1/courses/{course.pk}/enrolments/status/",
        {"enrolments": [enrolments[0].pk], "status": "completed"},
        format="json",
    )
    assert final.status_code == 403


@pytest.mark.parametrize("path", ["enrolments/status/", "attendance-grid/"])
def test_an_id_beyond_any_database_column_is_a_400_not_a_500(api_as, alice, path):
    course = CourseFactory()
    body = (
        {"enrolments": [2**70], "status": "confirmed"}
        if path.startswith("enrolments")
        else {"marks": [{"enrolment": 2**70, "date": "2016-05-15", "present": True}]}
    )

    response = api_as(alice).post(f"/api/v1/courses/{course.pk}/{path}", body, format="json")

    assert response.status_code == 400


def test_teachback_upload_checks_the_content_and_keeps_a_clean_name(api_as, alice, settings):
    enrolment = EnrolmentFactory()
    client = api_as(alice)
    disguised = SimpleUploadedFile("module.pdf", b"MZ\x90\x00 executable", "application/pdf")
    refused = client.post(
        "/api/v1/teachbacks/",
        {"enrolment": enrolment.pk, "title": "Return", "file": disguised},
        format="multipart",
    )
    assert refused.status_code == 400
    assert "file" in refused.json()
    assert not TeachBack.objects.exists()
    upload = SimpleUploadedFile("../../etc/x.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    created = client.post(
        "/api/v1/teachbacks/",
        {"enrolment": enrolment.pk, "title": "Return interviews", "file": upload, "score": "65"},
        format="multipart",
    )
    assert created.status_code == 201, created.content
    teachback = TeachBack.objects.get()
    assert teachback.original_name == "x.pdf"
    assert ".." not in teachback.file.name and "x.pdf" not in teachback.file.name
    again = client.post(
        "/api/v1/teachbacks/", {"enrolment": enrolment.pk, "title": "Again"}, format="json"
    )
    assert again.status_code == 409
    download = client.get(f"/api/v1/teachbacks/{teachback.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert 'filename="x.pdf"' in download["Content-Disposition"]


def test_a_replaced_teachback_file_is_removed_from_storage(
    api_as, alice, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory()
    client = api_as(alice)
    first = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n1\n%%EOF\n")
    created = client.post(
        "/api/v1/teachbacks/",
        {"enrolment": enrolment.pk, "title": "Return", "file": first},
        format="multipart",
    ).json()
    old_name = TeachBack.objects.get().file.name
    storage = TeachBack.objects.get().file.storage
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(
            f"/api/v1/teachbacks/{created['id']}/",
            {"file": SimpleUploadedFile("b.pdf", b"%PDF-1.4\n2\n%%EOF\n")},
            format="multipart",
        )
    assert not storage.exists(old_name)
    assert TeachBack.objects.get().original_name == "b.pdf"
