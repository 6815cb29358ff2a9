"""Trainee pages: the list, registration with duplicate warnings, detail, edit and merge, per
role (anonymous visitors go to the login page; users without the role get 403)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from accounts.models import AuditEntry
from participants.models import Enrolment, Participant
from tests.factories import (
    CertificateFactory,
    CourseFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    OrganisationFactory,
    ParticipantFactory,
)

ACTORS = ["anon", "dave", "bob", "alice", "carol", "root"]
READERS = {"bob", "alice", "carol", "root"}
TEAM = {"alice", "carol", "root"}


@pytest.fixture
def browse(request, db):
    def make(actor: str) -> Client:
        client = Client()
        if actor != "anon":
            client.force_login(request.getfixturevalue(actor))
        return client

    return make


def expected(actor: str, allowed: set[str], success: int = 200) -> int:
    if actor in allowed:
        return success
    return 302 if actor == "anon" else 403


@pytest.fixture
def momd(db):
    return OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")


@pytest.fixture
def ahmed(momd):
    return ParticipantFactory(
        first_name="Ahmed", last_name="Al-Saadi", native_name="أحمد الساعدي",
        email="ahmed@momd.gov.iq", organisation=momd, country="IQ",
    )  # fmt: skip


@pytest.fixture
def taught_by_bob(bob):
    """Enrol ``person`` in a course that bob teaches (as the course's visiting expert)."""

    def enrol(person):
        course = CourseFactory(title="ToT Erbil")
        ExpertAssignmentFactory(course=course, expert=ExpertFactory(user=bob))
        return EnrolmentFactory(participant=person, course=course, status="completed")

    return enrol


def page_urls(person):
    return {
        "list": (reverse("participant-list"), READERS),
        "detail": (reverse("participant-detail", args=[person.pk]), READERS),
        "new": (reverse("participant-new"), TEAM),
        "edit": (reverse("participant-edit", args=[person.pk]), TEAM),
        "duplicates": (reverse("participant-duplicates") + "?last_name=Saadi", TEAM),
        "merge": (
            reverse("participant-merge", args=[person.pk])
            + f"?duplicate={ParticipantFactory().pk}",
            TEAM,
        ),
    }


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", ["list", "detail", "new", "edit", "duplicates", "merge"])
def test_each_page_answers_each_role(name, actor, browse, ahmed, taught_by_bob):
    taught_by_bob(ahmed)  # a trainer reads the trainees of the courses they teach
    url, allowed = page_urls(ahmed)[name]
    response = browse(actor).get(url)
    assert response.status_code == expected(actor, allowed)
    if actor == "anon":
        assert response["Location"].startswith(reverse("login"))


# --- List -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["الساعدي", "saadi", "AHMED@momd", "Migration", "MoMD", "ahmed saadi"]
)
def test_the_list_finds_a_trainee_by_name_in_any_script_email_or_organisation(query, browse, ahmed):
    ParticipantFactory(first_name="Layla", last_name="Hassan", native_name="ليلى حسن",
                       email="layla@x.org")  # fmt: skip
    content = browse("alice").get(reverse("participant-list"), {"q": query}).content.decode()
    assert "Ahmed Al-Saadi" in content
    assert "Layla Hassan" not in content


def test_the_list_filters_by_organisation_and_nationality(browse, ahmed, momd):
    ParticipantFactory(first_name="Gul", last_name="", country="AF")
    client = browse("alice")
    by_org = client.get(reverse("participant-list"), {"organisation": momd.pk}).content.decode()
    assert "Ahmed Al-Saadi" in by_org and "Gul" not in by_org
    by_country = client.get(reverse("participant-list"), {"country": "AF"}).content.decode()
    assert "Gul" in by_country and "Ahmed Al-Saadi" not in by_country


def test_htmx_gets_only_the_results(browse, ahmed):
    response = browse("alice").get(reverse("participant-list"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "Ahmed Al-Saadi" in content
    assert "<html" not in content
    assert "HX-Request" in response["Vary"]


def test_the_list_runs_the_same_queries_for_5_or_25_trainees(browse, momd):
    client = browse("alice")
    ParticipantFactory.create_batch(5, organisation=OrganisationFactory(parent=momd))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("participant-list"))
    ParticipantFactory.create_batch(20, organisation=OrganisationFactory(parent=momd))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("participant-list"))
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_only_the_team_sees_the_register_and_import_buttons(browse, ahmed):
    assert (
        reverse("participant-new")
        not in browse("bob").get(reverse("participant-list")).content.decode()
    )
    team_page = browse("alice").get(reverse("participant-list")).content.decode()
    assert reverse("participant-new") in team_page
    assert reverse("participant-import") in team_page


