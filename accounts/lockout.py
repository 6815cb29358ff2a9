"""Failed sign-ins, counted per account and per client address, and the lock they cause.

Every sign-in path authenticates through ``accounts.backends.LockoutBackend``: the login page,
``POST /api/v1/auth/token/`` and the admin's login. While an account (its user name, in any
case) has ``LOGIN_FAILURES_PER_ACCOUNT`` failures within ``LOGIN_FAILURE_WINDOW_MINUTES``, or a
client address has ``LOGIN_FAILURES_PER_ADDRESS``, every sign-in for it is refused without the
password being checked, a right one included. Unknown user names are counted exactly like known
ones, so the answer never tells whether an account exists. A successful sign-in clears only the
failures of that user name from that address: signing in to one's own account does not reset
the count of the address for the other accounts it tried.

Why the database, and not the cache: without ``REDIS_URL`` the cache is local memory, one per
process, so each gunicorn worker would count alone and the limit would multiply by the number of
workers. Django's database cache would be shared, but needs ``createcachetable``, and its
``incr()`` is a read then a write that loses concurrent increments. Rows of ``LoginFailure`` are
shared by every process of every install with no extra service, give exact counts over a sliding
window (no counter resetting at a bucket's edge), and cost a few indexed queries on the sign-in
path only; rows older than the window are pruned as new failures arrive.

An attempt writes its row *before* the password is checked and counts again: concurrent guesses
see each other, so parallel requests cannot slip more guesses past the limit than it allows.
"""

import datetime as dt
import ipaddress
import logging
import math
import unicodedata
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

from .models import LoginFailure

logger = logging.getLogger(__name__)

Scope = Literal["account", "address"]


# --- Who is signing in ----------------------------------------------------------------------


def client_address(request: HttpRequest | None) -> str:
    """The client's IP address: ``REMOTE_ADDR``, unless ``NUM_PROXIES`` (n > 0) trusted reverse
    proxies stand in front of the site; then the n-th address from the right of
    ``X-Forwarded-For``, the one the outermost trusted proxy saw. That is DRF's rule for its
    ``NUM_PROXIES`` (set from the same setting), so the ``token`` and ``verify`` throttles count
    the same client. With no proxies configured ``X-Forwarded-For`` is ignored: any client can
    write it. Empty when the address is missing or malformed."""
    if request is None:
        return ""
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies > 0 and forwarded:
        hops = forwarded.split(",")
        address = hops[-min(proxies, len(hops))].strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def address_key(address: str) -> str:
    """What an address is counted as: an IPv4 address itself, an IPv6 address by its /64
    network (one client usually holds a whole /64)."""
    if not address:
        return ""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def username_key(username: str) -> str:
    """The account a user name is counted as: NFKC-normalised and case-folded."""
    return unicodedata.normalize("NFKC", str(username)).casefold()[:150]


# --- The lock -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """Sign-ins refused for an account or an address until ``until``."""

    scope: Scope
    until: dt.datetime

    @property
    def seconds(self) -> int:
        """Seconds to wait (at least 1): the ``Retry-After`` of the API's 429."""
        return max(1, math.ceil((self.until - timezone.now()).total_seconds()))

    @property
    def minutes(self) -> int:
        return math.ceil(self.seconds / 60)

    @property
    def message(self) -> str:
        """What the login page and the API say, in the active language."""
        if self.scope == "account":
            text = ngettext(
                "Too many failed sign-ins for this account; try again in %(minutes)d minute.",
                "Too many failed sign-ins for this account; try again in %(minutes)d minutes.",
                self.minutes,
            )
        else:
            text = ngettext(
                "Too many failed sign-ins from your network; try again in %(minutes)d minute.",
                "Too many failed sign-ins from your network; try again in %(minutes)d minutes.",
                self.minutes,
            )
        return text % {"minutes": self.minutes}


