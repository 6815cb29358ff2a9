"""Issued completion certificates and the batches that issue them.

A certificate is frozen when issued: ``snapshot`` holds everything printed on it, so later edits
to names or courses never change an issued document; a correction is a re-issue.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from participants.models import Enrolment
from trainings.models import Course, TimeStamped


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CertificateBatch(TimeStamped):
    """One bulk issuance for a course: its progress and, when done, the ZIP and merged PDF."""

    course = models.ForeignKey(
        Course,
        on_delete=models.PROTECT,
        related_name="certificate_batches",
        verbose_name=_("course"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=BatchStatus, default=BatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    zip_file = models.FileField(_("ZIP of all PDFs"), blank=True, max_length=255)
    merged_pdf = models.FileField(_("merged PDF"), blank=True, max_length=255)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")

    def __str__(self) -> str:
        return f"{self.course} #{self.pk} ({self.status})"


class CertificateStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


class Certificate(TimeStamped):
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("enrolment"),
    )
    batch = models.ForeignKey(
        CertificateBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
        verbose_name=_("batch"),
    )
    serial = models.CharField(_("serial number"), max_length=40, unique=True)
    verification_code = models.CharField(_("verification code"), max_length=40, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CertificateStatus, default=CertificateStatus.PENDING
    )
    language = models.CharField(_("language"), max_length=8, default="en")
    snapshot = models.JSONField(_("printed content"), default=dict, blank=True)
    pdf = models.FileField(_("PDF"), blank=True, max_length=255)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    superseded_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            # At most one live (pending or valid) certificate per enrolment: a duplicated task
            # or a second batch can never issue a second one.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status__in=["pending", "valid"]),
                name="certificate_one_live_per_enrolment",
            )
        ]

    def __str__(self) -> str:
        return self.serial
