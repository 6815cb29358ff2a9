"""Abstract models every app's models build on. No concrete model lives here: ``core`` owns no
table, so moving code into it never needs a migration."""

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import without_bidi_controls

# The largest id a bigint primary key holds: an id sent in a request body above it must be a
# 400, not a database overflow (SQLite raises OverflowError, PostgreSQL NumericValueOutOfRange).
MAX_ID = 2**63 - 1


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CheckedFile(models.Model):
    """What an upload was found to be when it was checked (``core.checked_files``): the user's
    file name, cleaned, kept only for display; the content type read from its bytes; its size
    and SHA-256. The file itself lives under a generated name."""

    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)

    class Meta:
        abstract = True


class PrintedText(models.Model):
    """Names and titles that pages and certificates print: ``printed_fields`` lose their
    bidirectional controls (``core.text``) on every validated write — the API and services
    (``full_clean`` in ``core.records``), model forms on pages and in the admin — before the
    fields' own checks run, so a pasted U+202E cannot make a certificate print a reversed
    string. No field, no table: adding it to a model needs no migration."""

    printed_fields: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        for name in self.printed_fields:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, without_bidi_controls(value))
        super().clean_fields(exclude)
