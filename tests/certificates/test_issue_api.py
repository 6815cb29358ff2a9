"""The certificate entry points of DESIGN.md, per role: issue, progress, PDF, revoke, verify."""

import pytest

from certificates import services, signing
from certificates.models import Certificate
from tests.factories import CourseFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory(code="ERB", programme__acronym="SRP")
    EnrolmentFactory.create_batch(3, course=course, status="completed")
    EnrolmentFactory(course=course, status="failed")
    return course


def issue_url(course):
    return f"/api/v1/courses/{course.pk}/certificates/issue/"


def render_all() -> None:
    """Stand-in for the workers (their own tests use real processes)."""
    for certificate in Certificate.objects.filter(status="pending"):
        services.certificate_render(certificate_id=certificate.pk)
    for batch_id in Certificate.objects.values_list("batch", flat=True).distinct():
        if batch_id:
            services.batch_finalize(batch_id=batch_id)


@pytest.fixture
def issued(course, carol, api_as, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = api_as(carol).post(issue_url(course), {}, format="json")
    assert response.status_code == 202, response.content
    render_all()
    return response.json()


def test_a_coordinator_issues_a_course_and_gets_a_batch_to_follow(issued, carol, api_as):
    assert issued["status"] == "queued"
    assert (issued["total"], issued["done"], issued["failed"]) == (3, 0, 0)

    batch = api_as(carol).get(f"/api/v1/certificate-batches/{issued['id']}/").json()
    assert (batch["status"], batch["done"], batch["failed"]) == ("done", 3, 0)
    assert batch["zip_url"].endswith(f"/certificate-batches/{issued['id']}/zip/")
    assert batch["merged_pdf_url"].endswith("/merged-pdf/")
    zipped = api_as(carol).get(batch["zip_url"])
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"


@pytest.mark.parametrize(("actor", "expected"), [("alice", 403), ("bob", 403), ("dave", 403)])
def test_only_coordinators_issue(course, request, api_as, actor, expected):
    response = api_as(request.getfixturevalue(actor)).post(issue_url(course), {}, format="json")
    assert response.status_code == expected
    assert not Certificate.objects.exists()


def test_anonymous_issuing_gets_401(course, anon_api):
    assert anon_api.post(issue_url(course), {}, format="json").status_code == 401


def test_issuing_again_answers_409_and_creates_nothing(issued, course, carol, api_as):
    response = api_as(carol).post(issue_url(course), {}, format="json")
    assert response.status_code == 409
    assert Certificate.objects.count() == 3


def test_an_unknown_language_is_refused_clearly(course, carol, api_as):
    response = api_as(carol).post(issue_url(course), {"language": "fr"}, format="json")
    assert response.status_code == 400
    assert "language" in response.json()


def test_the_list_filters_by_course(issued, course, carol, api_as):
    other = CourseFactory()
    assert api_as(carol).get(f"/api/v1/certificates/?course={course.pk}").json()["count"] == 3
    assert api_as(carol).get(f"/api/v1/certificates/?course={other.pk}").json()["count"] == 0


@pytest.mark.parametrize(("actor", "expected"), [("carol", 200), ("alice", 200), ("bob", 403)])
def test_the_pdf_is_served_to_coordinators_and_the_team(issued, request, api_as, actor, expected):
    certificate = Certificate.objects.first()
    response = api_as(request.getfixturevalue(actor)).get(
        f"/api/v1/certificates/{certificate.pk}/pdf/"
    )
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_revoking_needs_a_reason_and_a_coordinator(issued, carol, alice, api_as):
    certificate = Certificate.objects.first()
    url = f"/api/v1/certificates/{certificate.pk}/revoke/"
    assert api_as(alice).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api_as(carol).post(url, {}, format="json").status_code == 400

    response = api_as(carol).post(url, {"reason": "Issued in error"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    public = api_as().get(f"/api/v1/verify/{certificate.verification_code}/").json()
    assert (public["status"], public["revoked_reason"]) == ("revoked", "Issued in error")


def test_reissue_supersedes_and_the_old_code_points_to_the_new(
    issued, carol, api_as, django_capture_on_commit_callbacks
):
    old = Certificate.objects.first()
    with django_capture_on_commit_callbacks(execute=False):
        response = api_as(carol).post(
            f"/api/v1/certificates/{old.pk}/reissue/", {"reason": "Name corrected"}, format="json"
        )
    assert response.status_code == 202
    render_all()
    new_code = response.json()["verification_code"]
    public = api_as().get(f"/api/v1/verify/{old.verification_code}/").json()
    assert public["status"] == "superseded"
    assert public["superseded_by"]["verification_code"] == new_code


def test_the_public_verification_json_can_be_checked_offline(issued, anon_api):
    certificate = Certificate.objects.first()
    response = anon_api.get(f"/api/v1/verify/{certificate.verification_code}/")

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "valid"
    assert "email" not in str(data)
    keys = {data["signature"]["key_id"]: data["signature"]["public_key"]}
    assert signing.verify(
        data["snapshot"], data["signature"]["key_id"], data["signature"]["value"], keys
    )


def test_verification_answers_mistyped_and_unknown_codes(issued, anon_api):
    code = Certificate.objects.first().verification_code.replace("-", "")
    mistyped = ("7" if code[0] != "7" else "8") + code[1:]
    assert anon_api.get(f"/api/v1/verify/{mistyped}/").status_code == 400
    assert anon_api.get("/api/v1/verify/0000-0000-0000-0000-0/").status_code == 404
