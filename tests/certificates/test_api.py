"""Behaviour of the read-only certificate and batch endpoints."""

from django.core.files.base import ContentFile

from tests.api_fixtures import fast_passwords, fresh_throttles  # noqa: F401  (fixtures)
from tests.factories import CertificateBatchFactory, CertificateFactory, EnrolmentFactory


def result_ids(response) -> list[int]:
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


def test_a_certificate_names_its_enrolment_and_course(api_as, carol):
    certificate = CertificateFactory()
    body = api_as(carol).get(f"/api/v1/certificates/{certificate.pk}/").json()
    assert body["enrolment"] == certificate.enrolment_id
    assert body["course"] == certificate.enrolment.course_id
    assert {"id", "serial", "verification_code", "status", "issued_at", "revoked_at"} <= set(body)


def test_certificates_filter_by_course_and_status(api_as, alice):
    enrolment = EnrolmentFactory()
    valid = CertificateFactory(enrolment=enrolment, status="valid")
    other_course = CertificateFactory(status="revoked")
    client = api_as(alice)
    params = {"course": enrolment.course_id}
    assert result_ids(client.get("/api/v1/certificates/", params)) == [valid.pk]
    params = {"status": "revoked"}
    assert result_ids(client.get("/api/v1/certificates/", params)) == [other_course.pk]


def test_certificates_are_searchable_by_serial(api_as, alice):
    certificate = CertificateFactory(serial="SRP-2016-ERB-0007")
    CertificateFactory(serial="SRP-2016-ERB-0008")
    assert result_ids(api_as(alice).get("/api/v1/certificates/?search=0007")) == [certificate.pk]


def test_a_batch_has_no_download_links_until_its_files_exist(api_as, carol):
    batch = CertificateBatchFactory(status="running", total=22, done=5)
    body = api_as(carol).get(f"/api/v1/certificate-batches/{batch.pk}/").json()
    assert (body["status"], body["total"], body["done"], body["failed"]) == ("running", 22, 5, 0)
    assert body["zip_url"] is None and body["merged_pdf_url"] is None
    assert api_as(carol).get(f"/api/v1/certificate-batches/{batch.pk}/zip/").status_code == 404


def test_a_finished_batch_links_its_zip_and_merged_pdf(api_as, carol):
    batch = CertificateBatchFactory(status="done", total=1, done=1)
    batch.zip_file.save("b.zip", ContentFile(b"PK-zip-bytes"))
    batch.merged_pdf.save("b.pdf", ContentFile(b"%PDF-merged"))
    client = api_as(carol)
    body = client.get(f"/api/v1/certificate-batches/{batch.pk}/").json()
    assert body["zip_url"].endswith(f"/api/v1/certificate-batches/{batch.pk}/zip/")
    assert body["merged_pdf_url"].endswith(f"/api/v1/certificate-batches/{batch.pk}/merged-pdf/")
    response = client.get(body["zip_url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK-zip-bytes"
    assert response["Content-Disposition"].startswith("attachment")


def test_batches_filter_by_course(api_as, carol):
    batch = CertificateBatchFactory()
    CertificateBatchFactory()
    params = {"course": batch.course_id}
    assert result_ids(api_as(carol).get("/api/v1/certificate-batches/", params)) == [batch.pk]
