"""Where the signing key comes from: the setting, or in development a key generated once into
the data folder; production refuses to sign without the setting; what an earlier version signed
with the key derived from SECRET_KEY still verifies."""

import base64
import hashlib
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certificates import codes, services, signing
from core.errors import DomainError
from tests.factories import CertificateFactory, CourseFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_key(settings, tmp_path):
    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.CERTIFICATE_KEY_FILE = tmp_path / "keys" / "certificate-signing.key"
    signing.private_key.cache_clear()
    yield
    signing.private_key.cache_clear()


def test_a_development_install_generates_its_key_once_readable_by_its_owner_only(settings):
    settings.DEBUG = True
    first = signing.key_id(signing.private_key().public_key())
    signing.private_key.cache_clear()  # another process
    assert signing.key_id(signing.private_key().public_key()) == first
    mode = stat.S_IMODE(settings.CERTIFICATE_KEY_FILE.stat().st_mode)
    assert mode == 0o600


def test_the_key_is_not_derived_from_the_secret_key_any_more(settings):
    settings.DEBUG = True
    derived = hashlib.sha256(b"certificate-signing:" + settings.SECRET_KEY.encode()).digest()
    legacy = Ed25519PrivateKey.from_private_bytes(derived).public_key()
    assert signing.key_id(signing.private_key().public_key()) != signing.key_id(legacy)


def test_production_refuses_to_issue_without_a_signing_key(settings, carol):
    settings.DEBUG = False
    course = CourseFactory()
    EnrolmentFactory(course=course, status="completed")
    with pytest.raises(DomainError, match="set CERTIFICATE_SIGNING_KEY"):
        services.batch_create(course=course, by=carol)
    assert not course.certificate_batches.exists()


def test_what_the_derived_key_signed_before_still_verifies(settings):
    settings.DEBUG = True
    derived = hashlib.sha256(b"certificate-signing:" + settings.SECRET_KEY.encode()).digest()
    old_key = Ed25519PrivateKey.from_private_bytes(derived)
    snapshot = {"serial": "SRP-2016-ERB-0001", "holder": {"name": "Layla"}}
    kid = signing.key_id(old_key.public_key())
    signature = base64.b64encode(old_key.sign(signing.canonical_bytes(snapshot))).decode()
    assert signing.verify(snapshot, kid, signature)


def test_the_verify_page_shows_the_signing_key(client):
    certificate = CertificateFactory(
        status="valid", key_id="0123456789abcdef", verification_code=codes.new_code()
    )
    content = client.get(f"/verify/{certificate.verification_code}/").content.decode()
    assert "0123456789abcdef" in content
