"""The participant services on their own: idempotency, role rules and the status history."""

import pytest

from core.errors import DomainError, NotPermittedError
from participants.models import Enrolment
from participants.services import (
    enrolment_set_status,
    enrolments_bulk_create,
    participant_create,
    phone_normalise,
)
from tests.api_fixtures import fast_passwords  # noqa: F401  (fixture)
from tests.factories import CourseFactory, EnrolmentFactory, ParticipantFactory


def test_enrolling_the_same_people_twice_creates_nothing_the_second_time(alice):
    course = CourseFactory(upcoming=True)
    people = ParticipantFactory.create_batch(4)
    first = enrolments_bulk_create(course=course, participants=people, by=alice)
    second = enrolments_bulk_create(course=course, participants=people, by=alice)
    assert (len(first.created), len(first.existing)) == (4, 0)
    assert (len(second.created), len(second.existing)) == (0, 4)
    assert [e.pk for e in first.enrolments] == [e.pk for e in second.enrolments]
    assert Enrolment.objects.count() == 4


def test_a_project_team_member_cannot_decide_completion(alice):
    enrolment = EnrolmentFactory(status="attended")
    with pytest.raises(NotPermittedError):
        enrolment_set_status(enrolment=enrolment, status="failed", by=alice)
    enrolment.refresh_from_db()
    assert enrolment.status == "attended"


def test_repeating_a_status_change_keeps_the_first_record(carol, root):
    enrolment = EnrolmentFactory(status="attended")
    enrolment_set_status(enrolment=enrolment, status="completed", reason="Met the rule", by=carol)
    stamped = enrolment.status_changed_at
    enrolment_set_status(enrolment=enrolment, status="completed", by=root)
    enrolment.refresh_from_db()
    assert enrolment.status_changed_by == carol
    assert enrolment.status_changed_at == stamped
    assert enrolment.status_reason == "Met the rule"


def test_an_unknown_status_is_a_domain_error(carol):
    enrolment = EnrolmentFactory()
    with pytest.raises(DomainError) as caught:
        enrolment_set_status(enrolment=enrolment, status="graduated", by=carol)
    assert caught.value.field == "status"


def test_a_participant_without_any_name_is_refused(alice):
    with pytest.raises(DomainError):
        participant_create(first_name="  ", last_name="", by=alice)


@pytest.mark.parametrize(
    ("raw", "country", "expected"),
    [
        ("+964 750 123 4567", "", "+9647501234567"),
        ("0750 123 4567", "IQ", "+9647501234567"),
        ("", "IQ", ""),
    ],
)
def test_phone_numbers_are_normalised_where_they_parse(raw, country, expected):
    assert phone_normalise(raw, country) == expected


@pytest.mark.parametrize("raw", ["call the office", "abc123", "0750 123 4567"])
def test_what_is_not_a_phone_number_is_refused(raw):
    with pytest.raises(DomainError) as caught:
        phone_normalise(raw, "")  # without a country, a national number is not one
    assert caught.value.field == "phone"


def test_names_lose_bidi_overrides_but_keep_the_joiners_persian_needs(alice):
    participant = participant_create(
        first_name="\u202eevilname\u202c",
        last_name="Rahimi",
        native_name="مهر\u200cناز \u2067رحیمی\u2069",
        by=alice,
    )
    assert participant.first_name == "evilname"
    assert participant.native_name == "مهر\u200cناز رحیمی"
