"""The public verification page: valid, revoked, superseded, mistyped and unknown codes."""

import pytest
from django.core.cache import cache

from certificates import codes, services
from certificates.models import CertificateStatus
from tests.factories import CourseFactory, EnrolmentFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def certificate(carol, django_capture_on_commit_callbacks):
    course = CourseFactory(code="ERB", programme__acronym="SRP", title="ToT on Migration — Erbil")
    participant = ParticipantFactory(
        first_name="Zainab",
        last_name="Al-Musawi",
        native_name="زينب الموسوي",
        email="z@example.org",
    )
    EnrolmentFactory(course=course, participant=participant, status="completed")
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.batch_create(course=course, by=carol)
    certificate = batch.certificates.get()
    services.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    return certificate


def test_anyone_sees_a_valid_certificate_with_name_course_and_dates_only(client, certificate):
    response = client.get(f"/verify/{certificate.verification_code}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "This certificate is valid." in page
    assert "Zainab Al-Musawi" in page and "زينب الموسوي" in page
    assert "ToT on Migration — Erbil" in page
    assert "z@example.org" not in page  # nothing personal beyond the name


def test_a_code_typed_in_lower_case_without_dashes_is_found(client, certificate):
    typed = certificate.verification_code.replace("-", "").lower()
    assert client.get(f"/verify/{typed}/").status_code == 200
    assert client.get("/verify/", {"code": typed}).status_code == 200


def test_a_mistyped_code_is_reported_as_mistyped(client, certificate):
    symbols = certificate.verification_code.replace("-", "")
    wrong = ("7" if symbols[0] != "7" else "8") + symbols[1:]
    response = client.get(f"/verify/{wrong}/")
    assert response.status_code == 400
    assert "typing error" in response.content.decode()


def test_an_unknown_code_is_404(client, db):
    assert client.get(f"/verify/{codes.new_code()}/").status_code == 404
    assert client.get("/verify/not-a-code/").status_code == 404


def test_a_revocation_shows_at_once_with_its_reason(client, certificate, carol):
    services.certificate_revoke(
        certificate=certificate, reason="Attendance was misrecorded", by=carol
    )

    page = client.get(f"/verify/{certificate.verification_code}/").content.decode()
    assert "This certificate has been revoked." in page
    assert "Attendance was misrecorded" in page


def test_a_superseded_certificate_links_to_the_current_one(
    client, certificate, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        new = services.certificate_reissue(
            certificate=certificate, reason="Name corrected", by=carol
        )
    services.certificate_render(certificate_id=new.pk)

    page = client.get(f"/verify/{certificate.verification_code}/").content.decode()
    assert "replaced by a newer one" in page
    assert f"/verify/{new.verification_code}/" in page
    assert client.get(f"/verify/{new.verification_code}/").status_code == 200


def test_a_pending_certificate_is_not_verifiable_yet(
    client, carol, django_capture_on_commit_callbacks
):
    EnrolmentFactory(status="completed", course=CourseFactory())
    course = EnrolmentFactory._meta.model.objects.get().course
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.batch_create(course=course, by=carol)
    pending = batch.certificates.get()
    assert pending.status == CertificateStatus.PENDING
    assert client.get(f"/verify/{pending.verification_code}/").status_code == 404


def test_lookups_are_rate_limited(client, certificate, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"verify": "3/minute"})
    code = certificate.verification_code
    statuses = [client.get(f"/verify/{code}/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_hostile_text_is_escaped(client, carol, django_capture_on_commit_callbacks):
    participant = ParticipantFactory(first_name="<script>alert(1)</script>", last_name="X")
    enrolment = EnrolmentFactory(participant=participant, status="completed")
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.batch_create(course=enrolment.course, by=carol)
    certificate = batch.certificates.get()
    services.certificate_render(certificate_id=certificate.pk)

    page = client.get(f"/verify/{certificate.verification_code}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_dates_and_place_read_as_words_in_arabic(client, certificate, settings):
    services.certificate_revoke(certificate=certificate, reason="Issued by mistake", by=None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    page = client.get(f"/verify/{certificate.verification_code}/").content.decode()

    assert "15 أيار 2016 – 24 أيار 2016" in page
    assert "2016-05-15" not in page.split("<dl")[1].split("</dl>")[0]
    assert "العراق" in page  # the course's country, by name in the reader's language
