"""The certificate commands: issue from a shell, verify a downloaded PDF or JSON."""

import json

import pytest
from django.core import mail
from django.core.management import call_command

from certificates import services
from certificates.models import Certificate
from tests.factories import CourseFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory(code="ERB", programme__acronym="SRP")
    EnrolmentFactory.create_batch(2, course=course, status="completed")
    return course


def test_issue_certificates_here_renders_the_whole_course(
    course, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        call_command("issue_certificates", "erb", "--here")
    out = capsys.readouterr().out
    assert "2/2 done" in out and "done, 2 issued, 0 failed" in out
    assert Certificate.objects.filter(status="valid").count() == 2


def test_issue_certificates_names_an_unknown_course(db):
    with pytest.raises(Exception, match="No single course"):
        call_command("issue_certificates", "NOPE", "--here")


@pytest.fixture
def certificate(course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        call_command("issue_certificates", "ERB", "--here")
    return Certificate.objects.first()


def test_a_downloaded_pdf_verifies_against_the_registry(certificate, tmp_path, capsys, carol):
    path = tmp_path / "c.pdf"
    with certificate.pdf.open("rb") as handle:
        path.write_bytes(handle.read())
    call_command("verify_certificate", str(path))
    assert "VALID" in capsys.readouterr().out

    services.certificate_revoke(certificate=certificate, reason="Issued in error", by=carol)
    with pytest.raises(SystemExit):
        call_command("verify_certificate", str(path))
    assert "NOT VALID" in capsys.readouterr().out


def test_an_altered_pdf_is_unknown(certificate, tmp_path, capsys):
    path = tmp_path / "c.pdf"
    with certificate.pdf.open("rb") as handle:
        path.write_bytes(handle.read() + b"\n%tampered")
    with pytest.raises(SystemExit):
        call_command("verify_certificate", str(path))
    assert "UNKNOWN" in capsys.readouterr().out


def test_the_verification_json_verifies_offline_and_tampering_is_caught(
    certificate, client, tmp_path, capsys
):
    document = client.get(f"/api/v1/verify/{certificate.verification_code}/").json()
    path = tmp_path / "c.json"
    path.write_text(json.dumps(document))
    call_command(
        "verify_certificate", str(path), "--public-key", document["signature"]["public_key"]
    )
    assert "Signature valid" in capsys.readouterr().out

    document["snapshot"]["holder"]["name"] = "Someone Else"
    path.write_text(json.dumps(document))
    with pytest.raises(SystemExit):
        call_command("verify_certificate", str(path))
    assert "INVALID" in capsys.readouterr().out


def test_each_trainee_is_emailed_their_certificate_once(
    course, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.batch_create(course=course, by=carol, send_email=True)
    for certificate in batch.certificates.all():
        services.certificate_render(certificate_id=certificate.pk)
        assert services.certificate_email(certificate_id=certificate.pk) is True
        assert services.certificate_email(certificate_id=certificate.pk) is False  # redelivered

    assert len(mail.outbox) == 2
    assert all(message.attachments[0][2] == "application/pdf" for message in mail.outbox)
    assert Certificate.objects.filter(emailed_at__isnull=False).count() == 2
