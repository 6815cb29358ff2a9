"""Abstract models every app's models build on. No concrete model lives here: ``core`` owns no
table, so moving code into it never needs a migration."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
