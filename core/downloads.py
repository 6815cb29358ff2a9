"""How a stored file reaches the person downloading it, whatever the storage.

Local disk (the default): the file is streamed by the view, which has checked the role.
Storage that signs URLs (django-storages' S3 backend with query-string auth): the view answers
with a redirect to a short-lived signed URL, so the bytes flow from the object store, not through
a web worker; the signed URL carries ``Content-Disposition: attachment`` with the display name.

Which of the two is decided by what the storage object can do, never by reading setting names:
the same code runs with ``FileSystemStorage``, ``S3Storage`` or a test's override of STORAGES.
This module does not check permissions; its callers do, and pass the logging as ``record``.
"""

import inspect
import logging
from collections.abc import Callable

from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)


class MissingFile(Exception):
    """The row exists but its file is gone from storage."""


def signs_urls(storage: Storage) -> bool:
    """True for storage that hands out expiring signed URLs for private objects: it has query
    string authentication switched on and its ``url()`` takes response ``parameters`` (as
    django-storages' S3 backend does). A public-bucket S3 setup (``querystring_auth=False``)
    is streamed instead: its plain URLs would be permanent and public."""
    if not getattr(storage, "querystring_auth", False):
        return False
    try:
        accepted = inspect.signature(storage.url).parameters
    except (TypeError, ValueError):
        return False
    return "parameters" in accepted and "expire" in accepted


def signed_url(file: FieldFile, *, filename: str, content_type: str) -> str:
    """A short-lived URL (``querystring_expire`` of the storage) that serves ``file`` as an
    attachment named ``filename``."""
    return file.storage.url(  # type: ignore[call-arg]  # S3Storage.url takes both (signs_urls)
        file.name,
        parameters={
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type or "application/octet-stream",
        },
        expire=getattr(file.storage, "querystring_expire", None),
    )


def serve(file: FieldFile, *, filename: str, content_type: str, record: Callable[[], object]):
    """The response of a download view: a redirect to a signed URL, or the streamed file.

    ``record`` (which logs the download) runs once the file is known to be there, so a missing
    file is never logged as downloaded; ``MissingFile`` is raised instead."""
    if not file or not file.name:
        raise MissingFile
    if signs_urls(file.storage):
        if not file.storage.exists(file.name):
            raise MissingFile
        record()
        response = HttpResponseRedirect(
            signed_url(file, filename=filename, content_type=content_type)
        )
        response["Cache-Control"] = "private, no-store"  # the URL is a short-lived credential
        return response
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise MissingFile from exc
    try:
        record()
    except BaseException:
        handle.close()
        raise
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
