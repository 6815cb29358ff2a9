"""The attendance grid, trainees-and-statuses and completion pages, per role."""

import datetime as dt

import pytest
from django.urls import reverse

from participants.models import Attendance, Enrolment
from tests.factories import (
    AttendanceFactory,
    CourseFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
)

pytestmark = pytest.mark.django_db

START = dt.date(2016, 5, 15)
PAGES = ["course-attendance", "course-trainees", "course-completion"]


@pytest.fixture
def course():
    course = CourseFactory(title="ToT Erbil")
    EnrolmentFactory(
        course=course,
        participant__first_name="Layla",
        participant__last_name="Hassan",
        participant__native_name="ليلى حسن",
        post_test_score=82,
    )
    return course


def teach(user, course):
    ExpertAssignmentFactory(expert=ExpertFactory(user=user), course=course)


@pytest.mark.parametrize("page_name", PAGES)
def test_anonymous_visitors_go_to_the_login_page(client, course, page_name):
    response = client.get(reverse(page_name, args=[course.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page_name", PAGES)
def test_no_role_and_trainers_of_other_courses_are_refused(client, dave, bob, course, page_name):
    for user in (dave, bob):
        client.force_login(user)
        assert client.get(reverse(page_name, args=[course.pk])).status_code == 403


@pytest.mark.parametrize("page_name", PAGES)
def test_a_trainer_of_the_course_reads_without_controls(client, bob, course, page_name):
    teach(bob, course)
    client.force_login(bob)
    response = client.get(reverse(page_name, args=[course.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Layla Hassan" in html
    assert "hx-post" not in html and 'name="enrolments"' not in html
    assert "Close the course" not in html and "Override" not in html


@pytest.mark.parametrize("page_name", PAGES)
def test_the_project_team_and_coordinators_read_them(client, alice, carol, root, course, page_name):
    for user in (alice, carol, root):
        client.force_login(user)
        assert client.get(reverse(page_name, args=[course.pk])).status_code == 200


def test_the_grid_has_a_keyboard_operable_button_per_day(client, alice, course):
    enrolment = Enrolment.objects.get()
    AttendanceFactory(enrolment=enrolment, date=START, present=True)
    client.force_login(alice)
    html = client.get(reverse("course-attendance", args=[course.pk])).content.decode()
    assert html.count("data-grid-cell") == 10
    assert 'aria-pressed="true"' in html
    assert "Layla Hassan, 15 May: present" in html
    assert "js/attendance-grid.js" in html


def test_marking_a_cell_saves_it_and_returns_the_new_cell(client, alice, course):
    enrolment = Enrolment.objects.get()
    client.force_login(alice)
    response = client.post(
        reverse("course-attendance-mark", args=[course.pk]),
        {"enrolment": enrolment.pk, "date": "2016-05-16", "present": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    # The cell shows the saved mark (the grid's script sends the next value from it).
    assert "mark--present" in html and 'data-state="present"' in html
    assert f'id="total-{enrolment.pk}" hx-swap-oob="true">1<' in html
    assert Attendance.objects.get().recorded_by == alice


def test_a_bad_mark_is_refused_with_the_reason(client, alice, course):
    enrolment = Enrolment.objects.get()
    client.force_login(alice)
    response = client.post(
        reverse("course-attendance-mark", args=[course.pk]),
        {"enrolment": enrolment.pk, "date": "2016-07-01", "present": "1"},
    )
    assert response.status_code == 400
    assert "is not a day of the course" in response.content.decode()
    assert not Attendance.objects.exists()


def test_trainers_cannot_mark_attendance(client, bob, course):
    teach(bob, course)
    client.force_login(bob)
    response = client.post(
        reverse("course-attendance-mark", args=[course.pk]),
        {"enrolment": Enrolment.objects.get().pk, "date": "2016-05-16", "present": "1"},
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_all_present_for_a_day(client, alice, course):
    EnrolmentFactory(course=course)
    client.force_login(alice)
    client.post(reverse("course-attendance-day", args=[course.pk]), {"date": "2016-05-17"})
    assert Attendance.objects.filter(date=dt.date(2016, 5, 17), present=True).count() == 2


def test_bulk_status_from_the_trainees_page(client, alice, course):
    second = EnrolmentFactory(course=course, status="nominated")
    client.force_login(alice)
    ids = list(Enrolment.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("course-trainees-status", args=[course.pk]),
        {"enrolments": ids, "status": "attended", "reason": "Present all week"},
        follow=True,
    )
    assert "2 trainees now: attended." in response.content.decode()
    second.refresh_from_db()
    assert (second.status, second.status_reason) == ("attended", "Present all week")
    page = client.get(reverse("course-trainees", args=[course.pk])).content.decode()
    assert "Present all week" in page and "History" in page


def test_completion_page_shows_reasons_and_the_coordinator_closes(client, alice, carol, course):
    client.force_login(alice)
    html = client.get(reverse("course-completion", args=[course.pk])).content.decode()
    assert "Attended 0 of 10 days; 8 required (80%)." in html
    assert "Close the course" not in html
    refused = client.post(reverse("course-close", args=[course.pk]))
    assert refused.status_code == 403
    client.force_login(carol)
    enrolment = Enrolment.objects.get()
    for day in range(10):  # closing needs the attendance recorded, here absent every day
        AttendanceFactory(enrolment=enrolment, date=START + dt.timedelta(days=day), present=False)
    preview = client.get(reverse("course-close", args=[course.pk])).context["preview"]
    response = client.post(
        reverse("course-close", args=[course.pk]), {"token": preview.token}, follow=True
    )
    assert "Course closed: 0 completed, 1 did not complete." in response.content.decode()
    assert Enrolment.objects.get().status == "failed"


def test_override_from_the_completion_page(client, carol, course):
    enrolment = Enrolment.objects.get()
    client.force_login(carol)
    url = reverse("enrolment-override", args=[course.pk, enrolment.pk])
    missing = client.post(url, {"status": "completed", "reason": ""}, follow=True)
    assert "Say why the rule is overridden." in missing.content.decode()
    client.post(url, {"status": "completed", "reason": "Medical leave, made up the work"})
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.status_overridden) == ("completed", True)


def test_scores_from_the_completion_page(client, alice, course):
    enrolment = Enrolment.objects.get()
    client.force_login(alice)
    url = reverse("enrolment-scores", args=[course.pk, enrolment.pk])
    bad = client.post(url, {"pre_test_score": "abc", "post_test_score": "70"}, follow=True)
    assert "Pre-test: abc is not a number." in bad.content.decode()
    client.post(url, {"pre_test_score": "40,5", "post_test_score": "71"})
    enrolment.refresh_from_db()
    assert (str(enrolment.pre_test_score), str(enrolment.post_test_score)) == ("40.50", "71.00")
    page = client.get(reverse("course-completion", args=[course.pk])).content.decode()
    assert "+30.5" in page


def test_hostile_names_are_escaped(client, alice):
    course = CourseFactory()
    EnrolmentFactory(course=course, participant__first_name='<script>alert("x")</script>')
    client.force_login(alice)
    for page_name in PAGES:
        html = client.get(reverse(page_name, args=[course.pk])).content.decode()
        assert '<script>alert("x")' not in html
        assert "&lt;script&gt;" in html


def test_the_team_records_a_teachback_on_the_completion_page(client, alice, bob, course):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from participants.models import TeachBack

    enrolment = Enrolment.objects.get()
    client.force_login(alice)
    url = reverse("teachback-save", args=[course.pk, enrolment.pk])
    disguised = SimpleUploadedFile("module.pdf", b"MZ\x90\x00 not a pdf")
    refused = client.post(url, {"title": "Return", "score": "70", "file": disguised}, follow=True)
    assert "is not a PDF, DOCX, PPTX, XLSX, ODT or ZIP" in refused.content.decode()
    assert not TeachBack.objects.exists()

    upload = SimpleUploadedFile("Return interviews.pdf", b"%PDF-1.4\n%%EOF\n")
    client.post(
        url,
        {"title": "Return interviews", "score": "72,5", "evaluator": "Dr Rossi", "file": upload},
    )
    teachback = TeachBack.objects.get()
    assert (teachback.title, str(teachback.score), teachback.recorded_by) == (
        "Return interviews",
        "72.50",
        alice,
    )
    page = client.get(reverse("course-completion", args=[course.pk])).content.decode()
    assert "Return interviews" in page and "72.5" in page

    file_url = reverse("teachback-file", args=[course.pk, teachback.pk])
    response = client.get(file_url)
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert 'filename="Return interviews.pdf"' in response["Content-Disposition"]

    # A trainer of another course gets neither the file nor the form.
    client.force_login(bob)
    assert client.get(file_url).status_code == 403
    assert client.post(url, {"title": "x"}).status_code == 403
