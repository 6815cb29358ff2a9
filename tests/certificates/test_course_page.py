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


def issue(client, carol, course, django_capture_on_commit_callbacks) -> CertificateBatch:
    client.force_login(carol)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(f"/courses/{course.pk}/certificates/issue/")
    return CertificateBatch.objects.get()


def test_the_panel_counts_each_certificate_as_it_is_rendered(
    client, carol, course, django_capture_on_commit_callbacks
):
    batch = issue(client, carol, course, django_capture_on_commit_callbacks)
    first, second = batch.certificates.order_by("pk")
    services.certificate_render(certificate_id=first.pk)
    # The stored counter is still 0 (a worker recounts after a whole chunk); the panel is not.
    CertificateBatch.objects.filter(pk=batch.pk).update(done=0)

    panel = client.get(f"/courses/{course.pk}/certificates/panel/").content.decode()

    assert 'hx-trigger="every 1s"' in panel  # still running: it asks again
    assert "1 of 2 issued" in panel and "1 issued" in panel
    assert panel.count("badge--valid") == 1 and panel.count("badge--pending") >= 1
    # The trainee table's cells come along, out of band.
    assert f'id="certificate-cell-{first.enrolment_id}" hx-swap-oob="true"' in panel
    assert f"/verify/{first.verification_code}/" in panel

    services.certificate_render(certificate_id=second.pk)
    services.batch_finalize(batch_id=batch.pk)
    done = client.get(f"/courses/{course.pk}/certificates/panel/").content.decode()
    assert "hx-trigger" not in done  # finished: it stops asking and shows the files
    assert "2 issued" in done and "Download all (ZIP)" in done


def test_the_panel_is_for_the_team_and_coordinators(client, alice, bob, course):
    client.force_login(alice)
    assert client.get(f"/courses/{course.pk}/certificates/panel/").status_code == 200
    client.force_login(bob)
    assert client.get(f"/courses/{course.pk}/certificates/panel/").status_code == 403


def test_revoking_asks_for_the_reason_on_its_own_page(
    client, carol, course, django_capture_on_commit_callbacks
):
    batch = issue(client, carol, course, django_capture_on_commit_callbacks)
    certificate = batch.certificates.order_by("pk").first()
    services.certificate_render(certificate_id=certificate.pk)
    url = f"/certificates/{certificate.pk}/revoke/"

    assert f'href="{url}"' in client.get(f"/courses/{course.pk}/").content.decode()
    confirm = client.get(url).content.decode()
    assert "Revoke the certificate" in confirm and certificate.verification_code in confirm

    client.post(url, {"reason": "  "})
    certificate.refresh_from_db()
    assert certificate.status == "valid"  # no reason, nothing revoked

    response = client.post(url, {"reason": "Issued by mistake"})
    assert response.status_code == 302 and response["Location"].endswith("#certificates")
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoked_reason == "Issued by mistake"
    assert "Only a valid certificate can be revoked." in client.get(url).content.decode()


def test_only_coordinators_revoke_from_the_page(
    client, carol, alice, bob, course, django_capture_on_commit_callbacks
):
    batch = issue(client, carol, course, django_capture_on_commit_callbacks)
    certificate = batch.certificates.first()
    services.certificate_render(certificate_id=certificate.pk)
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(f"/certificates/{certificate.pk}/revoke/").status_code == 403
        assert (
            client.post(f"/certificates/{certificate.pk}/revoke/", {"reason": "x"}).status_code
            == 403
        )
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_the_panel_takes_the_same_queries_whatever_the_size_of_the_course(
    client, carol, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 8):
        course = CourseFactory()
        EnrolmentFactory.create_batch(size, course=course, status="completed")
        client.force_login(carol)
        with django_capture_on_commit_callbacks(execute=False):
            client.post(f"/courses/{course.pk}/certificates/issue/")
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/courses/{course.pk}/certificates/panel/")
        counts.append(len(queries))
    assert counts[0] == counts[1]
