"""Recognise an uploaded manual by its content, and clean the name it is shown under.

The kind of a file is read from its bytes (magic numbers, then the ZIP directory for office
formats), never from the client's content type or the file name's extension: a script renamed
``.pdf`` is refused, and a DOCX called ``.pdf`` is shown as ``.docx``.

This module must not write to storage, know about HTTP, or let the user's file name reach a
storage path (``models.manual_upload_to`` generates that).
"""

import io
import logging
import zipfile
from typing import BinaryIO

from django.utils.translation import gettext as _

from .errors import DomainError

logger = logging.getLogger(__name__)

# The kinds a manual may be, with the content type it is served under.
CONTENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "zip": "application/zip",
}

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
HEAD_SIZE = 8

# The entry that marks each Office Open XML kind inside its ZIP container.
OOXML_MARKERS: tuple[tuple[str, str], ...] = (
    ("word/document.xml", "docx"),
    ("ppt/presentation.xml", "pptx"),
    ("xl/workbook.xml", "xlsx"),
)
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

# Display names stay well inside Manual.original_name (255) and what browsers show.
MAX_DISPLAY_NAME = 150


def refused() -> DomainError:
    return DomainError(
        _(
            "This file is not a PDF, DOCX, PPTX, XLSX, ODT or ZIP "
            "(its content says otherwise, whatever its name)."
        ),
        field="file",
    )


def sniff(head: bytes, name: str, *, file: BinaryIO | None = None) -> str:
    """The kind of a file (a key of ``CONTENT_TYPES``) from its first bytes ``head``; a ZIP is
    told apart by its directory, read from ``file`` (or from ``head`` when it is the whole
    file). ``name`` is only logged. Raises ``DomainError`` for anything else."""
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(file if file is not None else io.BytesIO(head), name)
    logger.warning("manual upload %r refused: content starts with %r", name, head[:HEAD_SIZE])
    raise refused()


def _zip_kind(file: BinaryIO, name: str) -> str:
    position = file.tell()
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            for marker, kind in OOXML_MARKERS:
                if marker in names:
                    return kind
            if "mimetype" in names:
                # Read a bounded prefix: the entry's declared size is not to be trusted.
                with archive.open("mimetype") as entry:
                    if entry.read(len(ODT_MIMETYPE) + 1).strip() == ODT_MIMETYPE:
                        return "odt"
            return "zip"
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        logger.warning("manual upload %r refused: broken ZIP (%s)", name, exc)
        raise refused() from exc
    finally:
        file.seek(position)


def sniff_upload(file: BinaryIO, name: str) -> str:
    """``sniff`` on an uploaded file, leaving its position at the start."""
    file.seek(0)
    head = file.read(HEAD_SIZE)
    file.seek(0)
    return sniff(head, name, file=file)


def display_name(name: str | None, kind: str) -> str:
    """The user's file name made safe to show and to offer as download name: the last path
    part (``/`` or ``\\``), no control or invisible formatting characters (which would let a
    right-to-left override disguise ``exe.pdf``), no leading dots, a capped length, and the
    extension of the sniffed ``kind``. Empty → ``manual.<kind>``."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".").strip()
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    if ext.lower() != kind:
        ext = kind
    stem = stem.strip()[: MAX_DISPLAY_NAME - len(ext) - 1].rstrip()
    return f"{stem or 'manual'}.{ext}"
