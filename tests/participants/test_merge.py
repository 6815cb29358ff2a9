"""Merging two records of one person (``participants_merge`` and
``POST /api/v1/participants/{id}/merge/``): nothing is lost, and the merge is logged."""

import datetime as dt

import pytest

from accounts.models import AuditAction, AuditEntry
from certificates.models import Certificate
from core.errors import ConflictError, DomainError
from participants.merging import participants_merge
from participants.models import Attendance, Enrolment, Participant, TeachBack
from tests.factories import (
    AttendanceFactory,
    CertificateFactory,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    OrganisationFactory,
    ParticipantFactory,
)

DAY1 = dt.date(2016, 5, 15)
DAY2 = dt.date(2016, 5, 16)
DAY3 = dt.date(2016, 5, 17)


@pytest.fixture
def pair(db):
    organisation = OrganisationFactory()
    survivor = ParticipantFactory(
        first_name="Ahmed", last_name="Al-Saadi", email="", phone="", position="",
        native_name="", organisation=organisation,
    )  # fmt: skip
    duplicate = ParticipantFactory(
        first_name="Ahmad", last_name="Alsaadi", email="ahmad@moi.gov.iq", phone="+9647701234567",
        native_name="أحمد الساعدي", position="Officer", organisation=organisation,
    )  # fmt: skip
    return survivor, duplicate


def test_it_moves_enrolments_attendance_certificates_and_sessions(pair, alice):
    survivor, duplicate = pair
    enrolment = EnrolmentFactory(participant=duplicate, status="completed", post_test_score=80)
    AttendanceFactory(enrolment=enrolment, date=DAY1)
    certificate = CertificateFactory(enrolment=enrolment)
    session = CourseSessionFactory()
    session.trainers.add(duplicate)

    result = participants_merge(survivor=survivor, duplicate=duplicate, by=alice)

    assert result.pk == survivor.pk
    assert not Participant.objects.filter(pk=duplicate.pk).exists()
    enrolment.refresh_from_db()
    assert enrolment.participant_id == survivor.pk
    assert Attendance.objects.get(enrolment=enrolment).date == DAY1
    assert Certificate.objects.get(pk=certificate.pk).enrolment.participant_id == survivor.pk
    assert list(session.trainers.all()) == [survivor]


def test_it_fills_the_survivors_blank_fields_from_the_duplicate(pair, alice):
    survivor, duplicate = pair
    result = participants_merge(survivor=survivor, duplicate=duplicate, by=alice)
    assert result.first_name == "Ahmed"  # kept: not blank
    assert result.email == "ahmad@moi.gov.iq"  # filled: the duplicate is gone, so it is free
    assert result.native_name == "أحمد الساعدي"
    assert result.phone == "+9647701234567"
    assert result.position == "Officer"


def test_in_a_shared_course_the_more_advanced_enrolment_survives_completed_by_the_other(
    pair, alice
):
    survivor, duplicate = pair
    course = CourseFactory()
    ours = EnrolmentFactory(participant=survivor, course=course, status="nominated",
                            pre_test_score=40)  # fmt: skip
    AttendanceFactory(enrolment=ours, date=DAY1, present=True)
    theirs = EnrolmentFactory(participant=duplicate, course=course, status="attended",
                              post_test_score=85)  # fmt: skip
    AttendanceFactory(enrolment=theirs, date=DAY1, present=False)  # a day both recorded
    AttendanceFactory(enrolment=theirs, date=DAY2, present=True)
    TeachBack.objects.create(enrolment=ours, title="Return and reintegration", score=70)

    participants_merge(survivor=survivor, duplicate=duplicate, by=alice)

    kept = Enrolment.objects.get(participant=survivor, course=course)
    assert kept.pk == theirs.pk and kept.status == "attended"
    assert not Enrolment.objects.filter(pk=ours.pk).exists()
    assert (kept.pre_test_score, kept.post_test_score) == (40, 85)
    days = dict(kept.attendance.values_list("date", "present"))
    assert days == {DAY1: False, DAY2: True}  # the kept enrolment's own record of day 1 wins
    assert kept.teachback.title == "Return and reintegration"


