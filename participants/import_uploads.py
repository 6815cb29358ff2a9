"""Keeping an uploaded nomination list between the preview and the confirmation.

The file is stored once, through Django's storage API, under ``imports/<random hex>``; the
browser only ever holds a random token that names an entry in *its own session*, which records
the stored name, the user and the time. So a user can confirm only a file they uploaded
themselves in this session, and no request can name a path. Files are deleted after the
import, and any left behind (an abandoned preview) after ``MAX_AGE``.
"""

import datetime as dt
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from . import imports

SESSION_KEY = "participant_imports"
FOLDER = "imports"
MAX_AGE = dt.timedelta(days=1)
MAX_PER_SESSION = 5


def _entries(request: HttpRequest) -> dict:
    return request.session.get(SESSION_KEY, {})


def _expired(entry: dict, now: dt.datetime) -> bool:
    return now - dt.datetime.fromisoformat(entry["at"]) > MAX_AGE


def _sweep_abandoned(now: dt.datetime) -> None:
    """Delete uploads older than ``MAX_AGE`` whoever left them (sessions end without notice)."""
    try:
        _folders, names = default_storage.listdir(FOLDER)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in names:
        path = f"{FOLDER}/{name}"
        try:
            if now - default_storage.get_modified_time(path) > MAX_AGE:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def stash(request: HttpRequest, upload) -> str:
    """Store an uploaded file for this user and session; returns the token naming it."""
    if (getattr(upload, "size", 0) or 0) > imports.MAX_BYTES:
        raise DomainError(_("The file is larger than 5 MB; split it into smaller files."))
    data = upload.read(imports.MAX_BYTES + 1)
    if len(data) > imports.MAX_BYTES:
        raise DomainError(_("The file is larger than 5 MB; split it into smaller files."))
    now = timezone.now()
    _sweep_abandoned(now)
    entries = {t: e for t, e in _entries(request).items() if not _expired(e, now)}
    for token in sorted(entries, key=lambda t: entries[t]["at"])[: -MAX_PER_SESSION + 1]:
        default_storage.delete(entries.pop(token)["name"])
    token = uuid.uuid4().hex
    name = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}", ContentFile(data))
    entries[token] = {
        "name": name,
        "filename": (upload.name or "")[:200],
        "user": request.user.pk,
        "at": now.isoformat(),
    }
    request.session[SESSION_KEY] = entries
    return token


def entry(request: HttpRequest, token: str) -> dict:
    """The stored upload ``token`` names, if it is this user's and still fresh."""
    found = _entries(request).get(str(token))
    if (
        not found
        or found["user"] != request.user.pk
        or _expired(found, timezone.now())
        or not default_storage.exists(found["name"])
    ):
        raise DomainError(_("This upload has expired or is unknown: upload the file again."))
    return found


def read(request: HttpRequest, token: str) -> bytes:
    with default_storage.open(entry(request, token)["name"], "rb") as stored:
        return stored.read()


def discard(request: HttpRequest, token: str) -> None:
    entries = _entries(request)
    found = entries.pop(str(token), None)
    if found:
        default_storage.delete(found["name"])
        request.session[SESSION_KEY] = entries
