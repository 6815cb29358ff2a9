"""Shared fixtures: the named actors of every permission test, one per role.

alice is on the project team, bob is a trainer, carol is a coordinator, dave has no role,
root is a superuser. ``api_as(actor)`` gives an APIClient authenticated with a real token.
"""

import pytest
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.roles import COORDINATOR, PROJECT_TEAM, TRAINER
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _language_reset():
    """A page request in Russian or Arabic leaves that language active in the thread (the locale
    middleware activates it and nothing deactivates it): put the default back after each test,
    so messages in later tests are not translated by accident."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for production; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", roles=[PROJECT_TEAM])


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", roles=[TRAINER])


@pytest.fixture
def carol(db):
    return UserFactory(username="carol", roles=[COORDINATOR])


@pytest.fixture
def dave(db):
    return UserFactory(username="dave")


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def actors(alice, bob, carol, dave, root):
    return {
        "project_team": alice,
        "trainer": bob,
        "coordinator": carol,
        "norole": dave,
        "admin": root,
    }


@pytest.fixture
def api_as():
    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def anon_api():
    return APIClient()


@pytest.fixture(autouse=True)
def _signing_key(settings):
    """Tests run with DEBUG off, where signing needs CERTIFICATE_SIGNING_KEY: a fixed test key
    (the base64 of 32 bytes), so every test signs and verifies with the same one."""
    from certificates import signing

    settings.CERTIFICATE_SIGNING_KEY = "dGVzdC1zaWduaW5nLWtleS1mb3ItdGhlLXN1aXRlISE="
    signing.private_key.cache_clear()
    yield
    signing.private_key.cache_clear()
