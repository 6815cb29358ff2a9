"""Failed sign-ins lock an account, or a client address, on the login page and on the API token
endpoint alike; the count lives in the database, so every process shares it.

Defaults: 5 failures per account and 20 per address within 15 minutes.
"""

import datetime as dt
import io
import logging

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.lockout import client_address
from accounts.models import LoginFailure
from tests.api_fixtures import fresh_throttles  # noqa: F401  (fixture)

PASSWORD = "correct horse battery staple"
WRONG = "wrong"
TOKEN_URL = "/api/v1/auth/token/"
ACCOUNT_LOCKED = "Too many failed sign-ins for this account; try again in 15 minutes."
NETWORK_LOCKED = "Too many failed sign-ins from your network; try again in 15 minutes."


def page_sign_in(client: Client, username: str, password: str = WRONG, **headers):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def api_sign_in(api: APIClient, username: str, password: str = WRONG, **headers):
    return api.post(TOKEN_URL, {"username": username, "password": password}, **headers)


def page_error(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


# --- The account ----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["alice", "nobody"], ids=["known", "unknown"])
def test_repeated_wrong_passwords_lock_the_account_on_the_page(client, alice, username):
    for _ in range(4):
        assert "Please enter a correct username" in page_error(page_sign_in(client, username))

    fifth = page_sign_in(client, username)
    sixth = page_sign_in(client, username, PASSWORD)

    assert fifth.status_code == sixth.status_code == 200
    assert page_error(fifth) == page_error(sixth) == ACCOUNT_LOCKED
    assert ACCOUNT_LOCKED in sixth.content.decode()
    assert "_auth_user_id" not in client.session  # the right password did not sign alice in


@pytest.mark.parametrize("username", ["alice", "nobody"], ids=["known", "unknown"])
def test_repeated_wrong_passwords_lock_the_account_on_the_api(anon_api, alice, username):
    for _ in range(4):
        assert api_sign_in(anon_api, username).status_code == 400

    fifth = api_sign_in(anon_api, username)
    sixth = api_sign_in(anon_api, username, PASSWORD)

    assert fifth.status_code == sixth.status_code == 429
    assert fifth.json() == sixth.json() == {"detail": ACCOUNT_LOCKED}
    assert 840 < int(sixth["Retry-After"]) <= 900


def test_a_known_and_an_unknown_account_get_the_same_answers(alice):
    answers = {}
    for username in ("alice", "nobody"):
        api = APIClient()
        answers[username] = [
            (r.status_code, r.json()) for r in (api_sign_in(api, username) for _ in range(6))
        ]

    assert answers["alice"] == answers["nobody"]
    assert [status for status, _body in answers["nobody"]] == [400] * 4 + [429] * 2


def test_the_lock_is_shared_by_the_page_and_the_api(client, anon_api, alice):
    for _ in range(3):
        page_sign_in(client, "alice")
    for _ in range(2):
        api_sign_in(anon_api, "alice")

    assert page_error(page_sign_in(client, "alice", PASSWORD)) == ACCOUNT_LOCKED
    assert api_sign_in(anon_api, "alice", PASSWORD).status_code == 429


def test_the_account_is_counted_whatever_the_case_of_its_user_name(client, anon_api, alice):
    for username in ("Alice", "ALICE", "alice", "aLiCe", "ALICE"):
        page_sign_in(client, username)

    assert api_sign_in(anon_api, "alice", PASSWORD).status_code == 429


def test_the_lock_lifts_once_the_failures_are_older_than_the_window(client, alice):
    for _ in range(5):
        page_sign_in(client, "alice")

    LoginFailure.objects.update(at=F("at") - dt.timedelta(minutes=15, seconds=1))

    assert page_sign_in(client, "alice", PASSWORD).status_code == 302


def test_signing_in_clears_the_account_failures_from_that_address(client, alice):
    for _ in range(4):
        page_sign_in(client, "alice")
    assert page_sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()

    for _ in range(4):
        assert page_error(page_sign_in(client, "alice")) != ACCOUNT_LOCKED
    assert page_error(page_sign_in(client, "alice")) == ACCOUNT_LOCKED


def test_the_limits_and_the_window_are_settings(settings, anon_api, alice):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 60

    api_sign_in(anon_api, "alice")
    response = api_sign_in(anon_api, "alice")

    assert response.status_code == 429
    assert response.json()["detail"].endswith("try again in 60 minutes.")


def test_the_lock_message_is_translated(client, alice):
    client.cookies["django_language"] = "ru"
    for _ in range(5):
        response = page_sign_in(client, "alice")

    assert "Слишком много неудачных попыток входа" in page_error(response)
    assert "15 минут." in page_error(response)


# --- The count is in the database -----------------------------------------------------------


def test_the_count_survives_a_cleared_cache_and_another_cache_backend(settings, client, alice):
    for _ in range(5):
        page_sign_in(client, "alice")
    assert LoginFailure.objects.filter(username="alice").count() == 5

    cache.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "another-process",
        }
    }

    assert page_error(page_sign_in(Client(), "alice", PASSWORD)) == ACCOUNT_LOCKED