def test_user_text_is_escaped(browse, momd):
    person = ParticipantFactory(first_name="<script>alert(1)</script>", organisation=momd)
    for url in (reverse("participant-list"), reverse("participant-detail", args=[person.pk])):
        content = browse("alice").get(url).content.decode()
        assert "<script>alert(1)</script>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


# --- Registration ---------------------------------------------------------------------------


def form_data(**fields):
    return {
        "first_name": "", "last_name": "", "native_name": "", "gender": "", "email": "",
        "phone": "", "organisation": "", "position": "", "country": "", "notes": "",
        **fields,
    }  # fmt: skip


def test_the_team_registers_a_trainee_with_a_single_given_name(browse, momd):
    response = browse("alice").post(
        reverse("participant-new"),
        form_data(first_name="Gul", organisation=momd.pk, country="AF", consent_given="on"),
    )
    person = Participant.objects.get(first_name="Gul")
    assert response.status_code == 302
    assert response["Location"] == reverse("participant-detail", args=[person.pk])
    assert (person.last_name, person.organisation, person.consent_given) == ("", momd, True)
    assert person.consent_date is not None


def test_registration_needs_a_name(browse, momd):
    response = browse("alice").post(reverse("participant-new"), form_data(organisation=momd.pk))
    assert response.status_code == 200
    assert "at least one name" in response.content.decode()
    assert not Participant.objects.exists()


