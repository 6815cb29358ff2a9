"""The same upload and download code against S3-compatible storage: moto's S3 server (a real
HTTP server on a free port, not a mock of our code) behind django-storages.

Uploads land under generated names; downloads answer 302 to a short-lived signed URL that
really serves the bytes as an attachment, and are still logged. moto does not enforce the
expiry of signed URLs, so the lifetime is checked in the URL's signed parameters.
"""

import datetime as dt
import io
import re
import urllib.error
import urllib.request
import uuid
import zipfile
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from core.downloads import signs_urls
from tests.factories import CourseFactory, ThematicModuleFactory
from tests.workers import free_port
from trainings import bundles
from trainings.models import Manual, ManualBundle, ManualDownload

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% a manual stored in the object store\n%%EOF\n"
LIFETIME = 120
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint):
    """A fresh private bucket, and STORAGES pointing django-storages at it for this test."""
    name = f"manuals-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **CREDENTIALS,
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "addressing_style": "path",
                "signature_version": "s3v4",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": LIFETIME,
                "file_overwrite": False,
            },
        },
    }
    assert isinstance(Manual._meta.get_field("file").storage, type(default_storage))
    assert signs_urls(default_storage)  # the override reached the lazy default storage
    return client, name


def keys(client, name) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=name).get("Contents", [])]


def fetch(url: str):
    """The body and the (case-insensitive) headers the object store answers with."""
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read(), answer.headers


def upload(api, module, name="../../etc/Legal migration.pdf", data=PDF):
    file = SimpleUploadedFile(name, data, "application/pdf")
    body = {"module": module.pk, "language": "en", "title": "Legal migration", "file": file}
    return api.post("/api/v1/manuals/", body, format="multipart")


def test_an_upload_is_stored_in_the_bucket_under_a_generated_name(bucket, api_as, carol):
    client, name = bucket
    response = upload(api_as(carol), ThematicModuleFactory())
    assert response.status_code == 201, response.content
    manual = Manual.objects.get()
    assert keys(client, name) == [manual.file.name]
    assert re.fullmatch(rf"manuals/{manual.module_id}/en/[0-9a-f]{{32}}", manual.file.name)
    assert manual.original_name == "Legal migration.pdf"  # the path is gone, only the name shows
    assert client.get_object(Bucket=name, Key=manual.file.name)["Body"].read() == PDF


def test_a_download_redirects_to_a_short_lived_signed_url_that_serves_the_file(
    bucket, api_as, carol, bob
):
    upload(api_as(carol), ThematicModuleFactory())
    manual = Manual.objects.get()
    before = dt.datetime.now(dt.UTC)

    response = api_as(bob).get(f"/api/v1/manuals/{manual.pk}/download/")

    assert response.status_code == 302
    url = response["Location"]
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == [str(LIFETIME)]
    signed_at = dt.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(
        tzinfo=dt.UTC
    )
    assert abs((signed_at - before).total_seconds()) < 60
    assert "X-Amz-Signature" in query
    assert response["Cache-Control"] == "private, no-store"

    data, headers = fetch(url)
    assert data == PDF
    assert headers["Content-Disposition"] == 'attachment; filename="Legal migration.pdf"'
    assert headers["Content-Type"] == "application/pdf"
    assert ManualDownload.objects.filter(manual=manual, user=bob).count() == 1


def test_the_bucket_itself_serves_nothing_without_a_signature(bucket, s3_endpoint, api_as, carol):
    _client, name = bucket
    upload(api_as(carol), ThematicModuleFactory())
    key = Manual.objects.get().file.name
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(f"{s3_endpoint}/{name}/{key}")
    assert refused.value.code == 403


def test_an_attachment_and_the_library_page_link_redirect_too(bucket, api_as, client, carol, bob):
    upload(api_as(carol), ThematicModuleFactory())
    manual = Manual.objects.get()
    file = SimpleUploadedFile("Role play.pdf", PDF, "application/pdf")
    body = {"manual": manual.pk, "kind": "exercise", "title": "Role play", "file": file}
    attachment = api_as(carol).post("/api/v1/manual-attachments/", body, format="multipart").json()

    answer = api_as(bob).get(attachment["download_url"])
    assert answer.status_code == 302
    assert (
        fetch(answer["Location"])[1]["Content-Disposition"]
        == 'attachment; filename="Role play.pdf"'
    )

    client.force_login(bob)
    page = client.get(f"/library/manuals/{manual.pk}/download/")
    assert page.status_code == 302 and fetch(page["Location"])[0] == PDF
    assert ManualDownload.objects.filter(user=bob).count() == 2


def test_a_course_zip_is_built_into_the_bucket_and_downloaded_through_a_signed_url(
    bucket, api_as, carol, bob, django_capture_on_commit_callbacks
):
    client, name = bucket
    module = ThematicModuleFactory(code="legal")
    course = CourseFactory(code="ERB")
    course.modules.set([module])
    upload(api_as(carol), module)
    with django_capture_on_commit_callbacks(execute=False):
        answer = api_as(bob).post(f"/api/v1/courses/{course.pk}/manual-bundle/", {}, format="json")
    bundles.bundle_build(bundle_id=answer.json()["id"])
    bundle = ManualBundle.objects.get()
    assert bundle.file.name in keys(client, name)

    response = api_as(bob).get(f"/api/v1/manual-bundles/{bundle.pk}/download/")
    assert response.status_code == 302
    data, headers = fetch(response["Location"])
    assert zipfile.ZipFile(io.BytesIO(data)).read("legal/en/Legal migration.pdf") == PDF
    assert headers["Content-Disposition"] == 'attachment; filename="manuals-ERB-all.zip"'
    assert ManualDownload.objects.filter(bundle=bundle).count() == 1


def test_signed_urls_are_chosen_by_what_the_storage_can_do(tmp_path, s3_endpoint):
    assert signs_urls(S3Storage(bucket_name="b", endpoint_url=s3_endpoint, **CREDENTIALS))
    assert not signs_urls(
        S3Storage(bucket_name="b", endpoint_url=s3_endpoint, querystring_auth=False, **CREDENTIALS)
    )
    assert not signs_urls(FileSystemStorage(location=tmp_path))
