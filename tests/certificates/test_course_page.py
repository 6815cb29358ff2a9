"""The certificates panel of the course page: the issue button and its live progress."""

import pytest

from certificates import services
from certificates.models import CertificateBatch
from tests.factories import CourseFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory(code="ERB", programme__acronym="SRP", title="ToT Erbil")
    EnrolmentFactory.create_batch(2, course=course, status="completed")
    return course


def page(client, user, course):
    client.force_login(user)
    return client.get(f"/courses/{course.pk}/").content.decode()


def test_a_coordinator_sees_how_many_wait_and_the_button(client, carol, course):
    html = page(client, carol, course)
    assert "Issue 2 certificates" in html
    assert f"/courses/{course.pk}/certificates/issue/" in html


def test_the_project_team_sees_the_panel_without_the_button(client, alice, course):
    html = page(client, alice, course)
    assert 'id="certificates"' in html
    assert "Issue 2 certificates" not in html
    response = client.post(f"/courses/{course.pk}/certificates/issue/")
    assert response.status_code == 403
    assert not CertificateBatch.objects.exists()


def test_a_trainer_sees_no_certificates_panel(client, bob, course):
    assert 'id="certificates"' not in page(client, bob, course)


def test_pressing_issue_creates_a_batch_and_the_progress_follows_it(
    client, carol, course, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/courses/{course.pk}/certificates/issue/", {"language": "ar-en"})
    assert response.status_code == 302
    batch = CertificateBatch.objects.get()
    assert set(batch.certificates.values_list("language", flat=True)) == {"ar-en"}

    running = client.get(f"/certificates/batches/{batch.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in running and "0 of 2 issued" in running

    for certificate in batch.certificates.all():
        services.certificate_render(certificate_id=certificate.pk)
    services.batch_finalize(batch_id=batch.pk)
    done = client.get(f"/certificates/batches/{batch.pk}/progress/").content.decode()
    assert "hx-trigger" not in done  # polling stops
    assert "2 of 2 issued" in done
    assert f"/api/v1/certificate-batches/{batch.pk}/zip/" in done

    html = client.get(f"/courses/{course.pk}/").content.decode()
    assert "SRP-2016-ERB-0001" in html  # each trainee's certificate, linked


def test_issuing_when_everyone_has_one_says_so(
    client, carol, course, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(f"/courses/{course.pk}/certificates/issue/")
        response = client.post(f"/courses/{course.pk}/certificates/issue/", follow=True)
    assert "already has a certificate" in response.content.decode()
    assert CertificateBatch.objects.count() == 1
