"""A participant's personal data: the JSON export, erasure (what goes, what stays, that
verification keeps working, that it can be repeated safely) and who may do either."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from accounts.models import AuditAction, AuditEntry
from certificates import services as certificate_services
from certificates import signing
from certificates.models import Certificate, CertificateBatch
from participants.models import Participant, TeachBack
from privacy import selectors as privacy_selectors
from privacy import services as privacy_services
from tests.factories import (
    AttendanceFactory,
    CourseFactory,
    EnrolmentFactory,
    OrganisationFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

NAME, NATIVE, EMAIL = "Zainab Al-Musawi", "زينب الموسوي", "zainab@example.org"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def enrolment():
    course = CourseFactory(code="ERB", programme__acronym="SRP", title="ToT on Migration — Erbil")
    person = ParticipantFactory(
        first_name="Zainab",
        last_name="Al-Musawi",
        native_name=NATIVE,
        email=EMAIL,
        phone="+9647500000000",
        position="Head of unit",
        gender="female",
        notes="Prefers Arabic material",
        consent_date=dt.date(2016, 4, 1),
        organisation=OrganisationFactory(name="Ministry of Migration and Displacement"),
    )
    enrolment = EnrolmentFactory(
        course=course,
        participant=person,
        status="completed",
        pre_test_score=40,
        post_test_score=80,
    )
    AttendanceFactory(enrolment=enrolment, date=course.start_date, present=True)
    teachback = TeachBack(enrolment=enrolment, title="Screening interviews", score=75)
    teachback.original_name = "zainab-al-musawi-module.pdf"
    teachback.comments = "Zainab presented clearly."
    teachback.file.save("module.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    teachback.save()
    return enrolment


@pytest.fixture
def participant(enrolment):
    return enrolment.participant


@pytest.fixture
def certificate(enrolment, carol, django_capture_on_commit_callbacks):
    """A real, signed and rendered certificate in a finished batch (ZIP and merged PDF)."""
    with django_capture_on_commit_callbacks(execute=False):
        batch = certificate_services.batch_create(course=enrolment.course, by=carol)
    certificate = batch.certificates.get()
    certificate_services.certificate_render(certificate_id=certificate.pk)
    certificate_services.batch_finalize(batch_id=batch.pk)
    certificate.refresh_from_db()
    return certificate


def erase(api, participant, **body):
    payload = {"reason": "Request by e-mail of 3 March 2017", "confirm": True, **body}
    return api.post(f"/api/v1/participants/{participant.pk}/erase/", payload, format="json")


def snapshot_of(participant):
    """Every personal value held in the participant row, for "nothing changed" checks."""
    return Participant.objects.filter(pk=participant.pk).values().get()


# --- Export ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [("dave", 403), ("bob", 403), ("alice", 200), ("carol", 200), ("root", 200)],
)
def test_the_export_is_for_the_project_team_and_coordinators_and_is_logged(
    request, api_as, participant, actor, status
):
    user = request.getfixturevalue(actor)
    response = api_as(user).get(f"/api/v1/participants/{participant.pk}/personal-data/")

    assert response.status_code == status
    logged = AuditEntry.objects.filter(action=AuditAction.DATA_EXPORTED)
    if status == 200:
        assert response["Content-Disposition"] == (
            f'attachment; filename="participant-{participant.pk}.json"'
        )
        entry = logged.get()
        assert (entry.actor, entry.object_id) == (user, str(participant.pk))
        assert "Zainab" not in entry.summary
    else:
        assert not logged.exists()


def test_anonymous_clients_get_401_for_export_and_erasure(anon_api, participant):
    assert anon_api.get(f"/api/v1/participants/{participant.pk}/personal-data/").status_code == 401
    assert erase(anon_api, participant).status_code == 401


def test_the_export_holds_everything_about_the_person(api_as, alice, carol, enrolment, certificate):
    participant = enrolment.participant
    api_as(carol).patch(
        f"/api/v1/enrolments/{enrolment.pk}/", {"status": "failed", "reason": "Re-evaluated"}
    )

    data = api_as(alice).get(f"/api/v1/participants/{participant.pk}/personal-data/").json()

    person = data["participant"]
    assert (person["first_name"], person["last_name"], person["native_name"]) == (
        "Zainab",
        "Al-Musawi",
        NATIVE,
    )
    assert (person["email"], person["phone"], person["gender"]) == (
        EMAIL,
        "+9647500000000",
        "female",
    )
    assert person["consent_given"] is True and person["consent_date"] == "2016-04-01"
    assert data["organisation"]["name"] == "Ministry of Migration and Displacement"
    [course] = data["enrolments"]
    assert course["course"]["code"] == "ERB"
    assert (course["pre_test_score"], course["post_test_score"]) == ("40.00", "80.00")
    assert course["knowledge_gain"] == "40.00"
    assert course["attendance"] == [{"date": "2016-05-15", "present": True}]
    assert [(h["from"], h["to"]) for h in course["status_history"]][-1] == ("completed", "failed")
    assert course["teachback"]["title"] == "Screening interviews"
    assert course["teachback"]["file_name"] == "zainab-al-musawi-module.pdf"
    assert "file" not in course["teachback"]  # metadata, not the file
    [issued] = course["certificates"]
    assert issued["serial"] == certificate.serial
    assert issued["verification_code"] == certificate.verification_code
    assert issued["status"] == "valid" and issued["issued_at"]
    assert [e["action"] for e in data["audit_entries"]] == ["data_exported"]


def test_the_export_reads_a_fixed_number_of_queries(participant, django_assert_max_num_queries):
    for _ in range(5):
        enrolment = EnrolmentFactory(participant=participant)
        AttendanceFactory(enrolment=enrolment)
    with django_assert_max_num_queries(8):
        data = privacy_selectors.participant_data(participant)
    assert len(data["enrolments"]) == 6


# --- Erasure --------------------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "status"), [("dave", 403), ("bob", 403), ("alice", 403)])
def test_only_coordinators_erase_and_a_refusal_changes_nothing(
    request, api_as, participant, certificate, actor, status
):
    before = snapshot_of(participant)

    response = erase(api_as(request.getfixturevalue(actor)), participant)

    assert response.status_code == status
    assert snapshot_of(participant) == before
    assert not AuditEntry.objects.filter(action=AuditAction.DATA_ERASED).exists()
    assert Certificate.objects.get(pk=certificate.pk).pdf.storage.exists(certificate.pdf.name)
    assert TeachBack.objects.get().file


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"confirm": False}, "confirm"),
        ({"confirm": None}, "confirm"),
    ],
)
def test_erasure_needs_a_reason_and_a_confirmation(api_as, carol, participant, body, field):
    before = snapshot_of(participant)

    response = erase(api_as(carol), participant, **body)

    assert response.status_code == 400 and field in response.json()
    assert snapshot_of(participant) == before
    assert not AuditEntry.objects.filter(action=AuditAction.DATA_ERASED).exists()


def test_erasure_anonymises_the_person_and_deletes_their_files_after_commit(
    api_as, carol, participant, certificate, django_capture_on_commit_callbacks
):
    teachback = TeachBack.objects.get()
    storage, teachback_file, pdf = teachback.file.storage, teachback.file.name, certificate.pdf.name
    batch = CertificateBatch.objects.get(pk=certificate.batch_id)
    bundles = [batch.zip_file.name, batch.merged_pdf.name]
    assert all(storage.exists(name) for name in [teachback_file, pdf, *bundles])

    with django_capture_on_commit_callbacks(execute=True):
        response = erase(api_as(carol), participant)

    assert response.status_code == 200
    assert response.json()["erased"] is True and response.json()["files_deleted"] == 4
    participant.refresh_from_db()
    assert participant.full_name == f"Erased #{participant.pk}"
    for field in ("native_name", "email", "phone", "position", "notes", "gender"):
        assert getattr(participant, field) == "", field
    assert participant.consent_given is False and participant.consent_date is None
    # Kept for the programme's statistics.
    assert participant.country == "IQ" and participant.organisation is not None
    teachback.refresh_from_db()
    assert (teachback.file.name, teachback.original_name, teachback.comments) == ("", "", "")
    assert (teachback.title, teachback.score) == ("Screening interviews", 75)
    assert not any(storage.exists(name) for name in [teachback_file, pdf, *bundles])
    certificate.refresh_from_db()
    assert certificate.status == "valid" and not certificate.pdf
    batch.refresh_from_db()
    assert not batch.zip_file and not batch.merged_pdf
    enrolment = participant.enrolments.get()
    assert (enrolment.status, enrolment.post_test_score) == ("completed", 80)
    assert enrolment.attendance.count() == 1


def test_the_erasure_is_logged_without_the_name(api_as, carol, participant):
    erase(api_as(carol), participant)

    entry = AuditEntry.objects.get(action=AuditAction.DATA_ERASED)
    assert (entry.actor, entry.object_id) == (carol, str(participant.pk))
    assert "Zainab" not in entry.summary and "Musawi" not in entry.summary
    assert entry.data["reason"] == "Request by e-mail of 3 March 2017"


def test_files_stay_when_the_erasure_rolls_back(participant, carol, monkeypatch):
    teachback = TeachBack.objects.get()

    def fail(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(privacy_services, "audit_record", fail)
    with pytest.raises(RuntimeError):
        privacy_services.participant_erase(participant=participant, reason="Request", by=carol)

    assert teachback.file.storage.exists(teachback.file.name)
    assert Participant.objects.get(pk=participant.pk).email == EMAIL


def test_erasing_twice_changes_nothing_and_says_so(api_as, carol, participant):
    erase(api_as(carol), participant)
    before = snapshot_of(participant)

    response = erase(api_as(carol), participant)

    assert response.status_code == 200
    assert response.json()["erased"] is False
    assert "already erased" in response.json()["detail"]
    assert snapshot_of(participant) == before
    assert AuditEntry.objects.filter(action=AuditAction.DATA_ERASED).count() == 1


def test_an_erased_person_cannot_be_found_by_the_old_name_or_e_mail(
    api_as, alice, carol, participant
):
    erase(api_as(carol), participant)

    for term in ("Zainab", "Musawi", NATIVE, EMAIL, "Head of unit"):
        results = api_as(alice).get("/api/v1/participants/", {"search": term}).json()["results"]
        assert results == [], term
    assert not Participant.objects.filter(email__iexact=EMAIL).exists()


def test_an_erased_trainee_s_certificate_still_verifies_with_the_printed_name(
    api_as, client, carol, participant, certificate
):
    snapshot = certificate.snapshot
    erase(api_as(carol), participant)

    certificate.refresh_from_db()
    assert certificate.snapshot == snapshot  # untouched: the signature covers it
    assert signing.verify(certificate.snapshot, certificate.key_id, certificate.signature)
    page = client.get(f"/verify/{certificate.verification_code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "This certificate is valid." in text
    assert NAME in text and NATIVE in text
    assert EMAIL not in text
    public = client.get(f"/api/v1/verify/{certificate.verification_code}/").json()
    assert public["status"] == "valid" and public["holder"]["name"] == NAME


# --- Pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [("dave", 403), ("bob", 403), ("alice", 200), ("carol", 200), ("root", 200)],
)
def test_the_personal_data_page_is_for_the_project_team_and_coordinators(
    request, client, participant, actor, status
):
    client.force_login(request.getfixturevalue(actor))
    url = f"/participants/{participant.pk}/personal-data/"

    response = client.get(url)
    download = client.get(f"{url}download/")

    assert (response.status_code, download.status_code) == (status, status)
    if status == 200:
        page = response.content.decode()
        assert EMAIL in page and NATIVE in page and "Download as JSON" in page
        assert ('name="confirm"' in page) == (actor in ("carol", "root"))
        assert json.loads(download.content)["participant"]["email"] == EMAIL
        assert download["Content-Disposition"].startswith("attachment;")
        assert AuditEntry.objects.filter(action=AuditAction.DATA_EXPORTED).count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, participant):
    response = client.get(f"/participants/{participant.pk}/personal-data/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_escapes_what_people_typed(client, alice):
    person = ParticipantFactory(first_name="<script>alert(1)</script>", notes="<b>bold</b>")
    client.force_login(alice)
    page = client.get(f"/participants/{person.pk}/personal-data/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>bold</b>" not in page


@pytest.mark.parametrize("actor", ["alice", "bob", "dave"])
def test_only_coordinators_erase_from_the_page(request, client, participant, actor):
    client.force_login(request.getfixturevalue(actor))
    response = client.post(
        f"/participants/{participant.pk}/personal-data/erase/",
        {"reason": "Request", "confirm": "ERASE"},
    )
    assert response.status_code == 403
    assert Participant.objects.get(pk=participant.pk).email == EMAIL


@pytest.mark.parametrize("word", ["", "erase", "yes", "DELETE"])
def test_the_page_erases_only_when_erase_is_typed(client, carol, participant, word):
    client.force_login(carol)
    before = snapshot_of(participant)

    response = client.post(
        f"/participants/{participant.pk}/personal-data/erase/",
        {"reason": "Request of 3 March", "confirm": word},
    )

    assert response.status_code == 400
    assert snapshot_of(participant) == before
    assert "ERASE" in response.content.decode()


def test_the_page_erases_and_then_says_it_was_already_done(client, carol, participant):
    client.force_login(carol)
    url = f"/participants/{participant.pk}/personal-data/erase/"
    form = {"reason": "Request of 3 March", "confirm": "ERASE"}

    first = client.post(url, form, follow=True)
    second = client.post(url, form, follow=True)

    assert first.redirect_chain[-1][0] == f"/participants/{participant.pk}/personal-data/"
    assert "has been erased" in first.content.decode()
    assert EMAIL not in first.content.decode()
    assert "already erased" in second.content.decode()
    assert Participant.objects.get(pk=participant.pk).first_name == "Erased"
    assert AuditEntry.objects.filter(action=AuditAction.DATA_ERASED).count() == 1
