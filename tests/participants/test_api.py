"""Behaviour of the organisation, participant, enrolment and attendance endpoints."""

import datetime as dt

import pytest

from accounts.models import AuditAction, AuditEntry
from participants.models import Attendance, Enrolment, Participant
from tests.api_fixtures import fast_passwords, fresh_throttles  # noqa: F401  (fixtures)
from tests.factories import (
    AttendanceFactory,
    CertificateFactory,
    CourseFactory,
    EnrolmentFactory,
    OrganisationFactory,
    ParticipantFactory,
)


def result_ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


# --- Bulk enrolment -------------------------------------------------------------------------


def test_bulk_enrolment_is_idempotent(api_as, alice):
    course = CourseFactory(upcoming=True)
    people = ParticipantFactory.create_batch(3)
    client = api_as(alice)
    url = f"/api/v1/courses/{course.pk}/enrolments/"
    ids = [p.pk for p in people]

    first = client.post(url, {"participants": ids})
    second = client.post(url, {"participants": ids})

    assert first.status_code == 201
    assert first.json()["created"] == 3 and first.json()["existing"] == 0
    assert second.status_code == 200
    assert second.json() == {
        "created": 0,
        "existing": 3,
        "enrolments": first.json()["enrolments"],
        "seated": [],
        "waitlisted": [],
    }
    assert Enrolment.objects.filter(course=course).count() == 3


def test_bulk_enrolment_leaves_existing_enrolments_untouched(api_as, alice):
    enrolment = EnrolmentFactory(status="attended", course__upcoming=True)
    newcomer = ParticipantFactory()
    response = api_as(alice).post(
        f"/api/v1/courses/{enrolment.course_id}/enrolments/",
        {"participants": [enrolment.participant_id, newcomer.pk]},
    )
    assert response.json()["created"] == 1 and response.json()["existing"] == 1
    enrolment.refresh_from_db()
    assert enrolment.status == "attended"


def test_bulk_enrolment_lists_unknown_ids_and_changes_nothing(api_as, alice):
    course = CourseFactory()
    known = ParticipantFactory()
    response = api_as(alice).post(
        f"/api/v1/courses/{course.pk}/enrolments/", {"participants": [known.pk, 424242, 525252]}
    )
    assert response.status_code == 400
    assert "424242, 525252" in response.json()["participants"][0]
    assert not Enrolment.objects.exists()


def test_nobody_is_enrolled_in_a_cancelled_course(api_as, alice):
    course = CourseFactory(status="cancelled")
    response = api_as(alice).post(
        f"/api/v1/courses/{course.pk}/enrolments/", {"participants": [ParticipantFactory().pk]}
    )
    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]


def test_enrolling_one_person_twice_is_a_conflict(api_as, alice):
    enrolment = EnrolmentFactory(course__upcoming=True)
    response = api_as(alice).post(
        "/api/v1/enrolments/",
        {"participant": enrolment.participant_id, "course": enrolment.course_id},
    )
    assert response.status_code == 409
    assert "already enrolled" in response.json()["detail"]


# --- Enrolment status -----------------------------------------------------------------------