def test_the_enrolment_with_the_certificate_survives_whatever_its_status(pair, alice):
    survivor, duplicate = pair
    course = CourseFactory()
    ours = EnrolmentFactory(participant=survivor, course=course, status="completed")
    certificate = CertificateFactory(enrolment=ours)
    theirs = EnrolmentFactory(participant=duplicate, course=course, status="nominated")
    AttendanceFactory(enrolment=theirs, date=DAY3)

    participants_merge(survivor=survivor, duplicate=duplicate, by=alice)

    certificate.refresh_from_db()
    assert certificate.enrolment_id == ours.pk
    assert list(Enrolment.objects.filter(participant=survivor)) == [ours]
    assert ours.attendance.get().date == DAY3


def test_it_refuses_when_both_enrolments_of_a_course_have_certificates(pair, alice):
    survivor, duplicate = pair
    course = CourseFactory()
    CertificateFactory(enrolment=EnrolmentFactory(participant=survivor, course=course))
    CertificateFactory(enrolment=EnrolmentFactory(participant=duplicate, course=course))
    with pytest.raises(ConflictError, match="Both records have a certificate"):
        participants_merge(survivor=survivor, duplicate=duplicate, by=alice)
    assert Participant.objects.filter(pk=duplicate.pk).exists()
    assert Enrolment.objects.filter(course=course).count() == 2
    assert not AuditEntry.objects.exists()


def test_it_refuses_to_merge_a_record_with_itself(pair, alice):
    survivor, _ = pair
    with pytest.raises(DomainError, match="itself"):
        participants_merge(survivor=survivor, duplicate=survivor, by=alice)
    assert Participant.objects.filter(pk=survivor.pk).exists()


def test_it_logs_who_merged_what(pair, alice):
    survivor, duplicate = pair
    enrolment = EnrolmentFactory(participant=duplicate)
    duplicate_id = duplicate.pk
    participants_merge(survivor=survivor, duplicate=duplicate, by=alice)
    entry = AuditEntry.objects.get(action=AuditAction.PARTICIPANTS_MERGED)
    assert entry.actor == alice
    assert entry.object_id == str(survivor.pk)
    assert entry.data["survivor"] == survivor.pk
    assert entry.data["duplicate"] == duplicate_id
    assert entry.data["enrolments_moved"] == [enrolment.pk]
    assert "email" in entry.data["fields_filled"]


# --- API ----------------------------------------------------------------------------------


def url(participant):
    return f"/api/v1/participants/{participant.pk}/merge/"


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anon", 401), ("dave", 403), ("bob", 403), ("alice", 200), ("carol", 200), ("root", 200)],
)
def test_the_api_merges_for_the_team_and_coordinators_only(
    actor, expected, request, api_as, anon_api, pair
):
    survivor, duplicate = pair
    client = anon_api if actor == "anon" else api_as(request.getfixturevalue(actor))
    response = client.post(url(survivor), {"duplicate": duplicate.pk}, format="json")
    assert response.status_code == expected
    assert Participant.objects.filter(pk=duplicate.pk).exists() == (expected != 200)


