"""API tokens expire, die with their user's password or activity, and can be revoked by their
holder with ``DELETE /api/v1/auth/token/``."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.api_fixtures import fresh_throttles  # noqa: F401  (fixture)

PASSWORD = "correct horse battery staple"
TOKEN_URL = "/api/v1/auth/token/"
COURSES_URL = "/api/v1/courses/"


def age(token_holder, **delta) -> None:
    Token.objects.filter(user=token_holder).update(created=timezone.now() - dt.timedelta(**delta))


# --- Lifetime -------------------------------------------------------------------------------


def test_a_token_older_than_its_lifetime_is_refused(api_as, alice):
    api = api_as(alice)
    assert api.get(COURSES_URL).status_code == 200

    age(alice, days=14, seconds=1)
    response = api.get(COURSES_URL)

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Token")


def test_the_lifetime_is_a_setting(settings, api_as, alice):
    settings.TOKEN_TTL_HOURS = 1
    api = api_as(alice)

    age(alice, minutes=59)
    assert api.get(COURSES_URL).status_code == 200
    age(alice, minutes=61)
    assert api.get(COURSES_URL).status_code == 401


def test_signing_in_again_replaces_an_expired_token(api_as, anon_api, alice):
    api_as(alice)
    old = Token.objects.get(user=alice).key
    age(alice, days=15)

    response = anon_api.post(TOKEN_URL, {"username": "alice", "password": PASSWORD})

    new = response.json()["token"]
    assert response.status_code == 200 and new != old
    anon_api.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert anon_api.get(COURSES_URL).status_code == 200


# --- Password and deactivation --------------------------------------------------------------


def test_changing_the_password_deletes_the_token(api_as, alice):
    api = api_as(alice)

    alice.set_password("a new and different passphrase")
    alice.save()

    assert not Token.objects.filter(user=alice).exists()
    assert api.get(COURSES_URL).status_code == 401


def test_changing_a_password_in_the_admin_deletes_the_token(client, api_as, root, alice):
    api = api_as(alice)
    client.force_login(root)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {
            "usable_password": "true",
            "password1": "a new and different passphrase",
            "password2": "a new and different passphrase",
        },
    )

    assert response.status_code == 302
    assert api.get(COURSES_URL).status_code == 401


def test_deactivating_a_user_deletes_the_token(api_as, alice):
    api = api_as(alice)

    alice.is_active = False
    alice.save(update_fields=["is_active"])

    assert not Token.objects.filter(user=alice).exists()
    assert api.get(COURSES_URL).status_code == 401


def test_other_changes_to_a_user_keep_the_token(api_as, alice):
    api = api_as(alice)

    alice.first_name = "Alice"
    alice.save()
    alice.last_login = timezone.now()
    alice.save(update_fields=["last_login"])

    assert api.get(COURSES_URL).status_code == 200


def test_a_stronger_hash_of_the_same_password_on_sign_in_keeps_the_token(settings, api_as, alice):
    """Django re-hashes a right password when the preferred hasher changes: not a new password."""
    api = api_as(alice)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    assert get_user_model().objects.get(pk=alice.pk).check_password(PASSWORD)

    rehashed = get_user_model().objects.get(pk=alice.pk).password
    assert rehashed.startswith("pbkdf2_") and check_password(PASSWORD, rehashed)
    assert api.get(COURSES_URL).status_code == 200


def test_a_password_hash_written_directly_deletes_the_token(api_as, alice):
    api = api_as(alice)

    alice.password = make_password("a new and different passphrase")
    alice.save()

    assert api.get(COURSES_URL).status_code == 401


def test_disabling_the_password_deletes_the_token(api_as, alice):
    api = api_as(alice)

    alice.set_unusable_password()
    alice.save(update_fields=["password"])

    assert api.get(COURSES_URL).status_code == 401


# --- Revoking -------------------------------------------------------------------------------


def test_delete_revokes_the_token_it_is_sent_with(api_as, alice, bob):
    api = api_as(alice)
    api_as(bob)

    response = api.delete(TOKEN_URL)

    assert response.status_code == 204
    assert not Token.objects.filter(user=alice).exists()
    assert Token.objects.filter(user=bob).exists()
    assert api.get(COURSES_URL).status_code == 401


def test_delete_without_a_valid_token_is_refused(anon_api, api_as, alice):
    assert anon_api.delete(TOKEN_URL).status_code == 401
    api = api_as(alice)
    age(alice, days=15)
    assert api.delete(TOKEN_URL).status_code == 401


def test_delete_ignores_a_session(client, alice):
    client.force_login(alice)
    Token.objects.create(user=alice)

    assert client.delete(TOKEN_URL).status_code == 401
    assert Token.objects.filter(user=alice).exists()


def test_the_schema_documents_revoking_and_the_lock(client, db):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    token = paths[TOKEN_URL]

    assert set(token["delete"]["responses"]) == {"204", "401", "429"}
    assert {"200", "400", "429"} <= set(token["post"]["responses"])
    assert token["post"].get("security") in (None, [])
