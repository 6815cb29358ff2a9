"""Check an upload before it is stored: its size against ``MAX_UPLOAD_SIZE``, its kind from its
bytes (``core.uploads``), its cleaned display name and its SHA-256. The facts returned are the
fields of ``core.models.CheckedFile``.

Must not write to storage: the caller saves the file under a generated name.
"""

import hashlib
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from .errors import DomainError
from .uploads import CONTENT_TYPES, display_name, sniff_upload


def _digest(file: UploadedFile) -> str:
    sha = hashlib.sha256()
    for chunk in file.chunks():
        sha.update(chunk)
    file.seek(0)
    return sha.hexdigest()


def _check_upload_size(file: UploadedFile) -> None:
    limit = settings.MAX_UPLOAD_SIZE
    if file.size is None or file.size > limit:
        megabytes = f"{limit / 2**20:.1f}".removesuffix(".0")
        raise DomainError(
            _(
                "The file is larger than the limit of %(mb)s MB; uploads may be at most %(max)s bytes."
            )
            % {"mb": megabytes, "max": limit},
            field="file",
        )


def checked_file_facts(file: UploadedFile) -> dict[str, Any]:
    """Size, kind (from the bytes, never from the client's content type or file name), cleaned
    display name and SHA-256 of an upload; raises ``DomainError`` on ``file`` otherwise."""
    _check_upload_size(file)
    # An upload is a file-like proxy (``read``, ``seek``) over a binary file, not typed as one.
    kind = sniff_upload(cast(BinaryIO, file), file.name or "")
    return {
        "original_name": display_name(file.name, kind),
        "content_type": CONTENT_TYPES[kind],
        "size": file.size,
        "sha256": _digest(file),
    }