def test_a_status_change_records_who_when_and_why(api_as, carol):
    enrolment = EnrolmentFactory(status="attended")
    response = api_as(carol).patch(
        f"/api/v1/enrolments/{enrolment.pk}/",
        {"status": "completed", "reason": "Post-test retaken and passed"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "completed"
    assert body["status_reason"] == "Post-test retaken and passed"
    assert body["status_changed_by"] == carol.pk
    assert body["status_changed_at"] is not None
    assert body["participant"] == enrolment.participant_id
    assert body["course"] == enrolment.course_id


def test_the_project_team_cannot_mark_a_trainee_completed(api_as, alice):
    enrolment = EnrolmentFactory(status="attended")
    response = api_as(alice).patch(f"/api/v1/enrolments/{enrolment.pk}/", {"status": "completed"})
    assert response.status_code == 403
    assert "coordinator" in response.json()["detail"]
    enrolment.refresh_from_db()
    assert enrolment.status == "attended"
    assert enrolment.status_changed_by is None


def test_the_project_team_withdraws_a_trainee(api_as, alice):
    enrolment = EnrolmentFactory(status="confirmed")
    response = api_as(alice).patch(
        f"/api/v1/enrolments/{enrolment.pk}/", {"status": "withdrawn", "reason": "Recalled"}
    )
    assert response.status_code == 200
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.status_reason) == ("withdrawn", "Recalled")
    assert enrolment.status_changed_by.username == "alice"


def test_an_unknown_status_is_refused(api_as, carol):
    enrolment = EnrolmentFactory()
    response = api_as(carol).patch(f"/api/v1/enrolments/{enrolment.pk}/", {"status": "graduated"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_scores_are_recorded_within_0_to_100(api_as, alice):
    enrolment = EnrolmentFactory()
    client = api_as(alice)
    url = f"/api/v1/enrolments/{enrolment.pk}/"
    assert client.patch(url, {"pre_test_score": "45.5", "post_test_score": 82}).status_code == 200
    assert client.patch(url, {"post_test_score": 120}).status_code == 400
    enrolment.refresh_from_db()
    assert str(enrolment.pre_test_score) == "45.50"


def test_the_participant_of_an_enrolment_cannot_be_swapped(api_as, alice):
    enrolment = EnrolmentFactory()
    other = ParticipantFactory()
    api_as(alice).patch(f"/api/v1/enrolments/{enrolment.pk}/", {"participant": other.pk})
    enrolment.refresh_from_db()
    assert enrolment.participant_id != other.pk


def test_enrolments_filter_by_course_participant_and_status(api_as, alice):
    course = CourseFactory()
    confirmed = EnrolmentFactory(course=course, status="confirmed")
    withdrawn = EnrolmentFactory(course=course, status="withdrawn")
    EnrolmentFactory(status="confirmed")
    client = api_as(alice)
    assert sorted(result_ids(client.get("/api/v1/enrolments/", {"course": course.pk}))) == sorted(
        [confirmed.pk, withdrawn.pk]
    )
    params = {"course": course.pk, "status": "withdrawn"}
    assert result_ids(client.get("/api/v1/enrolments/", params)) == [withdrawn.pk]
    params = {"participant": confirmed.participant_id}
    assert result_ids(client.get("/api/v1/enrolments/", params)) == [confirmed.pk]


# --- Participants and organisations ---------------------------------------------------------


def test_a_participant_carries_the_import_column_names(api_as, alice):
    participant = ParticipantFactory()
    body = api_as(alice).get(f"/api/v1/participants/{participant.pk}/").json()
    columns = {
        "first_name",
        "last_name",
        "native_name",
        "gender",
        "email",
        "phone",
        "organisation",
        "position",
        "country",
    }
    assert columns <= set(body)
    assert body["country"] == "IQ"
    assert body["organisation"] == participant.organisation_id
    assert body["full_name"] == participant.full_name


def test_a_participant_with_a_single_name_is_registered(api_as, alice):
    response = api_as(alice).post(
        "/api/v1/participants/",
        {"first_name": "  Zarghona ", "country": "AF", "phone": "+93 70 123 4567"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["first_name"] == "Zarghona"
    assert body["last_name"] == ""
    assert body["country"] == "AF"
    assert body["phone"] == "+93701234567"


@pytest.mark.parametrize("phone", ["ext. 12 (office)", "abc123", "0750 12"])
def test_a_phone_number_that_is_not_one_is_refused(api_as, alice, phone):
    response = api_as(alice).post(
        "/api/v1/participants/", {"first_name": "Ali", "phone": phone, "country": "IQ"}
    )
    assert response.status_code == 400
    assert response.json()["phone"] == [
        f"“{phone}” is not a phone number (a number without +country code is read as one in Iraq)."
    ]
    assert not Participant.objects.exists()


def test_a_national_number_is_read_in_the_organisations_country(api_as, alice):
    ministry = OrganisationFactory(name="Ministry of Interior", country="PK")
    response = api_as(alice).post(
        "/api/v1/participants/",
        {"first_name": "Imran", "phone": "0300 5123478", "organisation": ministry.pk},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["phone"] == "+923005123478"


def test_editing_a_phone_number_is_validated_too(api_as, alice):
    person = ParticipantFactory(phone="")
    response = api_as(alice).patch(f"/api/v1/participants/{person.pk}/", {"phone": "abc123"})
    assert response.status_code == 400
    assert "is not a phone number" in response.json()["phone"][0]
    person.refresh_from_db()
    assert person.phone == ""


def test_a_participant_needs_a_name(api_as, alice):
    response = api_as(alice).post("/api/v1/participants/", {"email": "nobody@example.org"})
    assert response.status_code == 400
    assert "name" in response.json()["first_name"][0]
    assert not Participant.objects.exists()


def test_an_email_already_registered_is_refused_whatever_its_case(api_as, alice):
    ParticipantFactory(email="layla@example.org")
    response = api_as(alice).post(
        "/api/v1/participants/", {"first_name": "Layla", "email": "LAYLA@example.org"}
    )
    assert response.status_code == 400
    assert "already registered" in response.json()["email"][0]


def test_consent_is_dated_when_given(api_as, alice):
    response = api_as(alice).post(
        "/api/v1/participants/", {"first_name": "Sara", "consent_given": True}
    )
    assert response.json()["consent_date"] is not None


def test_participants_are_searchable_by_organisation_and_native_name(api_as, alice):
    momd = OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")
    layla = ParticipantFactory(organisation=momd, native_name="ليلى")
    omar = ParticipantFactory(native_name="عمر", position="Border police officer")
    client = api_as(alice)
    assert result_ids(client.get("/api/v1/participants/", {"search": "momd"})) == [layla.pk]
    assert result_ids(client.get("/api/v1/participants/", {"search": "ليلى"})) == [layla.pk]
    assert result_ids(client.get("/api/v1/participants/", {"search": "border"})) == [omar.pk]


def test_participants_filter_by_organisation_country_and_course(api_as, alice):
    organisation = OrganisationFactory()
    iraqi = ParticipantFactory(organisation=organisation, country="IQ")
    afghan = ParticipantFactory(country="AF")
    enrolment = EnrolmentFactory(participant=afghan)
    client = api_as(alice)
    params = {"organisation": organisation.pk}
    assert result_ids(client.get("/api/v1/participants/", params)) == [iraqi.pk]
    assert result_ids(client.get("/api/v1/participants/", {"country": "AF"})) == [afghan.pk]
    params = {"course": enrolment.course_id}
    assert result_ids(client.get("/api/v1/participants/", params)) == [afghan.pk]


def test_organisations_filter_by_parent_country_and_kind(api_as, bob):
    krg = OrganisationFactory(name="Kurdistan Regional Government", kind="other")
    interior = OrganisationFactory(name="Ministry of Interior", parent=krg)
    OrganisationFactory(name="Ministry of Interior", country="AF")
    client = api_as(bob)
    assert result_ids(client.get("/api/v1/organisations/", {"parent": krg.pk})) == [interior.pk]
    assert result_ids(client.get("/api/v1/organisations/", {"kind": "other"})) == [krg.pk]
    assert len(result_ids(client.get("/api/v1/organisations/", {"country": "AF"}))) == 1


def test_the_same_ministry_name_may_exist_under_two_governments(api_as, alice):
    krg = OrganisationFactory(name="Kurdistan Regional Government")
    OrganisationFactory(name="Ministry of Interior")
    client = api_as(alice)
    under_krg = {"name": "Ministry of Interior", "parent": krg.pk}
    assert client.post("/api/v1/organisations/", under_krg).status_code == 201
    assert client.post("/api/v1/organisations/", under_krg).status_code == 400


def test_an_organisation_with_members_cannot_be_deleted(api_as, alice):
    participant = ParticipantFactory()
    response = api_as(alice).delete(f"/api/v1/organisations/{participant.organisation_id}/")
    assert response.status_code == 409


# --- Attendance -----------------------------------------------------------------------------


def test_recording_a_day_twice_updates_it(api_as, alice):
    enrolment = EnrolmentFactory()
    client = api_as(alice)
    day = {"enrolment": enrolment.pk, "date": str(enrolment.course.start_date)}
    first = client.post("/api/v1/attendance/", {**day, "present": True})
    second = client.post("/api/v1/attendance/", {**day, "present": False})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    row = Attendance.objects.get()
    assert row.present is False
    assert row.recorded_by.username == "alice"


def test_attendance_outside_the_course_is_refused(api_as, alice):
    enrolment = EnrolmentFactory()
    day = enrolment.course.end_date + dt.timedelta(days=1)
    response = api_as(alice).post(
        "/api/v1/attendance/", {"enrolment": enrolment.pk, "date": str(day)}
    )
    assert response.status_code == 400
    assert "date" in response.json()


def test_attendance_filters_by_course_and_enrolment(api_as, alice):
    row = AttendanceFactory()
    other = AttendanceFactory()
    client = api_as(alice)
    params = {"course": row.enrolment.course_id}
    assert result_ids(client.get("/api/v1/attendance/", params)) == [row.pk]
    params = {"enrolment": other.enrolment_id}
    assert result_ids(client.get("/api/v1/attendance/", params)) == [other.pk]


def test_moving_attendance_onto_a_recorded_day_is_a_conflict(api_as, alice):
    first = AttendanceFactory()
    second = AttendanceFactory(enrolment=first.enrolment, date=first.date + dt.timedelta(days=1))
    response = api_as(alice).patch(f"/api/v1/attendance/{second.pk}/", {"date": str(first.date)})
    assert response.status_code == 409


# --- Deleting: erasure and withdrawal for people, a hard delete for administrators -------------


def test_the_team_cannot_hard_delete_a_trainee_or_an_enrolment(api_as, alice, carol):
    enrolment = EnrolmentFactory()
    for actor in (alice, carol):
        answer = api_as(actor).delete(f"/api/v1/enrolments/{enrolment.pk}/")
        assert answer.status_code == 403 and "withdraw" in answer.json()["detail"]
        answer = api_as(actor).delete(f"/api/v1/participants/{enrolment.participant_id}/")
        assert answer.status_code == 403 and "erases" in answer.json()["detail"]
    assert Enrolment.objects.filter(pk=enrolment.pk).exists()
    assert not AuditEntry.objects.exists()


def test_an_administrator_deletes_an_enrolment_with_its_files_and_an_audit_entry(
    api_as, root, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from participants.models import TeachBack

    enrolment = EnrolmentFactory()
    teachback = TeachBack.objects.create(enrolment=enrolment, title="Screening", score=70)
    teachback.file.save("t.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    stored = teachback.file.name
    storage = teachback.file.storage

    with django_capture_on_commit_callbacks(execute=True):
        answer = api_as(root).delete(f"/api/v1/enrolments/{enrolment.pk}/")

    assert answer.status_code == 204
    assert not storage.exists(stored)
    entry = AuditEntry.objects.get(action=AuditAction.RECORD_DELETED)
    assert entry.object_id == str(enrolment.pk)


def test_a_trainee_holding_a_certificate_is_not_deleted_even_by_an_administrator(api_as, root):
    certificate = CertificateFactory()
    answer = api_as(root).delete(f"/api/v1/participants/{certificate.enrolment.participant_id}/")
    assert answer.status_code == 409
    assert Participant.objects.filter(pk=certificate.enrolment.participant_id).exists()
    assert not AuditEntry.objects.exists()  # the audit entry went with the rolled-back delete
