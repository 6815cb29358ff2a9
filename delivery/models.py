"""A course file built off the request: one roster, attendance sheet or sign-in sheet too large
to build while a person waits (``delivery.services.large_exports``).

The app's other data lives in ``participants`` (docs/decisions.md §19); this row is the job's
own state: who asked, what for, its lease and its stored file, which expires.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStamped
from trainings.models import Course


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def export_upload_to(instance: "CourseExport", filename: str) -> str:
    return f"exports/{instance.course_id}/{instance.pk}-{filename}"


class CourseExport(TimeStamped):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="exports", verbose_name=_("course")
    )
    export = models.CharField(_("file"), max_length=20)
    fmt = models.CharField(_("format"), max_length=4, blank=True)
    day = models.DateField(_("day"), null=True, blank=True)
    # The requester's language when asking: the worker builds the file in it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,  # a person's own file: it goes with their account
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ExportStatus, default=ExportStatus.QUEUED
    )
    file = models.FileField(_("file"), upload_to=export_upload_to, blank=True, max_length=255)
    filename = models.CharField(_("file name"), max_length=120, blank=True)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Set by the worker building the file, so two workers never build it at once; a worker
    # that dies leaves a lease that runs out, and a re-delivered message builds it again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("course file export")
        verbose_name_plural = _("course file exports")

    def __str__(self) -> str:
        return f"{self.course} {self.export} #{self.pk} ({self.status})"