def _window() -> dt.timedelta:
    """How long a failure counts (``LOGIN_FAILURE_WINDOW_MINUTES``), and so a lock lasts."""
    return dt.timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def _limits(username: str, address: str) -> list[tuple[Scope, dict[str, str], int]]:
    """Each count that applies: its scope, its rows, its limit (0 turns a limit off)."""
    limits: list[tuple[Scope, dict[str, str], int]] = []
    if settings.LOGIN_FAILURES_PER_ACCOUNT > 0:
        limits.append(("account", {"username": username}, settings.LOGIN_FAILURES_PER_ACCOUNT))
    if address and settings.LOGIN_FAILURES_PER_ADDRESS > 0:
        limits.append(("address", {"address": address}, settings.LOGIN_FAILURES_PER_ADDRESS))
    return limits


def _lock(username: str, address: str, *, in_flight: int = 0) -> Lock | None:
    """The lock on these keys if their failures in the window (beyond ``in_flight`` rows of
    attempts under way) reach a limit. It lifts when its oldest counted failure leaves the
    window: the limit-th most recent one."""
    window = _window()
    since = timezone.now() - window
    for scope, rows, limit in _limits(username, address):
        nth = limit - 1 + in_flight
        recent = LoginFailure.objects.filter(**rows, at__gte=since).order_by("-at", "-pk")
        at = next(iter(recent.values_list("at", flat=True)[nth : nth + 1]), None)
        if at is not None:
            return Lock(scope=scope, until=at + window)
    return None


def lock_find(*, username: str, address: str) -> Lock | None:
    """The lock on this user name or this client address, if either has one now."""
    return _lock(username_key(username), address_key(address))


# --- One attempt ----------------------------------------------------------------------------


def attempt_begin(*, username: str, address: str) -> LoginFailure | Lock:
    """Start a sign-in: the lock that refuses it, or the row that counts it until it ends
    (``attempt_fail`` keeps it, ``attempt_succeed`` deletes it)."""
    key, where = username_key(username), address_key(address)
    lock = _lock(key, where)
    if lock is None:
        attempt = LoginFailure.objects.create(username=key, address=where)
        # Concurrent attempts that were written first leave this one over the limit.
        lock = _lock(key, where, in_flight=1)
        if lock is None:
            return attempt
        attempt.delete()
    logger.warning(
        "Sign-in refused (%s locked for %d more minutes): username=%r address=%s",
        lock.scope,
        lock.minutes,
        username,
        address or "-",
    )
    return lock


def attempt_fail(attempt: LoginFailure, *, username: str, address: str) -> None:
    """The password was wrong (or the account unknown or inactive): the row stays, counted."""
    logger.warning("Failed sign-in: username=%r address=%s", username, address or "-")
    since = timezone.now() - _window()
    LoginFailure.objects.filter(at__lt=since).delete()
    for scope, rows, limit in _limits(attempt.username, attempt.address):
        if LoginFailure.objects.filter(**rows, at__gte=since).count() == limit:
            logger.warning(
                "Sign-in locked out for %d minutes after %d failures: %s %s",
                settings.LOGIN_FAILURE_WINDOW_MINUTES,
                limit,
                scope,
                repr(username) if scope == "account" else attempt.address,
            )


def attempt_succeed(attempt: LoginFailure) -> None:
    """The password was right: forget the failures of this user name from this address (and
    this attempt's row); those from elsewhere, and the address's other accounts, still count."""
    LoginFailure.objects.filter(username=attempt.username, address=attempt.address).delete()


def lock_clear(*, username: str = "", address: str = "") -> int:
    """Forget the failures of a user name and/or of an address: an administrator's unlock."""
    if not (username or address):
        return 0
    rows = LoginFailure.objects.all()
    if username:
        rows = rows.filter(username=username_key(username))
    if address:
        rows = rows.filter(address=address_key(address))
    deleted, _ = rows.delete()
    return deleted
