"""Deleting a trainee or an enrolment in the Django admin goes through the same services as the
API's administrator delete: audited, teach-back files removed after commit, refused while a
certificate refers — on the delete page and in the bulk "delete selected" action alike."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import AuditAction, AuditEntry
from participants.models import Enrolment, Participant, TeachBack
from tests.factories import CertificateFactory, EnrolmentFactory, ParticipantFactory, UserFactory


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def delete_url(model, pk) -> str:
    return reverse(f"admin:participants_{model._meta.model_name}_delete", args=[pk])


def changelist_url(model) -> str:
    return reverse(f"admin:participants_{model._meta.model_name}_changelist")


def bulk_delete(client, model, pks):
    return client.post(
        changelist_url(model),
        {"action": "delete_selected", "_selected_action": [str(pk) for pk in pks], "post": "yes"},
        follow=True,
    )


def with_teachback_file(enrolment: Enrolment) -> tuple:
    teachback = TeachBack.objects.create(enrolment=enrolment, title="Screening", score=70)
    teachback.file.save("t.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return teachback.file.storage, teachback.file.name


def deleted_entries() -> list[str]:
    return sorted(
        AuditEntry.objects.filter(action=AuditAction.RECORD_DELETED).values_list(
            "object_id", flat=True
        )
    )


def test_the_delete_page_deletes_an_enrolment_audited_with_its_files(
    admin_client, django_capture_on_commit_callbacks
):
    enrolment = EnrolmentFactory()
    storage, stored = with_teachback_file(enrolment)

    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_client.post(delete_url(Enrolment, enrolment.pk), {"post": "yes"})

    assert answer.status_code == 302
    assert not Enrolment.objects.filter(pk=enrolment.pk).exists()
    assert not storage.exists(stored)
    assert deleted_entries() == [str(enrolment.pk)]


def test_the_bulk_action_deletes_enrolments_audited_with_their_files(
    admin_client, django_capture_on_commit_callbacks
):
    first, second = EnrolmentFactory(), EnrolmentFactory()
    storage, stored = with_teachback_file(first)

    with django_capture_on_commit_callbacks(execute=True):
        page = bulk_delete(admin_client, Enrolment, [first.pk, second.pk])

    assert "Successfully deleted 2" in page.content.decode()
    assert not Enrolment.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert not storage.exists(stored)
    assert deleted_entries() == sorted([str(first.pk), str(second.pk)])


def test_the_delete_page_and_the_bulk_action_delete_trainees_audited(admin_client):
    alone, other, third = ParticipantFactory(), ParticipantFactory(), ParticipantFactory()

    admin_client.post(delete_url(Participant, alone.pk), {"post": "yes"})
    bulk_delete(admin_client, Participant, [other.pk, third.pk])

    assert not Participant.objects.filter(pk__in=[alone.pk, other.pk, third.pk]).exists()
    assert deleted_entries() == sorted(str(p.pk) for p in (alone, other, third))


def test_an_enrolment_with_a_certificate_is_refused_on_the_delete_page(admin_client):
    certificate = CertificateFactory()
    enrolment = certificate.enrolment

    page = admin_client.post(delete_url(Enrolment, enrolment.pk), {"post": "yes"}, follow=True)

    assert Enrolment.objects.filter(pk=enrolment.pk).exists()
    assert "a certificate refers to this record" in page.content.decode()
    assert not AuditEntry.objects.exists()


def test_a_trainee_with_a_certificate_is_refused_on_the_delete_page(admin_client):
    participant = CertificateFactory().enrolment.participant

    page = admin_client.post(delete_url(Participant, participant.pk), {"post": "yes"}, follow=True)

    assert Participant.objects.filter(pk=participant.pk).exists()
    assert "a certificate refers to this record" in page.content.decode()
    assert not AuditEntry.objects.exists()


def test_a_bulk_delete_with_one_certified_enrolment_deletes_none(
    admin_client, django_capture_on_commit_callbacks
):
    free = EnrolmentFactory()
    storage, stored = with_teachback_file(free)
    certified = CertificateFactory().enrolment

    with django_capture_on_commit_callbacks(execute=True):
        page = bulk_delete(admin_client, Enrolment, [free.pk, certified.pk])

    assert Enrolment.objects.filter(pk__in=[free.pk, certified.pk]).count() == 2
    assert storage.exists(stored)
    assert not AuditEntry.objects.exists()
    assert "a certificate refers to this record" in page.content.decode()


def test_a_refusal_by_the_service_rolls_back_the_whole_bulk_delete_with_its_message(client, db):
    """A staff member given the delete permission is still not an administrator: the service
    refuses, the rows already deleted in the same action come back, and the reason is shown."""
    staff = UserFactory(username="erin", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_enrolment", "delete_enrolment", "delete_teachback"]
        )
    )
    client.force_login(staff)
    first, second = EnrolmentFactory(), EnrolmentFactory()

    page = bulk_delete(client, Enrolment, [first.pk, second.pk])
    single = client.post(delete_url(Enrolment, first.pk), {"post": "yes"}, follow=True)

    assert Enrolment.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
    assert "withdraw the trainee instead" in page.content.decode()
    assert "withdraw the trainee instead" in single.content.decode()
    assert not AuditEntry.objects.exists()