def test_a_similar_name_stops_the_save_until_the_user_says_it_is_another_person(
    browse, ahmed, momd
):
    client = browse("alice")
    data = form_data(first_name="Ahmad", last_name="Alsaadi", organisation=momd.pk)
    response = client.post(reverse("participant-new"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ahmed Al-Saadi has a similar name in the same organisation." in content
    assert reverse("participant-detail", args=[ahmed.pk]) in content
    assert Participant.objects.count() == 1

    response = client.post(reverse("participant-new"), {**data, "different_person": "on"})
    assert response.status_code == 302
    assert Participant.objects.filter(first_name="Ahmad").exists()


def test_the_same_email_is_refused_even_for_a_different_person(browse, ahmed, momd):
    data = form_data(first_name="Layla", email="AHMED@momd.gov.iq", different_person="on")
    response = browse("carol").post(reverse("participant-new"), data)
    assert response.status_code == 200
    assert "already registered with this e-mail" in response.content.decode()
    assert Participant.objects.count() == 1


def test_registration_can_enrol_in_a_course(browse, momd):
    course = CourseFactory(title="ToT Erbil", upcoming=True)
    data = form_data(first_name="Layla", last_name="Hassan", course=course.pk)
    assert browse("alice").post(reverse("participant-new"), data).status_code == 302
    enrolment = Enrolment.objects.get()
    assert (enrolment.participant.full_name, enrolment.course) == ("Layla Hassan", course)


def test_a_cancelled_course_cannot_be_chosen(browse, momd):
    course = CourseFactory(status="cancelled")
    data = form_data(first_name="Layla", course=course.pk)
    response = browse("alice").post(reverse("participant-new"), data)
    assert response.status_code == 200
    assert not Participant.objects.exists()


def test_the_live_warnings_match_a_latin_name_to_an_arabic_one(browse, momd):
    ParticipantFactory(first_name="محمد", last_name="الساعدي", native_name="", organisation=momd)
    response = browse("alice").get(
        reverse("participant-duplicates"),
        {"first_name": "Mohammed", "last_name": "Al-Saadi", "organisation": momd.pk},
    )
    content = response.content.decode()
    assert "similar name in the same organisation" in content
    assert 'name="different_person"' in content


def test_the_live_warnings_are_empty_for_a_new_person(browse, ahmed):
    response = browse("alice").get(reverse("participant-duplicates"), {"first_name": "Zarina"})
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_the_live_warnings_ignore_a_malformed_organisation(browse, ahmed):
    response = browse("alice").get(
        reverse("participant-duplicates"),
        {"first_name": "Ahmad", "last_name": "Saadi", "organisation": "x'"},
    )
    assert response.status_code == 200
    assert "Ahmed Al-Saadi" in response.content.decode()


# --- Detail and edit ------------------------------------------------------------------------


def test_the_detail_shows_enrolments_with_status_and_certificates(browse, ahmed):
    enrolment = EnrolmentFactory(participant=ahmed, status="completed",
                                 course=CourseFactory(title="ToT Erbil"))  # fmt: skip
    CertificateFactory(enrolment=enrolment, serial="SRP-2016-ERB-0007")
    content = browse("carol").get(reverse("participant-detail", args=[ahmed.pk])).content.decode()
    assert "ToT Erbil" in content
    assert "Completed" in content
    assert "SRP-2016-ERB-0007" in content
    assert "ahmed@momd.gov.iq" in content


def test_a_trainer_reads_their_trainee_without_contact_data_or_certificates(
    browse, ahmed, taught_by_bob
):
    enrolment = taught_by_bob(ahmed)
    CertificateFactory(enrolment=enrolment, serial="SRP-2016-ERB-0007")
    content = browse("bob").get(reverse("participant-detail", args=[ahmed.pk])).content.decode()
    assert "ToT Erbil" in content and "Completed" in content
    assert "ahmed@momd.gov.iq" not in content and "SRP-2016-ERB-0007" not in content
    assert reverse("participant-edit", args=[ahmed.pk]) not in content  # trainers only read


def test_the_detail_links_the_personal_data_page_only_where_it_exists(browse, ahmed):
    content = browse("alice").get(reverse("participant-detail", args=[ahmed.pk])).content.decode()
    try:
        url = reverse("participant-personal-data", args=[ahmed.pk])
    except NoReverseMatch:
        assert "Personal data" not in content
    else:
        assert url in content


def test_the_detail_offers_to_merge_a_possible_duplicate(browse, ahmed, momd):
    other = ParticipantFactory(first_name="Ahmad", last_name="Alsaadi", email="", organisation=momd)
    content = browse("alice").get(reverse("participant-detail", args=[ahmed.pk])).content.decode()
    assert f"{reverse('participant-merge', args=[ahmed.pk])}?duplicate={other.pk}" in content


def test_the_team_edits_a_trainee(browse, ahmed, momd):
    data = form_data(first_name="Ahmed", last_name="Al-Saadi", organisation=momd.pk,
                     position="Director", email="ahmed@momd.gov.iq")  # fmt: skip
    response = browse("alice").post(reverse("participant-edit", args=[ahmed.pk]), data)
    assert response.status_code == 302
    ahmed.refresh_from_db()
    assert ahmed.position == "Director"


def test_editing_refuses_another_trainees_email(browse, ahmed, momd):
    ParticipantFactory(email="layla@momd.gov.iq")
    data = form_data(first_name="Ahmed", email="Layla@momd.gov.iq", different_person="on")
    response = browse("alice").post(reverse("participant-edit", args=[ahmed.pk]), data)
    assert response.status_code == 200
    ahmed.refresh_from_db()
    assert ahmed.email == "ahmed@momd.gov.iq"


def test_editing_an_unknown_trainee_is_404(browse, db):
    assert browse("alice").get(reverse("participant-edit", args=[999999])).status_code == 404


# --- Merge ----------------------------------------------------------------------------------


def test_the_merge_page_compares_both_records(browse, ahmed, momd):
    other = ParticipantFactory(first_name="Ahmad", last_name="Alsaadi", phone="+9647701234567",
                               organisation=momd)  # fmt: skip
    ahmed.phone = ""
    ahmed.save()
    url = reverse("participant-merge", args=[ahmed.pk]) + f"?duplicate={other.pk}"
    content = browse("alice").get(url).content.decode()
    assert "Ahmad Alsaadi" in content and "Ahmed Al-Saadi" in content
    assert "+9647701234567" in content
    assert "will be copied" in content


def test_confirming_the_merge_merges_and_logs(browse, ahmed, momd):
    other = ParticipantFactory(first_name="Ahmad", last_name="Alsaadi", organisation=momd)
    enrolment = EnrolmentFactory(participant=other)
    response = browse("carol").post(
        reverse("participant-merge", args=[ahmed.pk]), {"duplicate": other.pk}
    )
    assert response.status_code == 302
    assert not Participant.objects.filter(pk=other.pk).exists()
    enrolment.refresh_from_db()
    assert enrolment.participant == ahmed
    assert AuditEntry.objects.filter(action="participants_merged").count() == 1


def test_a_refused_merge_says_why_and_changes_nothing(browse, ahmed, momd):
    other = ParticipantFactory(first_name="Ahmad", last_name="Alsaadi", organisation=momd)
    course = CourseFactory()
    CertificateFactory(enrolment=EnrolmentFactory(participant=ahmed, course=course))
    CertificateFactory(enrolment=EnrolmentFactory(participant=other, course=course))
    response = browse("alice").post(
        reverse("participant-merge", args=[ahmed.pk]), {"duplicate": other.pk}, follow=True
    )
    assert "Both records have a certificate" in response.content.decode()
    assert Participant.objects.filter(pk=other.pk).exists()


def test_the_merge_page_refuses_the_same_record_and_needs_a_duplicate(browse, ahmed):
    client = browse("alice")
    url = reverse("participant-merge", args=[ahmed.pk])
    response = client.get(f"{url}?duplicate={ahmed.pk}", follow=True)
    assert "cannot be merged with itself" in response.content.decode()
    assert client.get(url).status_code == 404
    assert client.get(f"{url}?duplicate=abc").status_code == 404
