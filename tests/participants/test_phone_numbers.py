"""Phone numbers are phone numbers: validated with ``phonenumbers`` in the organisation's (or
course's, or trainee's) country, stored in E.164, refused with a clear message in the form,
the API and an import row."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from participants.models import Participant
from tests.factories import CourseFactory, OrganisationFactory, ParticipantFactory

URL = "/api/v1/participants/import/"


def csv_bytes(rows, header=("first_name", "last_name", "organisation", "country", "phone")):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def post(client, data: bytes, **fields):
    upload = SimpleUploadedFile("list.csv", data, content_type="text/csv")
    return client.post(URL, {"file": upload, **fields}, format="multipart")


@pytest.fixture
def team(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


# --- Import ---------------------------------------------------------------------------------


def test_an_import_row_with_a_bad_phone_number_is_an_error_and_changes_nothing(api_as, alice):
    rows = [["Ahmed", "Al-Saadi", "", "IQ", "0770 123 4567"]] * 5 + [
        ["Ali", "", "", "IQ", "abc123"]
    ]
    rows = [[f"{r[0]}{i}", *r[1:]] for i, r in enumerate(rows)]

    response = post(api_as(alice), csv_bytes(rows))

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["row"], error["field"]) == (7, "phone")
    assert error["message"] == (
        "“abc123” is not a phone number (a number without +country code is read as one in Iraq)."
    )
    assert not Participant.objects.exists()


def test_an_imported_national_number_is_read_in_the_organisations_country(api_as, alice):
    OrganisationFactory(name="Federal Investigation Agency", acronym="FIA", country="PK")
    rows = [["Imran", "Khan", "FIA", "", "0300 512 3478"]]

    response = post(api_as(alice), csv_bytes(rows))

    assert response.status_code == 200, response.json()
    assert Participant.objects.get().phone == "+923005123478"


def test_an_imported_national_number_is_read_in_the_courses_country(api_as, alice):
    course = CourseFactory(country="AF", upcoming=True)
    rows = [["Gul", "", "", "", "070 123 4567"]]

    response = post(api_as(alice), csv_bytes(rows), course=course.pk)

    assert response.status_code == 200, response.json()
    assert Participant.objects.get().phone == "+93701234567"


def test_skip_invalid_imports_the_other_rows(api_as, alice):
    rows = [["Ali", "", "", "IQ", "abc123"], ["Omar", "", "", "IQ", "+964 770 931 2204"]]

    body = post(api_as(alice), csv_bytes(rows), skip_invalid="true").json()

    assert (body["created"], body["skipped"]) == (1, 1)
    assert Participant.objects.get().phone == "+9647709312204"


# --- Pages ----------------------------------------------------------------------------------


def form_data(**values):
    return {"first_name": "Ali", "last_name": "Hassan", "gender": "", "country": "IQ", **values}


def test_the_registration_form_refuses_a_bad_phone_number(team):
    response = team.post(reverse("participant-new"), form_data(phone="abc123"))

    assert response.status_code == 200
    assert "“abc123” is not a phone number" in response.content.decode()
    assert not Participant.objects.exists()


def test_the_registration_form_stores_the_number_in_e164(team):
    response = team.post(reverse("participant-new"), form_data(phone="0750 446 1832"))

    assert response.status_code == 302
    assert Participant.objects.get().phone == "+9647504461832"


def test_the_edit_form_refuses_a_bad_phone_number(team):
    person = ParticipantFactory(first_name="Ali", last_name="Hassan", phone="+9647504461832")

    response = team.post(
        reverse("participant-edit", args=[person.pk]), form_data(phone="<b>12</b>")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "“&lt;b&gt;12&lt;/b&gt;” is not a phone number" in page
    person.refresh_from_db()
    assert person.phone == "+9647504461832"
