"""What a trainer sees: the trainees and records of the courses they teach, without contact data,
and nothing of any other course, through every list, detail, action, file and page.

bob is the visiting expert of course A. Amira is in A; Zubair only in B; Basma in both (so her
record is visible, but not her enrolment in B). Every answer bob gets is searched for what he
must never see: Zubair's name and contact data, Amira's and Basma's contact data, and Basma's
enrolment in B.
"""

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from participants.models import TeachBack
from tests.factories import (
    AttendanceFactory,
    CertificateFactory,
    CourseFactory,
    EnrolmentFactory,
    ExpertAssignmentFactory,
    ExpertFactory,
    OrganisationFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

# Strings of course B's records and of contact data: none may reach the trainer.
SECRETS = (
    "Zubair",
    "زبير",
    "zubair@b.example",
    "+9647700000002",
    "amira@a.example",
    "+9647700000001",
    "basma@ab.example",
    "Return interviews in Kabul",  # Basma's teach-back in course B
    "SRP-2016-BGD-0001",  # Zubair's certificate
)


@pytest.fixture
def world(bob):
    ministry = OrganisationFactory(name="Ministry of Interior")
    course_a = CourseFactory(code="ERB", title="ToT Erbil")
    course_b = CourseFactory(code="BGD", title="ToT Baghdad")
    ExpertAssignmentFactory(course=course_a, expert=ExpertFactory(user=bob))
    amira = ParticipantFactory(
        first_name="Amira", last_name="Alpha", email="amira@a.example",
        phone="+9647700000001", organisation=ministry, notes="Prefers morning sessions",
    )  # fmt: skip
    zubair = ParticipantFactory(
        first_name="Zubair", last_name="Bravo", native_name="زبير",
        email="zubair@b.example", phone="+9647700000002", organisation=ministry,
    )  # fmt: skip
    basma = ParticipantFactory(first_name="Basma", last_name="Both", email="basma@ab.example")
    in_a = EnrolmentFactory(participant=amira, course=course_a, status="attended")
    basma_a = EnrolmentFactory(participant=basma, course=course_a, status="attended")
    in_b = EnrolmentFactory(participant=zubair, course=course_b, status="completed")
    basma_b = EnrolmentFactory(participant=basma, course=course_b, status="attended")
    for enrolment in (in_a, basma_a, in_b, basma_b):
        AttendanceFactory(enrolment=enrolment, date=enrolment.course.start_date)
    teachback_b = TeachBack.objects.create(
        enrolment=basma_b, title="Return interviews in Kabul", score=80
    )
    teachback_b.file.save("t.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    TeachBack.objects.create(enrolment=in_a, title="Screening at the border", score=70)
    certificate = CertificateFactory(enrolment=in_b, serial="SRP-2016-BGD-0001")
    return locals()


@pytest.fixture
def as_bob(api_as, bob):
    return api_as(bob)


@pytest.fixture
def bob_pages(bob):
    client = Client()
    client.force_login(bob)
    return client


def assert_nothing_secret(response, url):
    body = response.content.decode("utf-8", "replace")
    leaked = [secret for secret in SECRETS if secret in body]
    assert not leaked, f"{url} showed {leaked}"


def test_lists_hold_only_the_taught_courses_trainees_and_records(world, as_bob):
    w = world
    answers = {}
    for url in (
        "/api/v1/participants/?page_size=200",
        "/api/v1/enrolments/?page_size=200",
        "/api/v1/attendance/?page_size=200",
        "/api/v1/teachbacks/?page_size=200",
        f"/api/v1/enrolments/?course={w['course_b'].pk}",
        f"/api/v1/attendance/?course={w['course_b'].pk}",
        "/api/v1/participants/?search=Zubair",
    ):
        response = as_bob.get(url)
        assert response.status_code == 200, url
        assert_nothing_secret(response, url)
        answers[url] = {row["id"] for row in response.json()["results"]}
    # Not vacuous: what bob teaches is there.
    assert answers["/api/v1/participants/?page_size=200"] == {w["amira"].pk, w["basma"].pk}
    assert answers["/api/v1/enrolments/?page_size=200"] == {w["in_a"].pk, w["basma_a"].pk}
    assert len(answers["/api/v1/attendance/?page_size=200"]) == 2
    assert len(answers["/api/v1/teachbacks/?page_size=200"]) == 1


def test_a_trainee_reads_without_contact_data(world, as_bob):
    body = as_bob.get(f"/api/v1/participants/{world['amira'].pk}/").json()
    assert body["first_name"] == "Amira" and body["organisation"] == world["ministry"].pk
    assert not {"email", "phone", "notes", "consent_given", "consent_date"} & set(body)


def test_records_of_another_course_do_not_exist_for_the_trainer(world, as_bob):
    w = world
    for url in (
        f"/api/v1/participants/{w['zubair'].pk}/",
        f"/api/v1/enrolments/{w['in_b'].pk}/",
        f"/api/v1/enrolments/{w['basma_b'].pk}/",
        f"/api/v1/enrolments/{w['basma_b'].pk}/history/",
        f"/api/v1/attendance/{w['in_b'].attendance.get().pk}/",
        f"/api/v1/teachbacks/{w['teachback_b'].pk}/",
        f"/api/v1/teachbacks/{w['teachback_b'].pk}/download/",
    ):
        response = as_bob.get(url)
        assert response.status_code == 404, url
        assert_nothing_secret(response, url)


def test_the_actions_and_files_of_another_course_are_refused(world, as_bob):
    course_b = world["course_b"]
    for url in (
        f"/api/v1/courses/{course_b.pk}/completion/",
        f"/api/v1/courses/{course_b.pk}/attendance-grid/",
        f"/api/v1/courses/{course_b.pk}/roster/",
        f"/api/v1/courses/{course_b.pk}/attendance-sheet/",
        f"/api/v1/courses/{course_b.pk}/sign-in-sheet/",
        f"/api/v1/participants/{world['basma'].pk}/personal-data/",
        "/api/v1/certificates/",
        f"/api/v1/certificates/{world['certificate'].pk}/",
    ):
        response = as_bob.get(url)
        assert response.status_code == 403, url
        assert_nothing_secret(response, url)
    # The course B itself is in the catalogue: every role reads courses.
    assert as_bob.get(f"/api/v1/courses/{course_b.pk}/").status_code == 200


def test_the_taught_courses_actions_answer(world, as_bob):
    course_a = world["course_a"]
    for url in (
        f"/api/v1/courses/{course_a.pk}/completion/",
        f"/api/v1/courses/{course_a.pk}/attendance-grid/",
        f"/api/v1/courses/{course_a.pk}/attendance-sheet/?as=csv",
    ):
        response = as_bob.get(url)
        assert response.status_code == 200, url
        assert_nothing_secret(response, url)
    assert as_bob.get(f"/api/v1/courses/{course_a.pk}/roster/").status_code == 403  # contacts


def test_pages_show_only_the_taught_courses_trainees(world, bob_pages):
    w = world
    pages = {
        "/": 200,
        "/participants/": 200,
        "/participants/?q=Bravo": 200,  # Zubair's family name
        f"/participants/{w['amira'].pk}/": 200,
        f"/participants/{w['basma'].pk}/": 200,
        f"/participants/{w['zubair'].pk}/": 404,
        f"/courses/{w['course_a'].pk}/": 200,
        f"/courses/{w['course_a'].pk}/attendance/": 200,
        f"/courses/{w['course_a'].pk}/completion/": 200,
        f"/courses/{w['course_b'].pk}/": 200,
        f"/courses/{w['course_b'].pk}/attendance/": 403,
        f"/courses/{w['course_b'].pk}/trainees/": 403,
        f"/courses/{w['course_b'].pk}/completion/": 403,
        f"/courses/{w['course_b'].pk}/exports/attendance-sheet/?as=csv": 403,
        f"/courses/{w['course_b'].pk}/exports/sign-in-sheet/": 403,
        f"/participants/{w['basma'].pk}/personal-data/": 403,
    }
    for url, status in pages.items():
        response = bob_pages.get(url)
        assert response.status_code == status, url
        assert_nothing_secret(response, url)
    listing = bob_pages.get("/participants/").content.decode()
    assert "Amira" in listing and "Basma" in listing  # not vacuous
    basma = bob_pages.get(f"/participants/{w['basma'].pk}/").content.decode()
    assert "ToT Erbil" in basma and "ToT Baghdad" not in basma  # only her taught enrolment


# --- Searching by contact data --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/participants/?search=amira@a.example",
        "/api/v1/participants/?search=a.example",
        "/api/v1/enrolments/?search=amira@a.example",
        "/participants/?q=amira@a.example",
    ],
)
def test_a_trainer_searching_by_a_trainees_email_finds_nothing(world, as_bob, bob_pages, url):
    """Amira is bob's own trainee, but he is not shown her e-mail: a match would tell him."""
    response = (bob_pages if url.startswith("/participants/") else as_bob).get(url)

    assert response.status_code == 200
    if url.startswith("/api/"):
        assert response.json()["count"] == 0
    else:
        assert "Amira" not in response.content.decode()


