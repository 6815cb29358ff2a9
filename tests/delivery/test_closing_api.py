"""``/api/v1/courses/{id}/close/`` (GET previews, POST closes) and ``reopen/``."""

import datetime as dt

import pytest

from accounts.models import AuditAction, AuditEntry
from participants.models import Enrolment
from tests.factories import AttendanceFactory, CertificateFactory, CourseFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def attend_all(enrolment, *, present: bool = True) -> None:
    course = enrolment.course
    for day in range(course.days):
        AttendanceFactory(
            enrolment=enrolment, date=course.start_date + dt.timedelta(days=day), present=present
        )


def test_the_preview_lists_each_trainee_with_the_outcome_and_reasons(api_as, carol):
    course = CourseFactory()
    good = EnrolmentFactory(course=course, post_test_score=80)
    weak = EnrolmentFactory(course=course, post_test_score=40)
    attend_all(good)
    attend_all(weak)
    body = api_as(carol).get(f"/api/v1/courses/{course.pk}/close/").json()
    assert body["can_close"] is True and body["problems"] == []
    assert (body["completed"], body["not_completed"], body["kept"]) == (1, 1, 0)
    rows = {row["enrolment"]: row for row in body["trainees"]}
    assert rows[good.pk]["outcome"] == "complete"
    assert rows[good.pk]["new_status"] == "completed"
    assert rows[weak.pk] | {"name": ""} == {
        "enrolment": weak.pk,
        "participant": weak.participant_id,
        "name": "",
        "status": "confirmed",
        "outcome": "fail",
        "new_status": "failed",
        "reasons": ["Post-test score 40 is below the pass mark of 60."],
    }
    assert len(body["token"]) == 20
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"confirmed"}


def test_closing_without_records_answers_409_with_what_is_missing(api_as, carol):
    course = CourseFactory(status="open")
    EnrolmentFactory.create_batch(8, course=course, status="nominated")
    preview = api_as(carol).get(f"/api/v1/courses/{course.pk}/close/").json()
    assert preview["can_close"] is False
    assert preview["problems"][0].startswith("No attendance recorded for 10 of 10 days: 15 May")
    assert preview["problems"][2].startswith("Post-test score missing for 8 trainees: ")
    response = api_as(carol).post(f"/api/v1/courses/{course.pk}/close/")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail.startswith("The course cannot be closed yet. No attendance recorded for 10 of")
    assert "Post-test score missing for 8 trainees" in detail
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"nominated"}
    course.refresh_from_db()
    assert course.status == "open"


def test_closing_with_the_previews_token_and_with_a_stale_one(api_as, carol):
    course = CourseFactory()
    enrolment = EnrolmentFactory(course=course, post_test_score=50)
    attend_all(enrolment)
    client = api_as(carol)
    url = f"/api/v1/courses/{course.pk}/close/"
    token = client.get(url).json()["token"]
    Enrolment.objects.filter(pk=enrolment.pk).update(post_test_score=70)
    stale = client.post(url, {"token": token}, format="json")
    assert stale.status_code == 409
    assert "look at the preview again" in stale.json()["detail"]
    fresh = client.get(url).json()["token"]
    body = client.post(url, {"token": fresh}, format="json").json()
    assert body == {"completed": [enrolment.pk], "failed": [], "kept": [], "blocked": []}


def test_reopen_restores_the_statuses_and_is_refused_while_certificates_are_live(api_as, carol):
    course = CourseFactory(status="running")
    enrolment = EnrolmentFactory(course=course, post_test_score=80, status="attended")
    attend_all(enrolment)
    client = api_as(carol)
    assert client.post(f"/api/v1/courses/{course.pk}/close/").status_code == 200
    certificate = CertificateFactory(enrolment=enrolment, status="valid")
    url = f"/api/v1/courses/{course.pk}/reopen/"
    missing = client.post(url, {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()
    refused = client.post(url, {"reason": "Closed by mistake"}, format="json")
    assert refused.status_code == 409
    assert certificate.serial in refused.json()["detail"]
    certificate.status = "revoked"
    certificate.save()
    body = client.post(url, {"reason": "Closed by mistake"}, format="json").json()
    assert body == {
        "course_status": "running",
        "restored": [
            {"enrolment": enrolment.pk, "from_status": "completed", "to_status": "attended"}
        ],
        "kept": [],
    }
    entry = AuditEntry.objects.get(action=AuditAction.COURSE_REOPENED)
    assert entry.data["reason"] == "Closed by mistake"
    again = client.post(url, {"reason": "Twice"}, format="json")
    assert again.status_code == 409 and "is not closed" in again.json()["detail"]
