"""Login, logout and the dashboard of each role, seen through the Django test client."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.factories import (
    CertificateBatchFactory,
    CertificateFactory,
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    ManualFactory,
    ParticipantFactory,
    ThematicModuleFactory,
    UserFactory,
)

PASSWORD = "correct horse battery staple"


def html(response) -> str:
    return response.content.decode()


def test_login_page_shows_the_form_and_the_language_switcher(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    page = html(response)
    assert '<html lang="en" dir="ltr">' in page
    assert 'name="username"' in page and 'name="password"' in page
    assert 'action="/i18n/setlang/"' in page
    assert "العربي" in page  # the switcher names each language in its own script


def test_pages_load_their_assets_from_this_site_only(client, alice):
    client.force_login(alice)

    page = html(client.get(reverse("dashboard")))

    assert '<script src="/static/django_htmx/htmx-2.min.js" defer>' in page
    assert 'href="/static/css/site.css"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_recently_registered_trainees_are_escaped(client, alice):
    ParticipantFactory(first_name="<script>alert(1)</script>", native_name="<b>علي</b>")
    client.force_login(alice)

    page = html(client.get(reverse("dashboard")))

    assert "<script>alert(1)" not in page and "<b>علي" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;علي&lt;/b&gt;" in page


def test_it_logs_in_and_lands_on_the_dashboard(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_it_rejects_a_wrong_password_with_a_message(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in html(response)


def test_logout_needs_a_post(client, alice):
    client.force_login(alice)

    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.parametrize("url", ["/", "/courses/", "/courses/1/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_user_without_a_role_sees_a_polite_page(client, dave):
    client.force_login(dave)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert "has not been given a role yet" in html(response)
    assert 'href="/courses/"' not in html(response)


def test_project_team_sees_courses_in_preparation_with_counts(client, alice):
    course = CourseFactory(title="ToT on border management", status="open", capacity=22)
    EnrolmentFactory.create_batch(3, course=course, status="nominated")
    EnrolmentFactory.create_batch(2, course=course, status="confirmed")
    EnrolmentFactory(course=course, status="withdrawn")
    CourseFactory(title="Finished long ago", status="completed")
    ParticipantFactory(first_name="Zahra", last_name="Ahmadi", native_name="زهرا احمدی")
    client.force_login(alice)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 200
    assert [c.title for c in response.context["courses"]] == ["ToT on border management"]
    row = response.context["courses"][0]
    assert (row.nominated, row.confirmed) == (3, 2)
    page = html(response)
    assert "Project team dashboard" in page
    assert "Finished long ago" not in page
    assert "Zahra Ahmadi" in page and "زهرا احمدی" in page


def test_trainer_sees_the_courses_they_teach_and_their_manuals(client, bob):
    module = ThematicModuleFactory(title_en="Migrant smuggling")
    taught = CourseFactory(title="Erbil ToT")
    taught.modules.add(module)
    ExpertAssignmentFactory(expert=ExpertFactory(user=bob), course=taught)
    CourseFactory(title="Someone else's course")
    ManualFactory(module=module, language="en", version=1, title="Smuggling manual v1")
    ManualFactory(module=module, language="en", version=2, title="Smuggling manual v2")
    ManualFactory(module=module, language="ar", version=1, title="دليل تهريب المهاجرين")
    client.force_login(bob)

    response = client.get(reverse("dashboard"))

    page = html(response)
    assert "Trainer dashboard" in page
    assert "Erbil ToT" in page
    assert "Someone else&#x27;s course" not in page
    assert "Migrant smuggling" in page
    [entry] = response.context["modules"]
    assert [m.title for m in entry.current] == ["دليل تهريب المهاجرين", "Smuggling manual v2"]
    assert [m.title for m in entry.older] == ["Smuggling manual v1"]
    assert f"/api/v1/manuals/{entry.current[1].pk}/download/" in page


def test_trainer_of_a_cascade_session_sees_that_course(client, db):
    trainer_login = UserFactory(username="fatima", email="Fatima@Example.org", roles=["trainer"])
    person = ParticipantFactory(email="fatima@example.org")
    cascade = CourseFactory(title="Cascade in Baghdad", kind="cascade", parent=CourseFactory())
    CourseSessionFactory(course=cascade).trainers.add(person)
    client.force_login(trainer_login)

    response = client.get(reverse("dashboard"))

    assert [c.title for c in response.context["courses"]] == ["Cascade in Baghdad"]


def test_coordinator_sees_status_counts_completions_and_batches(client, carol):
    done = CourseFactory(title="Islamabad ToT", status="completed")
    for status in ("completed", "completed", "failed"):
        enrolment = EnrolmentFactory(course=done, status=status)
        if status == "completed":
            CertificateFactory(enrolment=enrolment)
    CertificateBatchFactory(course=done, status="running", total=2, done=1)
    CourseFactory(status="open")
    client.force_login(carol)

    response = client.get(reverse("dashboard"))

    page = html(response)
    assert "Coordinator dashboard" in page
    counts = {status: n for status, _label, n in response.context["status_counts"]}
    assert counts == {"draft": 0, "open": 1, "running": 0, "completed": 1, "cancelled": 0}
    [course] = response.context["completed_courses"]
    assert (course.completed_count, course.certificate_count) == (2, 2)
    assert "Islamabad ToT" in page
    assert "1 of 2" in page
    assert reverse("admin:index") not in page


def test_superuser_sees_the_coordinator_dashboard_with_an_admin_link(client, root):
    client.force_login(root)

    response = client.get(reverse("dashboard"))

    page = html(response)
    assert "Coordinator dashboard" in page
    assert f'href="{reverse("admin:index")}"' in page


def test_a_user_with_several_roles_can_switch_dashboards(client, db):
    both = UserFactory(username="erin", roles=["project team", "trainer"])
    client.force_login(both)

    first = html(client.get(reverse("dashboard")))
    second = html(client.get(reverse("dashboard") + "?as=trainer"))
    foreign = html(client.get(reverse("dashboard") + "?as=coordinator"))

    assert "Project team dashboard" in first and 'href="?as=trainer"' in first
    assert "Trainer dashboard" in second
    assert "Project team dashboard" in foreign  # a role one does not hold is ignored


def test_switching_to_arabic_renders_the_dashboard_right_to_left(client, alice):
    client.force_login(alice)

    response = client.post(
        reverse("set_language"), {"language": "ar", "next": reverse("dashboard")}, follow=True
    )

    page = html(response)
    assert '<html lang="ar" dir="rtl">' in page
    assert "لوحة فريق المشروع" in page  # "Project team dashboard"
    assert "تسجيل الخروج" in page  # "Log out"


def test_switching_to_russian_translates_the_dashboard(client, carol):
    client.force_login(carol)

    response = client.post(
        reverse("set_language"), {"language": "ru", "next": reverse("dashboard")}, follow=True
    )

    page = html(response)
    assert '<html lang="ru" dir="ltr">' in page
    assert "Панель координатора" in page


def test_unknown_pages_use_the_site_layout(client, alice):
    client.force_login(alice)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in html(response)
    assert "ToT Manager" in html(response)


def test_dates_of_courses_are_shown_in_the_dashboard(client, alice):
    CourseFactory(status="running", start_date=dt.date(2016, 5, 15), end_date=dt.date(2016, 5, 24))
    client.force_login(alice)

    page = html(client.get(reverse("dashboard")))

    assert 'datetime="2016-05-15"' in page and 'datetime="2016-05-24"' in page
