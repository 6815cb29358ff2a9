"""Duplicate warnings: name matching across spellings and scripts, the reasons, and
``GET /api/v1/participants/duplicates/`` per role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.duplicates import (
    SAME_EMAIL,
    SAME_NAME_ORG,
    SIMILAR_NAME,
    SIMILAR_NAME_ORG,
    find_duplicates,
    keys_match,
    name_key,
)
from tests.factories import OrganisationFactory, ParticipantFactory

URL = "/api/v1/participants/duplicates/"

SAME_NAMES = [
    ("Al-Saadi", "Alsaadi"),
    ("Al-Saadi", "al Saadi"),
    ("Al-Saadi", "الساعدي"),
    ("Alsaadi", "الساعدي"),
    ("Mohammed", "Muhammad"),
    ("Mohammed", "Mohamad"),
    ("Muhammad", "محمد"),
    ("Ahmad", "Ahmed"),
    ("Ahmed", "أحمد"),
    ("Ahmad", "احمد"),
    ("Hussein", "Husain"),
    ("Husain", "حسين"),
    ("Иванов", "Ivanov"),
    ("Fatima", "فاطمة"),
    ("Abdulrahman", "Abd al-Rahman"),
    ("Abdullah", "عبد الله"),
    ("Ahmed Al-Saadi", "أحمد الساعدي"),
    ("Mohammed Hussein Al-Saadi", "Muhammad Husain"),
]
DIFFERENT_NAMES = [
    ("Ahmad", "Hamid"),
    ("أحمد", "حامد"),
    ("Saadi", "Sadr"),
    ("Mohammed", "Hamid"),
    ("Ali", "Alina"),
    ("Ahmed Al-Saadi", "Ahmed Karimi"),
]


@pytest.mark.parametrize(("a", "b"), SAME_NAMES)
def test_it_matches_one_name_across_spellings_and_scripts(a, b):
    assert keys_match(name_key(a), name_key(b))
    assert keys_match(name_key(b), name_key(a))


@pytest.mark.parametrize(("a", "b"), DIFFERENT_NAMES)
def test_it_keeps_different_names_apart(a, b):
    assert not keys_match(name_key(a), name_key(b))


def test_it_ignores_the_article_and_empty_names():
    assert name_key("al") == ()
    assert name_key("") == ()
    assert not keys_match(name_key(""), name_key(""))


@pytest.fixture
def momd(db):
    return OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")


@pytest.fixture
def moi(db):
    return OrganisationFactory(name="Ministry of Interior", acronym="MoI")


def reasons(candidates):
    return {c.participant.pk: c.reason for c in candidates}


def test_it_warns_of_the_same_email_in_any_case(momd):
    person = ParticipantFactory(email="Layla.Hassan@MoMD.gov.iq", organisation=momd)
    found = find_duplicates(first_name="Someone", email="layla.hassan@momd.gov.iq")
    assert reasons(found) == {person.pk: SAME_EMAIL}
    assert "e-mail" in found[0].message


def test_it_warns_of_the_same_name_in_the_same_organisation(momd):
    person = ParticipantFactory(first_name="Layla", last_name="Hassan", organisation=momd)
    found = find_duplicates(first_name="layla", last_name="HASSAN", organisation=momd)
    assert reasons(found) == {person.pk: SAME_NAME_ORG}


def test_it_warns_of_a_similar_spelling_in_the_same_organisation(momd):
    person = ParticipantFactory(
        first_name="Ahmed", last_name="Al-Saadi", native_name="", organisation=momd
    )
    found = find_duplicates(first_name="Ahmad", last_name="Alsaadi", organisation=momd)
    assert reasons(found) == {person.pk: SIMILAR_NAME_ORG}


def test_it_compares_the_native_name_too(momd):
    person = ParticipantFactory(
        first_name="Ahmed", last_name="Al-Saadi", native_name="", organisation=momd
    )
    found = find_duplicates(native_name="أحمد الساعدي", first_name="A.", organisation=momd)
    assert reasons(found) == {person.pk: SIMILAR_NAME_ORG}


def test_a_similar_name_in_another_organisation_is_a_weaker_warning(momd, moi):
    person = ParticipantFactory(
        first_name="Ahmed", last_name="Al-Saadi", native_name="", organisation=moi
    )
    found = find_duplicates(first_name="Ahmed", last_name="Alsaadi", organisation=momd)
    assert reasons(found) == {person.pk: SIMILAR_NAME}
    assert "another organisation" in found[0].message


def test_it_does_not_warn_of_different_people(momd):
    ParticipantFactory(first_name="Hamid", last_name="Sadr", native_name="", organisation=momd)
    ParticipantFactory(first_name="Layla", last_name="Hassan", native_name="", organisation=momd)
    assert find_duplicates(first_name="Ahmad", last_name="Saadi", organisation=momd) == []


def test_a_single_given_name_is_checked_like_any_name(momd):
    gul = ParticipantFactory(first_name="Gul", last_name="", native_name="", organisation=momd)
    assert reasons(find_duplicates(first_name="Gul", organisation=momd)) == {gul.pk: SAME_NAME_ORG}


def test_it_leaves_out_the_record_being_edited(momd):
    person = ParticipantFactory(first_name="Layla", last_name="Hassan", organisation=momd)
    found = find_duplicates(
        first_name="Layla", last_name="Hassan", email=person.email, organisation=momd,
        exclude=person.pk,
    )  # fmt: skip
    assert found == []


def test_the_strongest_reason_wins_and_comes_first(momd, moi):
    same_email = ParticipantFactory(
        first_name="Layla", last_name="Hassan", email="layla@example.org", organisation=momd
    )
    other_org = ParticipantFactory(
        first_name="Leila", last_name="Hassan", native_name="", organisation=moi
    )
    found = find_duplicates(
        first_name="Layla", last_name="Hassan", email="LAYLA@example.org", organisation=momd
    )
    assert [c.reason for c in found] == [SAME_EMAIL, SIMILAR_NAME]
    assert [c.participant.pk for c in found] == [same_email.pk, other_org.pk]


def test_a_check_runs_a_fixed_number_of_queries(momd, django_assert_max_num_queries):
    for n in range(30):
        ParticipantFactory(first_name=f"Person{n}", last_name="Karimi", organisation=momd)
    with django_assert_max_num_queries(3):
        find_duplicates(first_name="Ahmed", last_name="Karimi", email="x@y.org", organisation=momd)


# --- API ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("anon", 401), ("dave", 403), ("bob", 403), ("alice", 200), ("carol", 200), ("root", 200)],
)
def test_the_api_answers_each_role(actor, expected, request, api_as, anon_api, momd):
    client = anon_api if actor == "anon" else api_as(request.getfixturevalue(actor))
    assert client.get(URL, {"last_name": "Saadi"}).status_code == expected


def test_the_api_lists_candidates_with_reason_and_message(alice, api_as, momd):
    person = ParticipantFactory(
        first_name="Ahmed", last_name="Al-Saadi", email="ahmed@moi.gov.iq", organisation=momd
    )
    response = api_as(alice).get(
        URL, {"first_name": "Ahmad", "last_name": "الساعدي", "organisation": momd.pk}
    )
    assert response.status_code == 200
    assert response.json() == [
        {
            "participant": {
                "id": person.pk,
                "name": "Ahmed Al-Saadi",
                "native_name": person.native_name,
                "organisation": str(momd),
                "organisation_id": momd.pk,
                "email": "ahmed@moi.gov.iq",
            },
            "reason": SIMILAR_NAME_ORG,
            "message": "Ahmed Al-Saadi has a similar name in the same organisation.",
        }
    ]


def test_the_api_refuses_an_unknown_organisation(alice, api_as, db):
    response = api_as(alice).get(URL, {"last_name": "Saadi", "organisation": 999999})
    assert response.status_code == 400
    assert "organisation" in response.json()


def test_the_api_runs_the_same_queries_for_3_or_30_candidates(alice, api_as, momd, moi):
    client = api_as(alice)
    params = {"first_name": "Ahmed", "last_name": "Al-Saadi", "organisation": momd.pk}

    def make(n):
        for i in range(n):
            ParticipantFactory(first_name="Ahmad", last_name="Alsaadi", native_name="",
                               organisation=momd if i % 2 else moi)  # fmt: skip

    make(3)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(URL, params).json()) == 3
    make(27)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(URL, params).json()) == 10  # at most 10 candidates
    assert len(many) == len(few)
