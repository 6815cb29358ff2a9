"""Re-issuing a certificate whose enrolment a merge moved to another trainee record: refused
unless the coordinator confirms that the holder changed (API flag, page checkbox); audited."""

import pytest
from django.urls import reverse

from accounts.models import AuditAction, AuditEntry
from certificates import services
from certificates.models import Certificate, CertificateStatus
from core.errors import ConflictError
from participants.merging import participants_merge
from tests.factories import (
    CertificateFactory,
    CourseFactory,
    EnrolmentFactory,
    OrganisationFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved(carol, django_capture_on_commit_callbacks):
    """Ahmed Al-Saadi's certificate, after a coordinator merged his record into Layla Karimi's
    (another person, another organisation)."""
    course = CourseFactory(code="ERB", programme__acronym="SRP")
    ahmed = ParticipantFactory(
        first_name="Ahmed", last_name="Al-Saadi", organisation=OrganisationFactory()
    )
    layla = ParticipantFactory(
        first_name="Layla",
        last_name="Karimi",
        native_name="ليلى كريمي",
        organisation=OrganisationFactory(),
    )
    EnrolmentFactory(course=course, participant=ahmed, status="completed")
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.batch_create(course=course, by=carol)
    certificate = batch.certificates.get()
    assert certificate.holder_record == ahmed.pk
    participants_merge(survivor=layla, duplicate=ahmed, by=carol, reason="Same person, new name")
    Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.VALID)
    certificate.refresh_from_db()
    return certificate


def test_the_service_refuses_without_the_coordinators_decision(moved, carol):
    with pytest.raises(ConflictError, match=r"issued to Ahmed Al-Saadi.*now belongs to Layla"):
        services.certificate_reissue(certificate=moved, reason="Corrected", by=carol)

    moved.refresh_from_db()
    assert moved.status == CertificateStatus.VALID
    assert not AuditEntry.objects.filter(action=AuditAction.CERTIFICATE_REISSUED).exists()


def test_the_api_answers_409_naming_both_then_reissues_with_holder_changed(
    moved, carol, api_as, django_capture_on_commit_callbacks
):
    url = f"/api/v1/certificates/{moved.pk}/reissue/"
    refused = api_as(carol).post(url, {"reason": "Merged records"}, format="json")
    assert refused.status_code == 409
    assert "Ahmed Al-Saadi" in refused.json()["detail"]
    assert "Layla Karimi" in refused.json()["detail"]

    with django_capture_on_commit_callbacks(execute=False):
        answer = api_as(carol).post(
            url, {"reason": "Merged records", "holder_changed": True}, format="json"
        )

    assert answer.status_code == 202
    new = Certificate.objects.get(pk=answer.json()["id"])
    assert new.snapshot["holder"]["name"] == "Layla Karimi"
    assert new.holder_record == moved.enrolment.participant_id
    entry = AuditEntry.objects.get(action=AuditAction.CERTIFICATE_REISSUED)
    assert entry.object_id == str(moved.pk)
    assert entry.data["holder_changed"] is True
    assert entry.data["reason"] == "Merged records"
    assert entry.data["issued_to_record"] == moved.holder_record
    assert entry.data["holder_record"] == new.holder_record != moved.holder_record


def test_a_reissue_for_the_same_record_needs_no_confirmation_and_is_audited(
    carol, api_as, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory(participant__first_name="Shilan", participant__last_name="Othman")
    certificate = CertificateFactory(
        enrolment=enrolment,
        holder_record=enrolment.participant_id,
        snapshot={"holder": {"name": "Shilan Otman", "native_name": ""}},  # a typo, corrected
    )

    with django_capture_on_commit_callbacks(execute=False):
        answer = api_as(carol).post(
            f"/api/v1/certificates/{certificate.pk}/reissue/", {"reason": "Typo"}, format="json"
        )

    assert answer.status_code == 202
    entry = AuditEntry.objects.get(action=AuditAction.CERTIFICATE_REISSUED)
    assert entry.data["holder_changed"] is False


def test_an_older_certificate_without_its_record_is_compared_by_the_printed_name(carol):
    """Certificates issued before the record id was kept: another person's name is a change
    of holder; the same name in another spelling or script is not."""
    enrolment = EnrolmentFactory(
        participant__first_name="Layla",
        participant__last_name="Karimi",
        participant__native_name="ليلى كريمي",
    )
    other = CertificateFactory(
        enrolment=enrolment, snapshot={"holder": {"name": "Ahmed Al-Saadi", "native_name": ""}}
    )
    same = CertificateFactory(
        enrolment=EnrolmentFactory(
            participant__first_name="Ahmed", participant__last_name="Al-Saadi"
        ),
        snapshot={"holder": {"name": "Ahmed Alsaadi", "native_name": ""}},
    )

    with pytest.raises(ConflictError, match="Ahmed Al-Saadi"):
        services.certificate_reissue(certificate=other, reason="Corrected", by=carol)
    assert services.certificate_reissue(certificate=same, reason="Spelling", by=carol).pk


def test_the_page_shows_issued_to_a_now_b_and_needs_the_confirmation(
    moved, carol, client, django_capture_on_commit_callbacks
):
    client.force_login(carol)
    url = reverse("certificate-reissue", args=[moved.pk])

    page = client.get(url).content.decode()
    assert "Issued to <bdi>Ahmed Al-Saadi</bdi>, now <bdi>Layla Karimi</bdi>" in page
    assert 'name="holder_changed" required' in page

    refused = client.post(url, {"reason": "Merged"}, follow=True)
    assert "now belongs to Layla Karimi" in refused.content.decode()
    assert Certificate.objects.get(pk=moved.pk).status == CertificateStatus.VALID

    with django_capture_on_commit_callbacks(execute=False):
        done = client.post(url, {"reason": "Merged", "holder_changed": "on"})
    assert done.status_code == 302
    assert Certificate.objects.get(pk=moved.pk).status == CertificateStatus.SUPERSEDED
    assert AuditEntry.objects.get(action=AuditAction.CERTIFICATE_REISSUED).data["holder_changed"]


def test_the_page_is_for_coordinators_only_and_linked_from_the_trainee(
    moved, alice, bob, carol, client
):
    url = reverse("certificate-reissue", args=[moved.pk])
    for actor in (alice, bob):
        client.force_login(actor)
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "x", "holder_changed": "on"}).status_code == 403
    client.force_login(carol)
    detail = reverse("participant-detail", args=[moved.enrolment.participant_id])
    assert url in client.get(detail).content.decode()
    assert Certificate.objects.get(pk=moved.pk).status == CertificateStatus.VALID


def test_user_text_on_the_page_is_escaped(carol, client):
    certificate = CertificateFactory(
        enrolment__participant__first_name="<b>x</b>",
        snapshot={"holder": {"name": "<script>alert(1)</script>", "native_name": ""}},
    )
    client.force_login(carol)

    page = client.get(reverse("certificate-reissue", args=[certificate.pk])).content.decode()

    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<b>x</b>" not in page