# --- The client address ---------------------------------------------------------------------


def test_failures_from_one_address_lock_it_for_every_account(settings, client, alice):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for username in ("bob", "carol", "mallory"):
        page_sign_in(client, username)

    assert page_error(page_sign_in(client, "alice", PASSWORD)) == NETWORK_LOCKED
    assert page_sign_in(Client(REMOTE_ADDR="10.0.0.9"), "alice", PASSWORD).status_code == 302


def test_x_forwarded_for_does_not_change_the_counted_address_by_default(settings, anon_api, db):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for n in range(3):
        api_sign_in(anon_api, f"user{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = api_sign_in(anon_api, "user9", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert response.status_code == 429
    assert response.json() == {"detail": NETWORK_LOCKED}
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {"127.0.0.1"}


def test_x_forwarded_for_does_not_escape_the_token_rate_limit(monkeypatch, anon_api, alice):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    for n in range(3):
        forged = {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}
        assert api_sign_in(anon_api, "alice", PASSWORD, **forged).status_code == 200

    response = api_sign_in(anon_api, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert response.status_code == 429


def test_x_forwarded_for_counts_behind_the_configured_proxies(settings, rf):
    settings.NUM_PROXIES = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")

    assert client_address(request) == "203.0.113.5"  # what our one proxy saw, not the claim


def test_an_ipv6_client_is_counted_by_its_64_network(settings, db):
    settings.LOGIN_FAILURES_PER_ADDRESS = 2
    for host in ("2001:db8:1:2::10", "2001:db8:1:2:aaaa::99"):
        page_sign_in(Client(REMOTE_ADDR=host), "nobody")

    locked = page_sign_in(Client(REMOTE_ADDR="2001:db8:1:2::77"), "someone")
    elsewhere = page_sign_in(Client(REMOTE_ADDR="2001:db8:1:3::10"), "someone")

    assert page_error(locked) == NETWORK_LOCKED
    assert page_error(elsewhere) != NETWORK_LOCKED


def test_the_api_throttles_count_the_same_address_as_the_lock(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    drf_request = APIView().initialize_request(request)

    assert api_settings.NUM_PROXIES == 0
    assert ScopedRateThrottle().get_ident(drf_request) == client_address(request) == "10.0.0.1"


def test_signing_in_does_not_reset_the_address_count_for_other_accounts(settings, client, alice):
    settings.LOGIN_FAILURES_PER_ADDRESS = 4
    for username in ("bob", "carol", "dave"):
        page_sign_in(client, username)

    assert page_sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    page_sign_in(client, "erin")

    assert page_error(page_sign_in(client, "frank")) == NETWORK_LOCKED


# --- The log --------------------------------------------------------------------------------


def test_failures_and_lock_outs_are_logged_without_the_password(caplog, client, alice):
    with caplog.at_level(logging.WARNING, logger="accounts.lockout"):
        for n in range(6):
            page_sign_in(client, "alice", password=f"guess-{n}")

    text = caplog.text
    assert text.count("Failed sign-in: username='alice' address=127.0.0.1") == 5
    assert text.count("Sign-in locked out for 15 minutes after 5 failures: account 'alice'") == 1
    assert "Sign-in refused (account locked" in text
    assert "guess-" not in text


# --- Unlocking ------------------------------------------------------------------------------


def test_an_administrator_can_lift_a_lock_at_once(client, alice):
    for _ in range(5):
        page_sign_in(client, "alice")

    call_command("unlock_sign_in", "--username", "ALICE", stdout=io.StringIO())

    assert page_sign_in(client, "alice", PASSWORD).status_code == 302
