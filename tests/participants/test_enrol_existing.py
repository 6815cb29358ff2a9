"""Enrolling trainees who are already registered: which courses take enrolments, the course's
"Add trainees" (search as you type, several at once), a trainee's "Add to a course", and the
API's refusal of a course that takes nobody.

alice is on the project team, bob a trainer, carol a coordinator, dave has no role, root is a
superuser (``tests/conftest.py``).
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import ConflictError
from participants import services
from participants.models import Enrolment
from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    OrganisationFactory,
    ParticipantFactory,
)
from trainings.models import Course

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def closed_courses():
    """One course for each reason a course takes no enrolments."""
    return {
        "completed": CourseFactory(title="ToT Erbil", code="ERB", status="completed"),
        "cancelled": CourseFactory(title="ToT Kabul", code="KBL", status="cancelled"),
        "ended": CourseFactory(
            title="ToT Islamabad",
            code="ISB",
            status="open",
            start_date=TODAY - dt.timedelta(days=12),
            end_date=TODAY - dt.timedelta(days=3),
        ),
    }


REASONS = {"completed": "completed", "cancelled": "cancelled", "ended": "ended on"}


@pytest.fixture
def course():
    return CourseFactory(title="ToT Baghdad", code="BGD", upcoming=True, capacity=2)


@pytest.fixture
def registry():
    """Three registered trainees, one of whom has a native-script name."""
    momd = OrganisationFactory(name="Ministry of Migration and Displacement", acronym="MoMD")
    return [
        ParticipantFactory(
            first_name="Layla", last_name="Hassan", native_name="ليلى حسن", organisation=momd
        ),
        ParticipantFactory(first_name="Omar", last_name="Hassan", organisation=momd),
        ParticipantFactory(first_name="Zainab", last_name="Kareem", organisation=momd),
    ]


# --- Which courses take enrolments ----------------------------------------------------------


def test_only_draft_open_and_running_courses_that_have_not_ended_take_enrolments():
    closed = closed_courses()
    draft = CourseFactory(status="draft", upcoming=True)
    draft.status = "draft"
    draft.save()
    running_today = CourseFactory(status="running", start_date=TODAY, end_date=TODAY)
    upcoming = CourseFactory(upcoming=True)

    open_ones = set(Course.objects.open_for_enrolment())

    assert open_ones == {draft, running_today, upcoming}
    for name, closed_course in closed.items():
        assert REASONS[name] in closed_course.enrolment_refusal()
        assert closed_course.code in closed_course.enrolment_refusal()
    assert all(c.enrolment_refusal() is None for c in open_ones)


@pytest.mark.parametrize("reason", ["completed", "cancelled", "ended"])
def test_the_services_refuse_a_closed_course_with_the_reason_and_change_nothing(alice, reason):
    closed = closed_courses()[reason]
    person = ParticipantFactory()

    with pytest.raises(ConflictError, match=REASONS[reason]):
        services.enrolments_bulk_create(course=closed, participants=[person], by=alice)
    with pytest.raises(ConflictError, match=REASONS[reason]):
        services.enrolment_create(participant=person, course=closed, by=alice)

    assert not Enrolment.objects.exists()


def test_the_bulk_service_says_who_was_seated_and_who_waits_in_arrival_order(alice, course):
    EnrolmentFactory(course=course, status="confirmed")
    first, second, third = ParticipantFactory.create_batch(3)

    result = services.enrolments_bulk_create(
        course=course, participants=[third, first, second], by=alice
    )

    assert [e.participant for e in result.seated] == [third]
    assert [e.participant for e in result.waitlisted] == [first, second]
    again = services.enrolments_bulk_create(course=course, participants=[first], by=alice)
    assert (again.created, [e.participant for e in again.existing]) == ([], [first])


# --- The API --------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["completed", "cancelled", "ended"])
def test_the_api_answers_409_with_the_reason_for_a_closed_course(api_as, alice, reason):
    closed = closed_courses()[reason]
    person = ParticipantFactory()
    client = api_as(alice)

    bulk = client.post(f"/api/v1/courses/{closed.pk}/enrolments/", {"participants": [person.pk]})
    single = client.post("/api/v1/enrolments/", {"participant": person.pk, "course": closed.pk})

    for response in (bulk, single):
        assert response.status_code == 409, response.content
        detail = response.json()["detail"]
        assert closed.code in detail and REASONS[reason] in detail
    assert not Enrolment.objects.exists()


def test_the_api_import_refuses_an_ended_course_with_409(api_as, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ended = closed_courses()["ended"]
    upload = SimpleUploadedFile("list.csv", b"first_name,last_name\r\nSam,Noor\r\n", "text/csv")

    response = api_as(alice).post(
        "/api/v1/participants/import/", {"file": upload, "course": ended.pk}, format="multipart"
    )

    assert response.status_code == 409
    assert "ended on" in response.json()["detail"]
    assert not Enrolment.objects.exists()


def test_the_api_bulk_enrolment_says_who_was_seated_and_who_waits(api_as, alice, course):
    people = ParticipantFactory.create_batch(3)

    response = api_as(alice).post(
        f"/api/v1/courses/{course.pk}/enrolments/", {"participants": [p.pk for p in people]}
    )

    assert response.status_code == 201
    body = response.json()
    assert body["seated"] == [people[0].pk, people[1].pk]
    assert body["waitlisted"] == [people[2].pk]


# --- Registration and import pages offer only open courses ----------------------------------


def test_the_registration_form_offers_only_courses_that_take_enrolments(client, alice):
    closed = closed_courses()
    upcoming = CourseFactory(title="ToT Tashkent", code="TAS", upcoming=True)
    client.force_login(alice)

    html = client.get(reverse("participant-new")).content.decode()

    assert "ToT Tashkent (TAS)" in html
    for closed_course in closed.values():
        assert f"({closed_course.code})" not in html
    response = client.post(
        reverse("participant-new"),
        {"first_name": "Layla", "course": closed["completed"].pk, "gender": "", "country": ""},
    )
    assert response.status_code == 200
    assert "the course is completed" in response.content.decode()
    assert not Enrolment.objects.exists()
    assert upcoming.enrolment_refusal() is None


# --- The course's "Add trainees" ------------------------------------------------------------


def search(client, course, q, ticked=()):
    return client.get(
        reverse("course-trainees-search", args=[course.pk]),
        {"q": q, "participants": list(ticked)},
        HTTP_HX_REQUEST="true",
    )


def test_the_trainees_tab_offers_add_trainees_to_the_project_team(client, alice, course):
    client.force_login(alice)
    html = client.get(reverse("course-trainees", args=[course.pk])).content.decode()
    assert "Add trainees" in html
    assert reverse("course-trainees-search", args=[course.pk]) in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'for="add-trainees-q"' in html and 'aria-live="polite"' in html


def test_a_trainer_of_the_course_does_not_see_add_trainees(client, bob, course):
    ExpertAssignmentFactory(expert=ExpertFactory(user=bob), course=course)
    client.force_login(bob)
    html = client.get(reverse("course-trainees", args=[course.pk])).content.decode()
    assert "Add trainees" not in html and "course-trainees-search" not in html


def test_a_closed_course_says_why_instead_of_offering_the_search(client, alice):
    closed = closed_courses()["completed"]
    client.force_login(alice)
    html = client.get(reverse("course-trainees", args=[closed.pk])).content.decode()
    assert "Nobody can be enrolled in ToT Erbil (ERB): the course is completed" in html
    assert 'id="add-trainees-q"' not in html


def test_the_search_finds_trainees_by_any_script_and_marks_who_is_enrolled(
    client, alice, course, registry
):
    layla, omar, _zainab = registry
    EnrolmentFactory(course=course, participant=omar, status="nominated")
    client.force_login(alice)

    html = search(client, course, "Hassan").content.decode()

    assert "Layla Hassan" in html and "ليلى حسن" in html and "Omar Hassan" in html
    assert "Zainab" not in html
    assert "Ministry of Migration and Displacement" in html
    assert "2 trainees found." in html and 'hx-swap-oob="innerHTML"' in html
    assert html.count("Already in this course") == 1
    assert "disabled" in html[html.index(f'value="{omar.pk}"') :].split(">")[0]
    assert "disabled" not in html[html.index(f'value="{layla.pk}"') :].split(">")[0]
    assert "ليلى" in search(client, course, "ليلى").content.decode()


def test_the_search_keeps_the_ticked_trainees_first_and_checked(client, alice, course, registry):
    layla, _omar, zainab = registry
    client.force_login(alice)

    html = search(client, course, "Kareem", ticked=[layla.pk]).content.decode()

    assert html.index("Layla Hassan") < html.index("Zainab Kareem")
    layla_input = html[html.index(f'value="{layla.pk}"') :].split(">")[0]
    zainab_input = html[html.index(f'value="{zainab.pk}"') :].split(">")[0]
    assert "checked" in layla_input and "checked" not in zainab_input
    assert "1 ticked." in html


def test_search_escapes_names(client, alice, course):
    ParticipantFactory(first_name="<script>alert(1)</script>", last_name="Noor")
    client.force_login(alice)
    html = search(client, course, "Noor").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_the_search_runs_the_same_queries_for_few_and_many_matches(client, alice, course):
    client.force_login(alice)
    organisation = OrganisationFactory(parent=OrganisationFactory())
    ParticipantFactory.create_batch(2, last_name="Rahimi", organisation=organisation)
    ticked = [ParticipantFactory().pk]
    client.get(reverse("course-trainees", args=[course.pk]))  # session and user warm

    with CaptureQueriesContext(connection) as few:
        assert search(client, course, "Rahimi", ticked).status_code == 200
    for person in ParticipantFactory.create_batch(
        15, last_name="Rahimi", organisation=organisation
    ):
        EnrolmentFactory(course=course, participant=person)
    with CaptureQueriesContext(connection) as many:
        html = search(client, course, "Rahimi", ticked).content.decode()

    assert "17 trainees found." in html
    assert len(many.captured_queries) == len(few.captured_queries)


def test_adding_several_seats_and_waitlists_them_in_order_and_says_so(
    client, alice, course, registry
):
    layla, omar, zainab = registry
    client.force_login(alice)

    response = client.post(
        reverse("course-trainees-add", args=[course.pk]),
        {"participants": [zainab.pk, layla.pk, omar.pk]},
        follow=True,
    )

    statuses = dict(Enrolment.objects.values_list("participant_id", "status"))
    assert statuses == {zainab.pk: "nominated", layla.pk: "nominated", omar.pk: "waitlisted"}
    html = response.content.decode()
    assert "Enrolled: Zainab Kareem, Layla Hassan." in html
    assert "on the waiting list, in this order: Omar Hassan." in html

    again = client.post(
        reverse("course-trainees-add", args=[course.pk]), {"participants": [layla.pk]}, follow=True
    )
    assert "Already in the course, unchanged: Layla Hassan." in again.content.decode()
    assert Enrolment.objects.count() == 3


def test_adding_to_a_closed_course_changes_nothing_and_says_why(client, alice, registry):
    ended = closed_courses()["ended"]
    client.force_login(alice)

    response = client.post(
        reverse("course-trainees-add", args=[ended.pk]),
        {"participants": [registry[0].pk]},
        follow=True,
    )

    assert "Nobody can be enrolled in ToT Islamabad (ISB): the course ended on" in (
        response.content.decode()
    )
    assert not Enrolment.objects.exists()


def test_adding_nobody_or_an_unknown_trainee_changes_nothing(client, alice, course, registry):
    client.force_login(alice)
    url = reverse("course-trainees-add", args=[course.pk])

    nobody = client.post(url, {}, follow=True).content.decode()
    unknown = client.post(url, {"participants": [registry[0].pk, 987654]}, follow=True)

    assert "Tick at least one trainee to add." in nobody
    assert "no longer exist" in unknown.content.decode()
    assert not Enrolment.objects.exists()


# --- A trainee's "Add to a course" ----------------------------------------------------------


def test_the_trainee_page_offers_only_open_courses_they_are_not_in(client, alice, registry):
    layla = registry[0]
    closed = closed_courses()
    mine = CourseFactory(title="ToT Tashkent", code="TAS", upcoming=True)
    other = CourseFactory(title="ToT Dushanbe", code="DYU", upcoming=True)
    EnrolmentFactory(participant=layla, course=mine)
    client.force_login(alice)

    html = client.get(reverse("participant-detail", args=[layla.pk])).content.decode()

    assert "Add to a course" in html
    form = html[html.index('action="' + reverse("participant-enrol", args=[layla.pk])) :]
    form = form[: form.index("</form>")]
    assert "ToT Dushanbe (DYU)" in form
    assert "(TAS)" not in form
    assert all(f"({c.code})" not in form for c in closed.values())
    assert other.enrolment_refusal() is None


def test_adding_a_trainee_to_a_course_from_their_page(client, alice, course, registry):
    layla = registry[0]
    client.force_login(alice)

    response = client.post(
        reverse("participant-enrol", args=[layla.pk]), {"course": course.pk}, follow=True
    )

    assert Enrolment.objects.get(participant=layla).course == course
    assert "Layla Hassan is enrolled in ToT Baghdad." in response.content.decode()


def test_a_full_course_puts_the_trainee_on_its_waiting_list(client, alice, course, registry):
    EnrolmentFactory.create_batch(2, course=course, status="confirmed")
    client.force_login(alice)

    response = client.post(
        reverse("participant-enrol", args=[registry[0].pk]), {"course": course.pk}, follow=True
    )

    assert Enrolment.objects.get(participant=registry[0]).status == "waitlisted"
    assert "ToT Baghdad is full: Layla Hassan is on its waiting list." in (
        response.content.decode()
    )


def test_a_closed_course_posted_from_the_trainee_page_is_refused_with_the_reason(
    client, alice, registry
):
    cancelled = closed_courses()["cancelled"]
    client.force_login(alice)

    response = client.post(
        reverse("participant-enrol", args=[registry[0].pk]), {"course": cancelled.pk}
    )

    assert response.status_code == 400
    assert "Nobody can be enrolled in ToT Kabul (KBL): the course is cancelled." in (
        response.content.decode()
    )
    assert not Enrolment.objects.exists()


def test_a_trainer_sees_no_add_to_a_course(client, bob, course, registry):
    EnrolmentFactory(course=course, participant=registry[0])
    ExpertAssignmentFactory(expert=ExpertFactory(user=bob), course=course)
    client.force_login(bob)
    html = client.get(reverse("participant-detail", args=[registry[0].pk])).content.decode()
    assert "Add to a course" not in html


# --- Who may use the new pages, per role ----------------------------------------------------

ALLOWED = {"alice", "carol", "root"}  # the roles that enrol (participants.permissions)


def page_requests(course, person):
    return {
        "search": ("get", reverse("course-trainees-search", args=[course.pk]), {"q": "a"}),
        "add": (
            "post",
            reverse("course-trainees-add", args=[course.pk]),
            {"participants": [person.pk]},
        ),
        "enrol": ("post", reverse("participant-enrol", args=[person.pk]), {"course": course.pk}),
    }


@pytest.mark.parametrize("endpoint", ["search", "add", "enrol"])
@pytest.mark.parametrize("actor", ["anon", "dave", "alice", "bob", "carol", "root"])
def test_each_role_gets_the_expected_answer(client, request, actor, endpoint, course):
    person = ParticipantFactory()
    # bob teaches the course and sees the trainee, yet may not enrol anyone.
    ExpertAssignmentFactory(
        expert=ExpertFactory(user=request.getfixturevalue("bob")), course=course
    )
    EnrolmentFactory(course=course, participant=ParticipantFactory())
    if actor != "anon":
        client.force_login(request.getfixturevalue(actor))
    method, url, data = page_requests(course, person)[endpoint]

    response = getattr(client, method)(url, data)

    if actor == "anon":
        assert response.status_code == 302 and reverse("login") in response["Location"]
    elif actor in ALLOWED:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
    enrolled = Enrolment.objects.filter(participant=person).exists()
    assert enrolled == (actor in ALLOWED and endpoint != "search")


# --- The admin ------------------------------------------------------------------------------


INLINES = ("attendance", "teachbacks")


def test_the_admin_refuses_a_closed_course_with_the_reason(admin_client):
    completed = closed_courses()["completed"]
    person = ParticipantFactory()

    response = admin_client.post(
        reverse("admin:participants_enrolment_add"),
        {
            "participant": person.pk,
            "course": completed.pk,
            "status": "nominated",
            **{f"{name}-{n}_FORMS": "0" for name in INLINES for n in ("TOTAL", "INITIAL")},
        },
        follow=True,
    )

    assert "Nobody can be enrolled in ToT Erbil (ERB): the course is completed" in (
        response.content.decode()
    )
    assert not Enrolment.objects.exists()


def test_adding_more_than_the_limit_at_once_is_refused_whole(client, alice, course, settings):
    from participants.selectors import ENROL_AT_ONCE

    client.force_login(alice)
    people = ParticipantFactory.create_batch(3)
    ids = [p.pk for p in people] + list(range(10**6, 10**6 + ENROL_AT_ONCE))

    response = client.post(
        reverse("course-trainees-add", args=[course.pk]), {"participants": ids}, follow=True
    )

    assert f"At most {ENROL_AT_ONCE} trainees can be added at once" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_the_trainees_tab_reads_in_arabic(client, alice, course, settings):
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = client.get(reverse("course-trainees", args=[course.pk])).content.decode()
    assert 'dir="rtl"' in html
    assert "إضافة متدربين" in html and "البحث في سجل المتدربين" in html
    # The bulk status choices were translated once, at import, in English.
    assert ">تأكيد</option>" in html and ">Confirm</option>" not in html
