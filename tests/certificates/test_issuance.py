"""Issuing a course's certificates: who gets one, what is printed, and that repeating any step
never creates a second certificate."""

import io
import zipfile

import pytest
from pypdf import PdfReader

from certificates import codes, services, signing
from certificates.models import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateDesign,
    CertificateStatus,
)
from certificates.rendering import builtin_design
from core.errors import ConflictError
from tests.factories import (
    CourseFactory,
    EnrolmentFactory,
    ParticipantFactory,
    ThematicModuleFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory(code="ERB", programme__acronym="SRP", languages=["en", "ar"], hours=60)
    course.modules.set(ThematicModuleFactory.create_batch(3))
    return course


def completed(course, n, **participant):
    return [
        EnrolmentFactory(
            course=course, status="completed", participant=ParticipantFactory(**participant)
        )
        for _ in range(n)
    ]


def issue(course, carol, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.batch_create(course=course, by=carol, **kwargs)
    ids = list(batch.certificates.values_list("pk", flat=True))
    services.certificates_render(certificate_ids=ids)
    services.batch_finalize(batch_id=batch.pk)
    return CertificateBatch.objects.get(pk=batch.pk)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_it_issues_one_certificate_per_completed_trainee(
    course, carol, django_capture_on_commit_callbacks
):
    completed(course, 3)
    EnrolmentFactory(course=course, status="failed")
    EnrolmentFactory(course=course, status="withdrawn")

    batch = issue(course, carol, django_capture_on_commit_callbacks)

    assert (batch.status, batch.total, batch.done, batch.failed) == (BatchStatus.DONE, 3, 3, 0)
    serials = sorted(batch.certificates.values_list("serial", flat=True))
    assert serials == ["SRP-2016-ERB-0001", "SRP-2016-ERB-0002", "SRP-2016-ERB-0003"]
    assert set(batch.certificates.values_list("status", flat=True)) == {CertificateStatus.VALID}


def test_the_zip_holds_exactly_one_pdf_per_certificate_and_the_merged_pdf_one_page_each(
    course, carol, django_capture_on_commit_callbacks
):
    completed(course, 3)
    batch = issue(course, carol, django_capture_on_commit_callbacks)

    with batch.zip_file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert len(names) == 3 and all(name.endswith(".pdf") for name in names)
    assert len({name.split("-")[3] for name in names}) == 3
    with batch.merged_pdf.open("rb") as handle:
        assert len(PdfReader(handle).pages) == 3


def test_a_bilingual_certificate_prints_both_scripts_and_its_code(
    course, carol, django_capture_on_commit_callbacks
):
    completed(course, 1, first_name="Ahmed", last_name="Al-Saadi", native_name="أحمد الساعدي")
    batch = issue(course, carol, django_capture_on_commit_callbacks)
    certificate = batch.certificates.get()

    with certificate.pdf.open("rb") as handle:
        text = pdf_text(handle.read())
    assert certificate.language == "ar-en"
    assert "Ahmed Al-Saadi" in text
    assert "أحمد الساعدي" in text
    assert "شهادة إتمام" in text
    assert certificate.verification_code in text
    assert certificate.serial in text


def test_issuing_again_creates_nothing_new(course, carol, django_capture_on_commit_callbacks):
    completed(course, 2)
    issue(course, carol, django_capture_on_commit_callbacks)

    with pytest.raises(ConflictError):
        issue(course, carol, django_capture_on_commit_callbacks)
    assert Certificate.objects.count() == 2


def test_rendering_a_certificate_twice_issues_it_once(
    course, carol, django_capture_on_commit_callbacks
):
    completed(course, 1)
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.batch_create(course=course, by=carol)
    certificate = batch.certificates.get()

    assert services.certificate_render(certificate_id=certificate.pk) is True
    first = Certificate.objects.get(pk=certificate.pk)
    assert services.certificate_render(certificate_id=certificate.pk) is False
    again = Certificate.objects.get(pk=certificate.pk)
    assert (again.pdf.name, again.sha256, again.issued_at) == (
        first.pdf.name,
        first.sha256,
        first.issued_at,
    )


def test_a_leased_certificate_is_left_to_its_worker(
    course, carol, django_capture_on_commit_callbacks
):
    completed(course, 1)
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.batch_create(course=course, by=carol)
    certificate = batch.certificates.get()
    assert services.certificate_claim(certificate.pk) is True  # another worker holds it

    assert services.certificate_render(certificate_id=certificate.pk) is False
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.PENDING


def test_the_snapshot_is_signed_and_verifies(course, carol, django_capture_on_commit_callbacks):
    completed(course, 1)
    certificate = issue(course, carol, django_capture_on_commit_callbacks).certificates.get()

    assert signing.verify(certificate.snapshot, certificate.key_id, certificate.signature)
    tampered = {**certificate.snapshot, "holder": {"name": "Someone Else", "native_name": ""}}
    assert not signing.verify(tampered, certificate.key_id, certificate.signature)


def test_verification_codes_are_grouped_and_catch_typing_errors():
    code = codes.new_code()
    assert len(code) == 21 and code.count("-") == 4
    assert codes.normalise(code.lower().replace("-", " ")) == code
    symbols = code.replace("-", "")
    wrong = ("1" if symbols[0] != "1" else "2") + symbols[1:]
    with pytest.raises(codes.MistypedCode):
        codes.normalise(wrong)


def test_hostile_names_print_as_text_and_fetch_nothing(
    course, carol, django_capture_on_commit_callbacks, caplog
):
    completed(
        course,
        1,
        first_name='<img src="file:///etc/passwd">',
        last_name='<link rel="attachment" href="file:///etc/hostname">',
        native_name="",
    )
    certificate = issue(course, carol, django_capture_on_commit_callbacks).certificates.get()

    with certificate.pdf.open("rb") as handle:
        data = handle.read()
    reader = PdfReader(io.BytesIO(data))
    text = pdf_text(data)
    assert '<img src="file:///etc/passwd">' in text
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"])
    assert "root:x:0:0" not in text


def test_revoke_and_reissue_keep_history(course, carol, django_capture_on_commit_callbacks):
    completed(course, 1)
    certificate = issue(course, carol, django_capture_on_commit_callbacks).certificates.get()

    with django_capture_on_commit_callbacks(execute=False):
        new = services.certificate_reissue(
            certificate=certificate, reason="Name corrected", by=carol
        )
    services.certificate_render(certificate_id=new.pk)

    old = Certificate.objects.get(pk=certificate.pk)
    new.refresh_from_db()
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by == new
    assert new.status == CertificateStatus.VALID and new.serial == f"{old.serial}-R2"

    services.certificate_revoke(certificate=new, reason="Issued in error", by=carol)
    new.refresh_from_db()
    assert new.status == CertificateStatus.REVOKED and new.revoked_reason == "Issued in error"
    with pytest.raises(ConflictError):
        services.certificate_revoke(certificate=new, reason="again", by=carol)


def test_an_erased_trainee_is_not_reissued_and_the_bundle_skips_their_pdf(
    course, carol, django_capture_on_commit_callbacks
):
    from privacy.services import participant_erase

    completed(course, 2)
    batch = issue(course, carol, django_capture_on_commit_callbacks)
    erased = batch.certificates.order_by("pk").first()
    with django_capture_on_commit_callbacks(execute=True):
        participant_erase(
            participant=erased.enrolment.participant, reason="Request of 1 May", by=carol
        )
    erased.refresh_from_db()
    assert not erased.pdf and erased.status == CertificateStatus.VALID

    with pytest.raises(ConflictError, match="personal data was erased"):
        services.certificate_reissue(certificate=erased, reason="Name corrected", by=carol)

    # Rebuilding the batch's bundle (after a retry, say) leaves the erased PDF out.
    assert services.batch_finalize(batch_id=batch.pk, rebuild=True)
    batch.refresh_from_db()
    with batch.zip_file.open("rb") as handle, zipfile.ZipFile(handle) as bundle:
        assert len(bundle.namelist()) == 1


def test_each_side_prints_the_course_title_in_its_language(
    course, carol, django_capture_on_commit_callbacks
):
    """A bilingual certificate names the course in Arabic on the Arabic side when the course has
    an Arabic title, and falls back to the course kind in Arabic when it has none."""
    course.title_ar = "دورة تدريب المدربين في إدارة الهجرة — أربيل"
    course.save()
    completed(course, 1)
    certificate = issue(course, carol, django_capture_on_commit_callbacks).certificates.get()
    sides = {side["lang"]: side["course_title"] for side in certificate.snapshot["sides"]}
    assert sides == {"ar": course.title_ar, "en": course.title}

    other = CourseFactory(code="BGD", programme=course.programme, languages=["en", "ar"])
    EnrolmentFactory(course=other, status="completed")
    fallback = issue(other, carol, django_capture_on_commit_callbacks).certificates.get()
    sides = {side["lang"]: side["course_title"] for side in fallback.snapshot["sides"]}
    assert sides["ar"] == "تدريب المدربين"


def test_without_a_chosen_design_a_batch_uses_only_a_design_marked_default(
    course, carol, django_capture_on_commit_callbacks
):
    html, css = builtin_design("classic")
    CertificateDesign.objects.create(name="Draft in progress", html="{{ c.serial }}", css="")
    completed(course, 1)
    with django_capture_on_commit_callbacks(execute=False):
        assert services.batch_create(course=course, by=carol).design is None  # the built-in

    house = CertificateDesign.objects.create(
        name="House style", html=html, css=css, is_default=True
    )
    completed(course, 1)
    with django_capture_on_commit_callbacks(execute=False):
        assert services.batch_create(course=course, by=carol).design == house


def test_a_revocation_is_in_the_audit_log_with_its_reason(
    course, carol, django_capture_on_commit_callbacks
):
    from accounts.models import AuditAction, AuditEntry

    batch = (
        issue(course, carol, django_capture_on_commit_callbacks) if completed(course, 1) else None
    )
    certificate = batch.certificates.get()
    services.certificate_revoke(certificate=certificate, reason="Issued in error", by=carol)

    entry = AuditEntry.objects.get(action=AuditAction.CERTIFICATE_REVOKED)
    assert (entry.actor, entry.object_id) == (carol, str(certificate.pk))
    assert entry.data["reason"] == "Issued in error"
