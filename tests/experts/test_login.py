"""Expert logins: ``expert_grant_login``, ``POST /api/v1/experts/{id}/login/``, the invitation
e-mail and the page where the expert chooses a password."""

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import DomainError, NotPermittedError
from experts.models import Expert
from experts.services import expert_grant_login
from tests.api_fixtures import fast_passwords, fresh_throttles  # noqa: F401  (fixtures)
from tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ThematicModuleFactory,
    UserFactory,
)
from trainings.selectors import modules_taught_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert():
    return ExpertFactory(first_name="Giulia", last_name="Romano", email="Giulia.Romano@example.it")


def grant(expert, by, capture):
    with capture(execute=True):
        return expert_grant_login(expert=expert, by=by)


def test_granting_creates_a_trainer_login_without_password_and_mails_a_link(
    expert, carol, django_capture_on_commit_callbacks
):
    result = grant(expert, carol, django_capture_on_commit_callbacks)

    user = User.objects.get(pk=result.user.pk)
    assert (result.created, result.linked, result.invited) == (True, True, True)
    assert user.username == "giulia.romano@example.it"
    assert user.email == "Giulia.Romano@example.it"
    assert (user.first_name, user.last_name) == ("Giulia", "Romano")
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["trainer"]
    expert.refresh_from_db()
    assert expert.user == user
    [message] = mail.outbox
    assert message.to == ["Giulia.Romano@example.it"]
    assert "giulia.romano@example.it" in message.body
    link = re.escape(settings.SITE_URL) + r"/experts/set-password/[\w-]+/[\w-]+/"
    assert re.search(link, message.body)


def test_granting_twice_changes_nothing_the_second_time_but_resends_the_link(
    expert, carol, django_capture_on_commit_callbacks
):
    first = grant(expert, carol, django_capture_on_commit_callbacks)
    second = grant(expert, carol, django_capture_on_commit_callbacks)

    assert second.user == first.user
    assert (second.created, second.linked) == (False, False)
    assert User.objects.filter(email__iexact=expert.email).count() == 1
    # The expert has not chosen a password yet, so the link is sent again.
    assert second.invited and len(mail.outbox) == 2


def test_an_expert_with_a_password_is_sent_nothing_again(
    expert, carol, django_capture_on_commit_callbacks
):
    user = grant(expert, carol, django_capture_on_commit_callbacks).user
    user.set_password("chosen by Giulia")
    user.save()
    mail.outbox.clear()

    again = grant(expert, carol, django_capture_on_commit_callbacks)

    assert (again.created, again.linked, again.invited) == (False, False, False)
    assert mail.outbox == []
    assert "already has the login" in again.message


def test_an_existing_login_with_the_same_address_is_linked_not_duplicated(
    expert, carol, django_capture_on_commit_callbacks
):
    existing = UserFactory(username="giulia", email="giulia.romano@example.it")

    result = grant(expert, carol, django_capture_on_commit_callbacks)

    assert result.user == existing
    assert (result.created, result.linked, result.invited) == (False, True, False)
    assert existing.groups.filter(name="trainer").exists()
    assert existing.check_password("correct horse battery staple")  # untouched
    assert mail.outbox == []


def test_an_expert_without_e_mail_is_refused_with_a_clear_message(carol):
    expert = ExpertFactory(first_name="Conor", last_name="Walsh", email="")

    with pytest.raises(DomainError) as refused:
        expert_grant_login(expert=expert, by=carol)

    assert refused.value.field == "email"
    assert "has no e-mail address" in refused.value.message
    assert User.objects.count() == 1  # only carol


def test_a_login_of_another_expert_is_not_taken_over(expert, carol):
    user = UserFactory(email="giulia.romano@example.it")
    ExpertFactory(user=user)

    with pytest.raises(DomainError, match="already belongs to another expert"):
        expert_grant_login(expert=expert, by=carol)
    expert.refresh_from_db()
    assert expert.user is None


def test_only_coordinators_may_grant(expert, alice):
    with pytest.raises(NotPermittedError):
        expert_grant_login(expert=expert, by=alice)


def test_a_taken_user_name_gets_a_number(expert, carol):
    UserFactory(username="giulia.romano@example.it", email="someone.else@example.org")

    result = expert_grant_login(expert=expert, by=carol)

    assert result.user.username == "giulia.romano@example.it-2"


# --- API ---------------------------------------------------------------------------------------


def test_the_endpoint_answers_201_then_200(
    api_as, carol, expert, django_capture_on_commit_callbacks
):
    client = api_as(carol)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(f"/api/v1/experts/{expert.pk}/login/")
    second = client.post(f"/api/v1/experts/{expert.pk}/login/")

    assert first.status_code == 201, first.json()
    assert first.json()["username"] == "giulia.romano@example.it"
    assert first.json()["created"] and first.json()["invited"]
    assert "e-mail" in first.json()["detail"]
    assert second.status_code == 200
    assert second.json()["user"] == first.json()["user"]
    assert not second.json()["created"]


def test_the_endpoint_refuses_an_expert_without_e_mail(api_as, carol):
    expert = ExpertFactory(email="")

    response = api_as(carol).post(f"/api/v1/experts/{expert.pk}/login/")

    assert response.status_code == 400
    assert "no e-mail address" in response.json()["email"][0]


# --- Choosing the password, then logging in ----------------------------------------------------


def test_the_link_lets_the_expert_choose_a_password_and_log_in(
    client, expert, carol, django_capture_on_commit_callbacks
):
    grant(expert, carol, django_capture_on_commit_callbacks)
    link = re.search(r"https?://[^/\s]+(/experts/set-password/\S+)", mail.outbox[0].body)[1]

    page = client.get(link, follow=True)
    assert page.status_code == 200
    assert "Choose your password" in page.content.decode()
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    done = client.post(
        form_url,
        {"new_password1": "Migration-2016!", "new_password2": "Migration-2016!"},
        follow=True,
    )

    assert done.status_code == 200
    assert "Your password is set" in done.content.decode()
    assert client.login(username="giulia.romano@example.it", password="Migration-2016!")
    # The link works once.
    again = client.get(link, follow=True)
    assert "has expired or has already been used" in again.content.decode()


# --- Modules taught, and the demo login --------------------------------------------------------


def test_modules_taught_by_joins_sessions_whole_courses_and_expertise(expert, carol):
    user = expert_grant_login(expert=expert, by=carol).user
    expertise, session_module, course_module, unrelated = ThematicModuleFactory.create_batch(4)
    expert.modules.add(expertise)
    course = CourseFactory()
    course.modules.add(course_module, expertise)  # also in the expertise: listed once
    ExpertAssignmentFactory(expert=expert, course=course)
    other = CourseFactory()
    other.modules.add(unrelated)  # assigned to one session only: the course's modules don't count
    ExpertAssignmentFactory(
        expert=expert,
        course=other,
        session=CourseSessionFactory(course=other, module=session_module),
    )

    with CaptureQueriesContext(connection) as queries:
        taught = list(modules_taught_by(user))
    assert len(queries) == 1
    assert sorted(taught, key=lambda m: m.pk) == [expertise, session_module, course_module]
    assert list(modules_taught_by(UserFactory())) == []


def test_the_demo_has_an_expert_login(client):
    call_command("seed_demo", force=True, stdout=io.StringIO())

    user = User.objects.get(username="expert")
    assert client.login(username="expert", password="demo")
    assert list(user.groups.values_list("name", flat=True)) == ["trainer"]
    assert Expert.objects.get(user=user).last_name == "Gallagher"
    assert modules_taught_by(user).exists()
    page = client.get("/")
    assert "Your sessions" in page.content.decode()
