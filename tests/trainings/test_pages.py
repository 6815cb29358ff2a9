"""The course list (with its htmx partial) and the course detail page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    AttendanceFactory,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ThematicModuleFactory,
)


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def erbil(db):
    """The Erbil ToT: two modules, a schedule, an expert and two trainees."""
    programme = ProgrammeFactory(name="Silk Routes Partnership for Migration", acronym="SRP")
    course = CourseFactory(
        programme=programme,
        code="ERB",
        title="Training of Trainers on Migration, Erbil",
        capacity=22,
        min_attendance_share=Decimal("0.80"),
        min_post_test_score=Decimal("60"),
        requires_teachback=True,
    )
    legal = ThematicModuleFactory(title_en="Legal migration", title_ar="الهجرة القانونية")
    border = ThematicModuleFactory(title_en="Border management", title_ar="")
    course.modules.add(legal, border)
    first = CourseSessionFactory(course=course, module=legal)
    CourseSessionFactory(course=course, module=border, date=dt.date(2016, 5, 16))
    expert = ExpertFactory(first_name="Maria", last_name="Rossi", country="IT")
    ExpertAssignmentFactory(expert=expert, course=course, role="lead")
    ExpertAssignmentFactory(expert=expert, course=course, session=first)
    ministry = OrganisationFactory(name="Ministry of Migration and Displacement")
    trainee = ParticipantFactory(
        first_name="Ali", last_name="Hassan", native_name="علي حسن", organisation=ministry
    )
    enrolment = EnrolmentFactory(
        course=course, participant=trainee, pre_test_score=45, post_test_score=Decimal("82.5")
    )
    AttendanceFactory(enrolment=enrolment, date=dt.date(2016, 5, 15))
    AttendanceFactory(enrolment=enrolment, date=dt.date(2016, 5, 16))
    AttendanceFactory(enrolment=enrolment, date=dt.date(2016, 5, 17), present=False)
    return course


# --- Course list ----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["alice", "bob", "carol", "root"])
def test_every_role_sees_the_course_list(client, request, erbil, actor):
    client.force_login(request.getfixturevalue(actor))

    response = client.get(reverse("course-list"))

    assert response.status_code == 200
    assert "Training of Trainers on Migration, Erbil" in html(response)
    assert "1 course found" in html(response)


@pytest.mark.parametrize("url_name", ["course-list", "course-detail"])
def test_a_user_without_a_role_is_refused_course_pages(client, dave, erbil, url_name):
    client.force_login(dave)
    url = reverse(url_name, args=[erbil.pk] if url_name == "course-detail" else [])

    response = client.get(url)

    assert response.status_code == 403
    assert "Access denied" in html(response)
    assert "has not been given a role yet" in html(response)


def test_the_course_list_filters_by_status_kind_programme_and_search(client, carol):
    srp = ProgrammeFactory(acronym="SRP")
    other = ProgrammeFactory(acronym="OTH")
    CourseFactory(title="Erbil ToT", programme=srp, status="completed", city="Erbil")
    CourseFactory(title="Kabul ToT", programme=srp, status="open", city="Kabul")
    CourseFactory(title="Lahore workshop", programme=other, status="open", kind="workshop")
    client.force_login(carol)

    def titles(**params):
        response = client.get(reverse("course-list"), params)
        return sorted(c.title for c in response.context["page"].object_list)

    assert titles(status="open") == ["Kabul ToT", "Lahore workshop"]
    assert titles(kind="workshop") == ["Lahore workshop"]
    assert titles(programme=srp.pk) == ["Erbil ToT", "Kabul ToT"]
    assert titles(q="kabul") == ["Kabul ToT"]
    assert titles(q="srp open") == []  # every word must match
    assert titles(status="open", programme=other.pk) == ["Lahore workshop"]
    assert titles(status="no-such-status") == ["Erbil ToT", "Kabul ToT", "Lahore workshop"]


def test_an_htmx_request_gets_only_the_results(client, alice, erbil):
    client.force_login(alice)

    response = client.get(
        reverse("course-list"), {"status": "running"}, headers={"HX-Request": "true"}
    )

    page = html(response)
    assert response.status_code == 200
    assert "<html" not in page
    assert "Training of Trainers on Migration, Erbil" in page
    assert 'hx-swap-oob="innerHTML"' in page
    assert 'value="/courses/?status=running"' in page  # the language switcher follows
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(client, alice, erbil):
    client.force_login(alice)

    response = client.get(
        reverse("course-list"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in html(response)


def test_the_course_list_is_paginated_and_keeps_the_filters(client, alice):
    CourseFactory.create_batch(27, status="open")
    client.force_login(alice)

    first = client.get(reverse("course-list"), {"status": "open"})
    second = client.get(reverse("course-list"), {"status": "open", "page": 2})

    assert len(first.context["page"].object_list) == 25
    assert "?status=open&amp;page=2" in html(first)
    assert len(second.context["page"].object_list) == 2
    assert "Page 2 of 2" in html(second)


def test_the_course_list_runs_a_fixed_number_of_queries(client, alice):
    client.force_login(alice)
    CourseFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("course-list"))
    CourseFactory.create_batch(10)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("course-list"))

    assert len(many) == len(few)


# --- Course detail --------------------------------------------------------------------------


def test_the_course_detail_shows_facts_modules_schedule_experts_and_trainees(client, alice, erbil):
    cascade = CourseFactory(title="Cascade in Duhok", kind="cascade", parent=erbil)
    client.force_login(alice)

    response = client.get(reverse("course-detail", args=[erbil.pk]))

    assert response.status_code == 200
    page = html(response)
    assert "<h1><bdi>Training of Trainers on Migration, Erbil</bdi></h1>" in page
    assert "Silk Routes Partnership for Migration (SRP)" in page
    assert "Divan Hotel" in page and "Erbil, Iraq" in page
    assert "10 days" in page
    assert "<li>English</li><li>Arabic</li>" in page
    assert "1 of 22 places" in page
    assert "attend at least 80% of the course days" in page
    assert "score at least 60 out of 100" in page
    assert "teach-back module" in page
    assert "Legal migration" in page and "Border management" in page
    assert 'datetime="2016-05-16"' in page  # a schedule day
    assert "Expert0 Rossi" not in page and "Maria Rossi" in page
    assert "Lead trainer" in page and "Co-trainer" in page
    assert f'href="{reverse("course-detail", args=[cascade.pk])}"' in page
    assert "Ali Hassan" in page and "علي حسن" in page
    assert "Ministry of Migration and Displacement" in page
    assert "2 / 10" in page  # days present out of course days
    assert "45" in page and "82.5" in page


def test_module_titles_follow_the_language(client, alice, erbil):
    client.force_login(alice)
    client.cookies["django_language"] = "ar"

    page = html(client.get(reverse("course-detail", args=[erbil.pk])))

    assert "الهجرة القانونية" in page
    assert "Border management" in page  # no Arabic title: English is the fallback


def test_user_text_is_escaped(client, carol, erbil):
    hostile = ParticipantFactory(
        first_name="<script>alert(1)</script>",
        last_name="X",
        native_name="<script>alert(1)</script> محمد",
    )
    EnrolmentFactory(course=erbil, participant=hostile)
    erbil.title = '<img src=x onerror="alert(2)">'
    erbil.save()
    client.force_login(carol)

    detail = html(client.get(reverse("course-detail", args=[erbil.pk])))
    listing = html(client.get(reverse("course-list")))

    assert "<script>alert(1)" not in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt; X" in detail
    assert "&lt;script&gt;alert(1)&lt;/script&gt; محمد" in detail
    assert "<img src=x" not in detail and "<img src=x" not in listing
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in listing


def test_a_trainer_sees_trainees_only_of_courses_they_teach(client, bob, erbil):
    client.force_login(bob)
    url = reverse("course-detail", args=[erbil.pk])

    before = html(client.get(url))
    ExpertAssignmentFactory(expert=ExpertFactory(user=bob), course=erbil)
    after = html(client.get(url))

    assert "Training of Trainers on Migration, Erbil" in before
    assert "Ali Hassan" not in before
    assert "shown to the project team, the coordinators and the trainers" in before
    assert "Ali Hassan" in after


def test_an_unknown_course_is_404(client, alice):
    client.force_login(alice)

    response = client.get(reverse("course-detail", args=[999]))

    assert response.status_code == 404
    assert "Page not found" in html(response)


def test_the_course_detail_runs_a_fixed_number_of_queries(client, carol, erbil):
    """More trainees, sessions and experts must not mean more queries."""
    client.force_login(carol)
    url = reverse("course-detail", args=[erbil.pk])
    client.get(url)  # warm up: session and content types
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    for day in range(3):
        session = CourseSessionFactory(course=erbil, date=dt.date(2016, 5, 18 + day))
        ExpertAssignmentFactory(course=erbil, session=session)
        session.trainers.add(ParticipantFactory())
    for enrolment in EnrolmentFactory.create_batch(15, course=erbil):
        AttendanceFactory(enrolment=enrolment)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.context["course"].trainee_count == 16
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_course_pages_show_the_title_in_the_reader_s_language(client, alice):
    course = CourseFactory(
        title="Training of Trainers — Erbil", title_ar="دورة تدريب المدربين — أربيل", title_ru=""
    )
    client.force_login(alice)
    client.cookies["django_language"] = "ar"
    assert "دورة تدريب المدربين — أربيل" in client.get(f"/courses/{course.pk}/").content.decode()
    assert "دورة تدريب المدربين — أربيل" in client.get("/courses/?q=أربيل").content.decode()
    client.cookies["django_language"] = "ru"  # no Russian title: the English one
    assert "Training of Trainers — Erbil" in client.get(f"/courses/{course.pk}/").content.decode()


def test_the_coordinators_actions_are_at_the_top_of_the_course_page(client, carol, erbil):
    client.force_login(carol)

    page = html(client.get(reverse("course-detail", args=[erbil.pk])))

    actions = page.split('class="course-actions"')[1].split("</nav>")[0]
    assert page.index('class="course-actions"') < page.index('id="facts-heading"')
    assert 'href="#certificates"' in actions
    assert reverse("course-close", args=[erbil.pk]) in actions
    assert 'href="#exports"' in actions
    assert f"/library/?course={erbil.pk}" in actions


def test_a_closed_course_offers_reopening_instead_of_closing(client, carol, erbil):
    erbil.status = "completed"
    erbil.save()
    client.force_login(carol)

    page = html(client.get(reverse("course-detail", args=[erbil.pk])))
    actions = page.split('class="course-actions"')[1].split("</nav>")[0]

    assert reverse("course-reopen", args=[erbil.pk]) in actions
    assert reverse("course-close", args=[erbil.pk]) not in actions


def test_the_project_team_gets_no_closing_action(client, alice, erbil):
    client.force_login(alice)

    page = html(client.get(reverse("course-detail", args=[erbil.pk])))

    assert reverse("course-close", args=[erbil.pk]) not in page


def test_trainee_names_on_the_course_page_link_to_their_records(client, alice, erbil):
    client.force_login(alice)

    page = html(client.get(reverse("course-detail", args=[erbil.pk])))

    for enrolment in erbil.enrolments.all():
        assert reverse("participant-detail", args=[enrolment.participant_id]) in page