def test_a_trainer_searching_by_name_still_finds_their_trainee(world, as_bob, bob_pages):
    assert as_bob.get("/api/v1/participants/?search=Amira").json()["count"] == 1
    assert as_bob.get("/api/v1/enrolments/?search=Amira").json()["count"] == 1
    assert "Amira" in bob_pages.get("/participants/?q=Amira").content.decode()


def test_a_trainer_can_neither_order_nor_filter_by_contact_data(world, as_bob):
    """Ordering by e-mail would rank addresses he is not shown; filtering by consent would
    answer a field he is not shown. Both are ignored for him."""
    by_name = [row["id"] for row in as_bob.get("/api/v1/participants/").json()["results"]]
    ordered = as_bob.get("/api/v1/participants/?ordering=-email").json()["results"]
    world["amira"].consent_given = False
    world["amira"].save(update_fields=["consent_given"])
    unconsented = as_bob.get("/api/v1/participants/?consent_given=false").json()

    assert [row["id"] for row in ordered] == by_name
    assert unconsented["count"] == 2  # the filter is not applied


def test_the_team_still_searches_orders_and_filters_by_contact_data(world, api_as, alice, client):
    team = api_as(alice)
    client.force_login(alice)

    assert team.get("/api/v1/participants/?search=amira@a.example").json()["count"] == 1
    assert team.get("/api/v1/enrolments/?search=amira@a.example").json()["count"] == 1
    assert "Amira" in client.get("/participants/?q=amira@a.example").content.decode()
    emails = [
        r["email"] for r in team.get("/api/v1/participants/?ordering=-email").json()["results"]
    ]
    assert emails == sorted(emails, reverse=True)
