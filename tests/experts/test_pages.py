"""The expert pages: the filtered list, the detail page, and the coordinators' actions on it
(assigning, giving a login), per role."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from experts.models import ExpertAssignment
from tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ThematicModuleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def katrin():
    """A German border-management expert who taught in Erbil, with a clash in Baghdad."""
    border = ThematicModuleFactory(title_en="Border management")
    expert = ExpertFactory(
        title="Dr",
        first_name="Katrin",
        last_name="Hoffmann",
        country="DE",
        organisation="Federal Police (Bundespolizei)",
        email="katrin@example.de",
        languages=["de", "en"],
        bio="Risk analyst <b>and</b> trainer.",
    )
    expert.modules.add(border)
    erbil = CourseFactory(title="ToT Erbil")
    erbil.modules.add(border)
    ExpertAssignmentFactory(expert=expert, course=erbil, role="lead")
    baghdad = CourseFactory(title="Cascade Baghdad")
    ExpertAssignmentFactory(
        expert=expert,
        course=baghdad,
        session=CourseSessionFactory(course=baghdad, module=border, title="Risk analysis"),
    )
    return expert


@pytest.fixture
def mariana():
    return ExpertFactory(
        first_name="Mariana",
        last_name="Ferreyra",
        country="AR",
        organisation="Dirección Nacional de Migraciones",
        languages=["es", "en"],
    )


# --- Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["alice", "bob", "carol", "root"])
@pytest.mark.parametrize("page_name", ["expert-list", "expert-detail"])
def test_every_role_sees_the_expert_pages(client, request, katrin, actor, page_name):
    client.force_login(request.getfixturevalue(actor))
    args = [katrin.pk] if page_name == "expert-detail" else []

    response = client.get(reverse(page_name, args=args))

    assert response.status_code == 200
    assert "Katrin" in html(response)


@pytest.mark.parametrize("page_name", ["expert-list", "expert-detail"])
def test_a_user_without_a_role_is_refused(client, dave, katrin, page_name):
    client.force_login(dave)
    args = [katrin.pk] if page_name == "expert-detail" else []
    assert client.get(reverse(page_name, args=args)).status_code == 403


@pytest.mark.parametrize(
    "url", ["/experts/", "/experts/{pk}/", "/experts/{pk}/assign/", "/experts/{pk}/login/"]
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, katrin, url):
    url = url.format(pk=katrin.pk)
    response = client.post(url) if url.endswith(("assign/", "login/")) else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("actor", ["dave", "alice", "bob"])
def test_only_coordinators_may_assign_or_give_logins(client, request, katrin, actor):
    client.force_login(request.getfixturevalue(actor))
    course = CourseFactory()

    assign = client.post(
        reverse("expert-assign", args=[katrin.pk]),
        {"target": f"course:{course.pk}", "role": "lead"},
    )
    login = client.post(reverse("expert-grant-login", args=[katrin.pk]))

    assert (assign.status_code, login.status_code) == (403, 403)
    assert not ExpertAssignment.objects.filter(course=course).exists()
    assert not User.objects.filter(email="katrin@example.de").exists()


def test_the_nav_links_to_the_experts(client, alice):
    client.force_login(alice)
    assert f'href="{reverse("expert-list")}"' in html(client.get(reverse("course-list")))


# --- The list ----------------------------------------------------------------------------------


def test_the_list_searches_by_name_and_organisation(client, bob, katrin, mariana):
    client.force_login(bob)

    by_name = html(client.get(reverse("expert-list"), {"q": "hoff"}))
    by_organisation = html(client.get(reverse("expert-list"), {"q": "Migraciones"}))

    assert "Katrin" in by_name and "Mariana" not in by_name
    assert "Mariana" in by_organisation and "Katrin" not in by_organisation


def test_the_list_filters_by_country_module_and_language(client, bob, katrin, mariana):
    client.force_login(bob)
    border = katrin.modules.get()

    def names(**params):
        page = html(client.get(reverse("expert-list"), params))
        return {name for name in ("Katrin", "Mariana") if name in page}

    assert names(country="AR") == {"Mariana"}
    assert names(module=border.pk) == {"Katrin"}
    assert names(language="es") == {"Mariana"}
    assert names(language="en") == {"Katrin", "Mariana"}
    page = html(client.get(reverse("expert-list")))
    assert "Spanish (es)" in page  # the language filter offers the languages spoken
    assert "flags/de.gif" in page and "Germany" in page


def test_the_list_is_paginated(client, alice):
    ExpertFactory.create_batch(30, last_name="Rossi")
    client.force_login(alice)

    first = html(client.get(reverse("expert-list")))
    second = html(client.get(reverse("expert-list"), {"page": 2}))

    assert "30 experts found" in first
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert second.count("Rossi") == 5


def test_an_htmx_request_gets_only_the_results(client, alice, katrin):
    client.force_login(alice)
    response = client.get(reverse("expert-list"), {"q": "Katrin"}, headers={"HX-Request": "true"})
    assert "<html" not in html(response)
    assert "Katrin" in html(response)


def test_the_list_query_count_does_not_grow(client, alice):
    client.force_login(alice)
    modules = ThematicModuleFactory.create_batch(2)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("expert-list")).status_code == 200
        return len(queries)

    for expert in ExpertFactory.create_batch(3):
        expert.modules.set(modules)
    few = count()
    for expert in ExpertFactory.create_batch(20):
        expert.modules.set(modules)
    assert count() == few


# --- The detail page ---------------------------------------------------------------------------


def test_the_detail_page_shows_the_expert_and_escapes_their_text(client, bob, katrin):
    client.force_login(bob)

    page = html(client.get(reverse("expert-detail", args=[katrin.pk])))

    assert "Dr Katrin Hoffmann" in page
    assert "Germany" in page and "flags/de.gif" in page
    assert "Federal Police (Bundespolizei)" in page
    assert "German" in page and "English" in page
    assert "Border management" in page
    assert "Risk analyst &lt;b&gt;and&lt;/b&gt; trainer." in page
    assert "ToT Erbil" in page and "Cascade Baghdad" in page  # the teaching history


def test_the_history_on_the_page_is_newest_first(client, bob):
    expert = ExpertFactory()
    old = CourseFactory(
        title="Old course", start_date=dt.date(2015, 1, 5), end_date=dt.date(2015, 1, 9)
    )
    new = CourseFactory(
        title="New course", start_date=dt.date(2018, 1, 5), end_date=dt.date(2018, 1, 9)
    )
    for course in (old, new):
        ExpertAssignmentFactory(expert=expert, course=course)
    client.force_login(bob)

    page = html(client.get(reverse("expert-detail", args=[expert.pk])))

    assert page.index("New course") < page.index("Old course")


def test_only_coordinators_see_conflicts_and_the_forms(client, bob, carol, katrin):
    # Katrin leads the whole Erbil course, which overlaps her Baghdad session.
    url = reverse("expert-detail", args=[katrin.pk])
    client.force_login(bob)
    trainer_page = html(client.get(url))
    client.force_login(carol)
    coordinator_page = html(client.get(url))

    for text in (
        "Conflicts",
        "Also assigned",
        "Assign to a course or session",
        "Give a trainer login",
    ):
        assert text not in trainer_page
        assert text in coordinator_page


def test_an_unknown_expert_is_a_404(client, alice):
    client.force_login(alice)
    assert client.get(reverse("expert-detail", args=[999999])).status_code == 404


# --- Assigning ---------------------------------------------------------------------------------


def test_a_coordinator_assigns_to_a_session_and_sees_the_warnings(client, carol, katrin):
    other = CourseFactory(title="Workshop Islamabad")
    clash = CourseSessionFactory(course=other, module=ThematicModuleFactory(title_en="Trafficking"))
    client.force_login(carol)

    response = client.post(
        reverse("expert-assign", args=[katrin.pk]),
        {"target": f"session:{clash.pk}", "role": "speaker"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("expert-detail", args=[katrin.pk])
    assignment = ExpertAssignment.objects.get(expert=katrin, session=clash)
    assert assignment.course == other and assignment.role == "speaker"
    page = html(response)
    assert "Assigned to" in page
    assert "Also assigned at an overlapping time" in page
    assert "Trafficking" in page and "is not among the expert" in page


def test_a_coordinator_assigns_to_a_whole_course(client, carol, katrin):
    course = CourseFactory(start_date=dt.date(2019, 3, 1), end_date=dt.date(2019, 3, 5))
    client.force_login(carol)

    response = client.post(
        reverse("expert-assign", args=[katrin.pk]),
        {"target": f"course:{course.pk}", "role": "lead"},
    )

    assert response.status_code == 302
    assert ExpertAssignment.objects.filter(expert=katrin, course=course, session=None).exists()


def test_a_duplicate_assignment_is_refused_with_a_message(client, carol, katrin):
    erbil = ExpertAssignment.objects.get(expert=katrin, session=None).course
    client.force_login(carol)

    response = client.post(
        reverse("expert-assign", args=[katrin.pk]), {"target": f"course:{erbil.pk}", "role": "lead"}
    )

    assert response.status_code == 400
    assert "already assigned to this whole course" in html(response)
    assert ExpertAssignment.objects.filter(expert=katrin, course=erbil).count() == 1


@pytest.mark.parametrize("target", ["", "course:999999", "session:abc", "nonsense"])
def test_an_invalid_target_is_refused(client, carol, katrin, target):
    client.force_login(carol)
    before = ExpertAssignment.objects.count()

    response = client.post(
        reverse("expert-assign", args=[katrin.pk]), {"target": target, "role": "lead"}
    )

    assert response.status_code == 400
    assert "errorlist" in html(response)
    assert ExpertAssignment.objects.count() == before


def test_assign_and_login_accept_only_post(client, carol, katrin):
    client.force_login(carol)
    assert client.get(reverse("expert-assign", args=[katrin.pk])).status_code == 405
    assert client.get(reverse("expert-grant-login", args=[katrin.pk])).status_code == 405


# --- Logins --------------------------------------------------------------------------------------


def test_a_coordinator_gives_a_login_from_the_page(
    client, carol, katrin, django_capture_on_commit_callbacks
):
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("expert-grant-login", args=[katrin.pk]), follow=True)

    katrin.refresh_from_db()
    assert katrin.user.username == "katrin@example.de"
    assert "an e-mail to choose a password was sent to katrin@example.de" in html(response)
    assert len(mail.outbox) == 1
    assert "Send the password e-mail again" in html(response)


def test_a_login_without_e_mail_shows_the_reason(client, carol, mariana):
    client.force_login(carol)

    response = client.post(reverse("expert-grant-login", args=[mariana.pk]), follow=True)

    assert "has no e-mail address" in html(response)
    mariana.refresh_from_db()
    assert mariana.user is None


# --- The trainer dashboard -----------------------------------------------------------------------


def test_an_expert_sees_their_upcoming_sessions_on_the_dashboard(client, katrin):
    user = UserFactory(username="katrin", roles=["trainer"])
    katrin.user = user
    katrin.save()
    future = CourseFactory(
        title="ToT Tashkent", start_date=dt.date(2099, 4, 1), end_date=dt.date(2099, 4, 5)
    )
    ExpertAssignmentFactory(
        expert=katrin,
        course=future,
        session=CourseSessionFactory(course=future, title="Document fraud"),
    )
    client.force_login(user)

    page = html(client.get(reverse("dashboard")))

    assert "Your sessions" in page
    assert "Document fraud" in page and "ToT Tashkent" in page
    assert "Risk analysis" not in page  # 2016: not upcoming


def test_a_trainer_without_an_expert_record_sees_no_sessions_panel(client, bob):
    client.force_login(bob)
    assert "Your sessions" not in html(client.get(reverse("dashboard")))
