"""The pages of closing a course: the Completion tab's button opens a preview (or the refusal
with its reasons), the confirm button closes, and a coordinator reopens with a reason."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import AuditAction, AuditEntry
from participants.models import Enrolment
from tests.factories import (
    AttendanceFactory,
    CertificateFactory,
    CourseFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
)

pytestmark = pytest.mark.django_db


def attend_all(enrolment, *, present: bool = True) -> None:
    course = enrolment.course
    for day in range(course.days):
        AttendanceFactory(
            enrolment=enrolment, date=course.start_date + dt.timedelta(days=day), present=present
        )


@pytest.fixture
def course():
    course = CourseFactory(title="ToT Erbil", status="running")
    layla = EnrolmentFactory(
        course=course,
        participant__first_name="Layla",
        participant__last_name="Hassan",
        post_test_score=82,
    )
    omar = EnrolmentFactory(
        course=course,
        participant__first_name="Omar",
        participant__last_name="<b>Karimi</b>",
        post_test_score=82,
    )
    attend_all(layla)
    attend_all(omar, present=False)
    return course


def test_the_completion_tab_links_to_the_preview_instead_of_closing(client, carol, course):
    client.force_login(carol)
    html = client.get(reverse("course-completion", args=[course.pk])).content.decode()
    assert f'href="{reverse("course-close", args=[course.pk])}"' in html
    assert f'action="{reverse("course-close", args=[course.pk])}"' not in html


def test_the_preview_lists_each_trainee_with_the_reason_and_changes_nothing(client, carol, course):
    client.force_login(carol)
    response = client.get(reverse("course-close", args=[course.pk]))
    html = response.content.decode()
    assert "1 trainee will be completed." in html
    assert "1 trainee will not complete." in html
    assert "Attended 0 of 10 days; 8 required (80%)." in html
    assert "Meets the rule." in html
    assert "&lt;b&gt;Karimi&lt;/b&gt;" in html and "<b>Karimi</b>" not in html
    assert f'name="token" value="{response.context["preview"].token}"' in html
    assert "Confirm: close the course" in html
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"confirmed"}


def test_confirming_closes_and_a_post_without_the_token_only_shows_the_preview(
    client, carol, course
):
    client.force_login(carol)
    url = reverse("course-close", args=[course.pk])
    unconfirmed = client.post(url)
    assert (
        unconfirmed.status_code == 200
        and "Confirm: close the course" in unconfirmed.content.decode()
    )
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"confirmed"}
    token = client.get(url).context["preview"].token
    response = client.post(url, {"token": token}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("course-completion", args=[course.pk])
    assert "Course closed: 1 completed, 1 did not complete." in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.COURSE_CLOSED).count() == 1


def test_an_open_course_without_records_shows_the_refusal_with_reasons(client, carol):
    course = CourseFactory(status="open")
    EnrolmentFactory.create_batch(3, course=course, status="nominated")
    client.force_login(carol)
    html = client.get(reverse("course-close", args=[course.pk])).content.decode()
    assert "This course cannot be closed yet" in html
    assert "No attendance recorded for 10 of 10 days: 15 May" in html
    assert "Post-test score missing for 3 trainees" in html
    assert "Confirm: close the course" not in html


def test_a_stale_confirmation_goes_back_to_the_preview_with_a_message(client, carol, course):
    client.force_login(carol)
    url = reverse("course-close", args=[course.pk])
    token = client.get(url).context["preview"].token
    Enrolment.objects.filter(participant__first_name="Omar").update(status_overridden=True)
    response = client.post(url, {"token": token}, follow=True)
    assert "look at the preview again" in response.content.decode()
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"confirmed"}


def test_reopening_from_its_page_with_a_reason(client, carol, course):
    client.force_login(carol)
    close_url = reverse("course-close", args=[course.pk])
    client.post(close_url, {"token": client.get(close_url).context["preview"].token})
    completion = client.get(reverse("course-completion", args=[course.pk])).content.decode()
    assert "Reopen the course" in completion
    url = reverse("course-reopen", args=[course.pk])
    page = client.get(url).content.decode()
    assert "The course goes back to “Running”" in page
    assert "<bdi>Layla Hassan</bdi>: Completed → Confirmed" in page
    assert '<label for="reopen-reason">' in page
    missing = client.post(url, {"reason": ""}).content.decode()
    assert "Say why the course is reopened." in missing
    response = client.post(url, {"reason": "Attendance sheet of day 3 found"}, follow=True)
    assert "Course reopened: 2 trainees are back to their status before closing." in (
        response.content.decode()
    )
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"confirmed"}
    entry = AuditEntry.objects.get(action=AuditAction.COURSE_REOPENED)
    assert entry.data["reason"] == "Attendance sheet of day 3 found"


def test_the_reopen_page_names_the_certificates_to_revoke_first(client, carol, course):
    client.force_login(carol)
    close_url = reverse("course-close", args=[course.pk])
    client.post(close_url, {"token": client.get(close_url).context["preview"].token})
    layla = Enrolment.objects.get(participant__first_name="Layla")
    CertificateFactory(enrolment=layla, status="valid", serial="SRP-2016-0001")
    html = client.get(reverse("course-reopen", args=[course.pk])).content.decode()
    assert "Revoke these certificates first" in html and "SRP-2016-0001" in html
    assert "Confirm: reopen the course" not in html


@pytest.mark.parametrize("name", ["course-close", "course-reopen"])
def test_only_coordinators_reach_closing_and_reopening(client, alice, bob, course, name):
    ExpertAssignmentFactory(expert=ExpertFactory(user=bob), course=course)
    url = reverse(name, args=[course.pk])
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "x", "token": "x"}).status_code == 403
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"confirmed"}


def test_the_demo_refuses_its_open_course_and_previews_its_finished_one(client):
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from trainings.models import Course

    call_command("seed_demo", force=True, verbosity=0)
    client.force_login(User.objects.get(username="coordinator"))
    islamabad = Course.objects.get(code="ISB")
    html = client.get(reverse("course-close", args=[islamabad.pk])).content.decode()
    assert "This course cannot be closed yet" in html
    assert "No attendance recorded for 10 of 10 days" in html
    assert "Post-test score missing for 5 trainees" in html
    assert "Teach-back not scored for 5 trainees" in html
    erbil = Course.objects.get(code="ERB")
    html = client.get(reverse("course-close", args=[erbil.pk])).content.decode()
    assert "19 trainees will be completed." in html
    assert "2 trainees will not complete." in html
    assert "Post-test score 52 is below the pass mark of 60." in html
    assert "Confirm: close the course" in html


def test_the_reopen_page_in_arabic_points_its_arrows_right_to_left(client, carol, course):
    client.force_login(carol)
    close_url = reverse("course-close", args=[course.pk])
    client.post(close_url, {"token": client.get(close_url).context["preview"].token})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    html = client.get(reverse("course-reopen", args=[course.pk])).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert "إعادة فتح الدورة" in html  # "Reopen the course"
    assert "<bdi>Layla Hassan</bdi>: مكتمل ← مؤكَّد" in html
