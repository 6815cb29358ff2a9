"""Behaviour of the programme, module, manual, course and session endpoints."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api_fixtures import fast_passwords, fresh_throttles  # noqa: F401  (fixtures)
from tests.factories import (
    CourseFactory,
    CourseSessionFactory,
    EnrolmentFactory,
    ManualFactory,
    ProgrammeFactory,
    ThematicModuleFactory,
)
from trainings.models import Manual, ThematicModule


def upload(client, module, language="en", name="manual.pdf", data=b"%PDF-1.4\n%%EOF\n", **extra):
    file = SimpleUploadedFile(name, data, "application/pdf")
    body = {"module": module.pk, "language": language, "title": "Trainer's manual", "file": file}
    return client.post("/api/v1/manuals/", {**body, **extra}, format="multipart")


# --- Token ----------------------------------------------------------------------------------


def test_the_token_endpoint_answers_a_token_that_authenticates(anon_api, carol):
    response = anon_api.post(
        "/api/v1/auth/token/",
        {"username": "carol", "password": "correct horse battery staple"},
    )
    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    anon_api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert anon_api.get("/api/v1/courses/").status_code == 200


def test_the_token_endpoint_refuses_a_wrong_password(anon_api, carol):
    response = anon_api.post("/api/v1/auth/token/", {"username": "carol", "password": "nope"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_the_token_endpoint_ignores_a_stale_token_header(anon_api, carol):
    anon_api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anon_api.post(
        "/api/v1/auth/token/",
        {"username": "carol", "password": "correct horse battery staple"},
    )
    assert response.status_code == 200


# --- Pagination -----------------------------------------------------------------------------


def test_lists_are_paginated_with_count_and_links(api_as, bob):
    ThematicModuleFactory.create_batch(5)
    body = api_as(bob).get("/api/v1/modules/?page_size=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert "page=2" in body["next"]
    assert body["previous"] is None


def test_page_size_is_capped_at_200(api_as, bob):
    ThematicModule.objects.bulk_create(
        ThematicModule(code=f"m{i}", title_en=f"Module {i}") for i in range(205)
    )
    body = api_as(bob).get("/api/v1/modules/?page_size=1000").json()
    assert len(body["results"]) == 200


def test_an_out_of_range_page_is_a_404_with_a_detail(api_as, bob):
    response = api_as(bob).get("/api/v1/modules/?page=9")
    assert response.status_code == 404
    assert "detail" in response.json()


# --- Programmes and modules -----------------------------------------------------------------


def test_a_programme_lists_partner_countries_as_iso_codes(api_as, carol):
    response = api_as(carol).post(
        "/api/v1/programmes/",
        {"name": "Silk Routes Partnership", "acronym": "SRP", "partner_countries": ["AF", "IQ"]},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["partner_countries"] == ["AF", "IQ"]
    assert response.json()["course_count"] == 0


def test_a_programme_with_courses_cannot_be_deleted(api_as, carol):
    course = CourseFactory()
    response = api_as(carol).delete(f"/api/v1/programmes/{course.programme_id}/")
    assert response.status_code == 409
    assert "courses" in response.json()["detail"]


def test_a_duplicate_acronym_is_refused_with_the_field_named(api_as, carol):
    ProgrammeFactory(acronym="SRP")
    response = api_as(carol).post("/api/v1/programmes/", {"name": "Other", "acronym": "SRP"})
    assert response.status_code == 400
    assert "acronym" in response.json()


def test_modules_are_searchable_by_title_in_any_language(api_as, bob):
    ThematicModuleFactory(code="thb", title_en="Trafficking in human beings", title_ar="الاتجار")
    ThematicModuleFactory(code="smuggling", title_en="Migrant smuggling")
    body = api_as(bob).get("/api/v1/modules/", {"search": "الاتجار"}).json()
    assert [m["code"] for m in body["results"]] == ["thb"]


# --- Manuals --------------------------------------------------------------------------------


def test_manual_versions_count_per_module_and_language(api_as, carol):
    module, other = ThematicModuleFactory.create_batch(2)
    client = api_as(carol)
    versions = [
        upload(client, module, "en").json()["version"],
        upload(client, module, "en").json()["version"],
        upload(client, module, "ar").json()["version"],
        upload(client, other, "en").json()["version"],
    ]
    assert versions == [1, 2, 1, 1]


def test_an_uploaded_manual_records_its_file_facts(api_as, carol):
    module = ThematicModuleFactory()
    data = b"%PDF-1.4 legal migration\n%%EOF\n"
    body = upload(api_as(carol), module, name="..\\..\\etc\\ Legal migration EN.pdf ", data=data)
    assert body.status_code == 201, body.json()
    manual = body.json()
    assert manual["original_name"] == "Legal migration EN.pdf"
    assert manual["size"] == len(data)
    assert manual["sha256"] == hashlib.sha256(data).hexdigest()
    assert manual["content_type"] == "application/pdf"
    assert manual["uploaded_by"] is not None
    assert manual["is_current"] is True
    stored = Manual.objects.get(pk=manual["id"])
    assert "Legal" not in stored.file.name  # the user's name never reaches the storage path


def test_the_version_cannot_be_chosen_by_the_client(api_as, carol):
    module = ThematicModuleFactory()
    response = upload(api_as(carol), module, version=9)
    assert response.json()["version"] == 1


def test_a_manual_above_the_size_limit_is_refused(api_as, carol, settings):
    settings.MAX_UPLOAD_SIZE = 10
    module = ThematicModuleFactory()
    response = upload(api_as(carol), module, data=b"x" * 11)
    assert response.status_code == 400
    assert "at most 10 bytes" in response.json()["file"][0]
    assert not Manual.objects.exists()


def test_a_manual_in_an_unknown_language_is_refused(api_as, carol):
    response = upload(api_as(carol), ThematicModuleFactory(), language="de")
    assert response.status_code == 400
    assert "language" in response.json()


def test_a_manual_downloads_as_an_attachment_with_its_name(api_as, bob):
    manual = ManualFactory(original_name="Legal migration — EN.pdf")
    response = api_as(bob).get(f"/api/v1/manuals/{manual.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=utf-8''Legal%20migration%20%E2%80%94%20EN.pdf" in disposition


def test_a_manual_whose_file_is_missing_answers_404(api_as, bob):
    manual = ManualFactory()
    manual.file.storage.delete(manual.file.name)
    response = api_as(bob).get(f"/api/v1/manuals/{manual.pk}/download/")
    assert response.status_code == 404


def test_manuals_filter_by_module_language_and_current(api_as, bob):
    module = ThematicModuleFactory()
    old = ManualFactory(module=module, language="en", version=1)
    new = ManualFactory(module=module, language="en", version=2)
    arabic = ManualFactory(module=module, language="ar", version=1)
    ManualFactory(language="en")
    client = api_as(bob)
    ids = lambda params: {m["id"] for m in client.get("/api/v1/manuals/", params).json()["results"]}  # noqa: E731
    assert ids({"module": module.pk}) == {old.pk, new.pk, arabic.pk}
    assert ids({"module": module.pk, "language": "en"}) == {old.pk, new.pk}
    assert ids({"module": module.pk, "current": "true"}) == {new.pk, arabic.pk}
    assert ids({"module": module.pk, "current": "false"}) == {old.pk}


def test_withdrawing_the_newest_manual_makes_the_previous_one_current(api_as, carol):
    module = ThematicModuleFactory()
    old = ManualFactory(module=module, version=1)
    new = ManualFactory(module=module, version=2)
    client = api_as(carol)
    response = client.patch(f"/api/v1/manuals/{new.pk}/", {"withdrawn_at": "2024-01-01T00:00:00Z"})
    assert response.status_code == 200
    assert response.json()["is_current"] is False
    assert client.get(f"/api/v1/manuals/{old.pk}/").json()["is_current"] is True


def test_deleting_a_manual_removes_its_file(api_as, carol, django_capture_on_commit_callbacks):
    manual = ManualFactory()
    storage, name = manual.file.storage, manual.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(carol).delete(f"/api/v1/manuals/{manual.pk}/")
    assert response.status_code == 204
    assert not storage.exists(name)


# --- Courses and sessions -------------------------------------------------------------------


def test_courses_filter_by_programme_kind_status_and_parent(api_as, bob):
    programme = ProgrammeFactory()
    tot = CourseFactory(programme=programme, kind="tot", status="completed")
    cascade = CourseFactory(programme=programme, kind="cascade", parent=tot, status="running")
    CourseFactory(kind="workshop", status="running")
    client = api_as(bob)
    ids = lambda params: [c["id"] for c in client.get("/api/v1/courses/", params).json()["results"]]  # noqa: E731
    assert sorted(ids({"programme": programme.pk})) == sorted([tot.pk, cascade.pk])
    assert ids({"kind": "cascade"}) == [cascade.pk]
    assert ids({"status": "completed"}) == [tot.pk]
    assert ids({"parent": tot.pk}) == [cascade.pk]


def test_courses_are_searchable_by_city_and_venue(api_as, bob):
    erbil = CourseFactory(city="Erbil", venue="Divan Hotel")
    CourseFactory(city="Islamabad", venue="Serena Hotel")
    client = api_as(bob)
    assert [c["id"] for c in client.get("/api/v1/courses/?search=erbil").json()["results"]] == [
        erbil.pk
    ]
    assert [c["id"] for c in client.get("/api/v1/courses/?search=divan").json()["results"]] == [
        erbil.pk
    ]


def test_a_course_shows_its_modules_and_counts_active_enrolments(api_as, bob):
    course = CourseFactory()
    module = ThematicModuleFactory()
    course.modules.add(module)
    EnrolmentFactory.create_batch(2, course=course)
    EnrolmentFactory(course=course, status="withdrawn")
    body = api_as(bob).get(f"/api/v1/courses/{course.pk}/").json()
    assert body["modules"] == [module.pk]
    assert body["enrolment_count"] == 2
    assert body["country"] == "IQ"


def test_a_cascade_course_needs_a_parent(api_as, carol):
    programme = ProgrammeFactory()
    response = api_as(carol).post(
        "/api/v1/courses/",
        {
            "programme": programme.pk,
            "code": "CAS",
            "title": "Cascade in Baghdad",
            "kind": "cascade",
            "start_date": "2017-01-10",
            "end_date": "2017-01-12",
        },
    )
    assert response.status_code == 400
    assert "parent" in response.json()


def test_a_course_cannot_end_before_it_starts(api_as, carol):
    response = api_as(carol).post(
        "/api/v1/courses/",
        {
            "programme": ProgrammeFactory().pk,
            "code": "X",
            "title": "Backwards",
            "start_date": "2017-01-10",
            "end_date": "2017-01-01",
        },
    )
    assert response.status_code == 400
    assert "end_date" in response.json()


def test_a_course_accepts_an_unknown_country_code_only_as_an_error(api_as, carol):
    course = CourseFactory()
    response = api_as(carol).patch(f"/api/v1/courses/{course.pk}/", {"country": "XX"})
    assert response.status_code == 400
    assert "country" in response.json()


def test_sessions_filter_by_course(api_as, bob):
    session = CourseSessionFactory()
    CourseSessionFactory()
    body = api_as(bob).get("/api/v1/sessions/", {"course": session.course_id}).json()
    assert [s["id"] for s in body["results"]] == [session.pk]
    assert body["results"][0]["display_title"] == session.module.title_en


def test_a_session_outside_the_course_dates_is_refused(api_as, carol):
    course = CourseFactory()
    response = api_as(carol).post("/api/v1/sessions/", {"course": course.pk, "date": "2030-01-01"})
    assert response.status_code == 400
    assert "date" in response.json()


@pytest.mark.parametrize("param", ["programme", "module", "parent"])
def test_an_unknown_id_in_a_filter_is_a_400(api_as, bob, param):
    response = api_as(bob).get("/api/v1/courses/", {param: 999999})
    assert response.status_code == 400
    assert param in response.json()


def test_a_course_longer_than_a_year_is_refused_with_the_reason(api_as, carol):
    programme = ProgrammeFactory()
    response = api_as(carol).post(
        "/api/v1/courses/",
        {
            "programme": programme.pk,
            "code": "LONG",
            "title": "Forever",
            "start_date": "1900-01-01",
            "end_date": "9999-12-31",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "at most 366 days" in str(response.json()["end_date"])