def test_the_api_answers_with_the_survivor(pair, api_as, alice):
    survivor, duplicate = pair
    response = api_as(alice).post(url(survivor), {"duplicate": duplicate.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == survivor.pk
    assert response.json()["email"] == "ahmad@moi.gov.iq"


def test_the_api_answers_409_when_a_certificate_would_be_lost(pair, api_as, alice):
    survivor, duplicate = pair
    course = CourseFactory()
    CertificateFactory(enrolment=EnrolmentFactory(participant=survivor, course=course))
    CertificateFactory(enrolment=EnrolmentFactory(participant=duplicate, course=course))
    response = api_as(alice).post(url(survivor), {"duplicate": duplicate.pk}, format="json")
    assert response.status_code == 409
    assert "certificate" in response.json()["detail"]


@pytest.mark.parametrize("body", [{}, {"duplicate": 999999}, {"duplicate": "x"}])
def test_the_api_refuses_a_missing_or_unknown_duplicate(pair, api_as, alice, body):
    survivor, _ = pair
    response = api_as(alice).post(url(survivor), body, format="json")
    assert response.status_code == 400
    assert "duplicate" in response.json()


def test_the_api_refuses_merging_a_record_with_itself(pair, api_as, alice):
    survivor, _ = pair
    response = api_as(alice).post(url(survivor), {"duplicate": survivor.pk}, format="json")
    assert response.status_code == 400
    assert "itself" in response.json()["duplicate"][0]


# --- What may be merged, and by whom -----------------------------------------------------------


@pytest.fixture
def strangers(db):
    """Two records that share neither name nor organisation."""
    return (
        ParticipantFactory(
            first_name="Karim", last_name="Haddad", organisation=OrganisationFactory()
        ),
        ParticipantFactory(
            first_name="Sara", last_name="Novak", organisation=OrganisationFactory()
        ),
    )


def test_an_erased_record_is_never_merged_either_way(api_as, carol, alice, strangers):
    from privacy.services import participant_erase

    kept, erased = strangers
    participant_erase(participant=erased, reason="Asked in writing", by=carol)
    for survivor, duplicate in ((kept, erased), (erased, kept)):
        response = api_as(carol).post(
            f"/api/v1/participants/{survivor.pk}/merge/",
            {"duplicate": duplicate.pk, "reason": "Same person"},
            format="json",
        )
        assert response.status_code == 409, response.content
        assert "erased" in str(response.json())
    assert Participant.objects.filter(pk__in=[kept.pk, erased.pk]).count() == 2


def test_records_that_differ_in_name_or_organisation_need_a_coordinator_and_a_reason(
    api_as, alice, carol, strangers
):
    survivor, duplicate = strangers
    url = f"/api/v1/participants/{survivor.pk}/merge/"

    refused = api_as(alice).post(url, {"duplicate": duplicate.pk}, format="json")
    assert refused.status_code == 403
    assert "only a coordinator" in refused.json()["detail"]
    no_reason = api_as(carol).post(url, {"duplicate": duplicate.pk}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert Participant.objects.filter(pk=duplicate.pk).exists()

    merged = api_as(carol).post(
        url, {"duplicate": duplicate.pk, "reason": "Married name; moved ministry"}, format="json"
    )
    assert merged.status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.PARTICIPANTS_MERGED)
    assert entry.data["reason"] == "Married name; moved ministry"


def test_the_project_team_merges_two_spellings_of_one_name_in_one_ministry(alice):
    ministry = OrganisationFactory()
    survivor = ParticipantFactory(first_name="Ahmed", last_name="Al-Saadi", organisation=ministry)
    duplicate = ParticipantFactory(first_name="Ahmad", last_name="Alsaadi", organisation=ministry)
    assert participants_merge(survivor=survivor, duplicate=duplicate, by=alice) == survivor
    assert not Participant.objects.filter(pk=duplicate.pk).exists()


def test_the_merge_page_asks_a_coordinator_why_two_unlike_records_are_one_person(
    client, carol, strangers
):
    survivor, duplicate = strangers
    client.force_login(carol)
    url = f"/participants/{survivor.pk}/merge/?duplicate={duplicate.pk}"
    assert 'name="reason"' in client.get(url).content.decode()

    client.post(f"/participants/{survivor.pk}/merge/", {"duplicate": duplicate.pk})
    assert Participant.objects.filter(pk=duplicate.pk).exists()  # refused without a reason
    client.post(
        f"/participants/{survivor.pk}/merge/",
        {"duplicate": duplicate.pk, "reason": "Same passport number"},
    )
    assert not Participant.objects.filter(pk=duplicate.pk).exists()


def test_a_merge_is_one_transaction(transactional_db, alice, pair, monkeypatch):
    """Everything moves or nothing does (PostgreSQL also needs it for the row locks). Without a
    test-wide transaction, so only the service's own can be seen."""
    from django.db import connection

    seen = []
    monkeypatch.setattr(
        "participants.merging._fill_blanks",
        lambda survivor, duplicate: seen.append(connection.in_atomic_block) or {},
    )
    participants_merge(survivor=pair[0], duplicate=pair[1], by=alice)
    assert seen == [True]
