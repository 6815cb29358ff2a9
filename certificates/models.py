"""Issued completion certificates and the batches that issue them.

A certificate is frozen when issued: ``snapshot`` holds everything printed on it, so later edits
to names or courses never change an issued document; a correction is a re-issue.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import PrintedText, TimeStamped
from participants.models import Enrolment
from trainings.models import Course, Programme

from .labels import LANGUAGE_CHOICES


class CertificateDesign(TimeStamped):
    """A certificate layout: a Django template and its CSS, rendered by WeasyPrint in a sandbox.

    ``version`` goes up whenever the HTML or CSS changes, and every certificate records the
    version it was printed with.
    """

    name = models.CharField(_("name"), max_length=120)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificate_designs",
        help_text=_("Empty: available to every programme."),
    )
    html = models.TextField(_("HTML template"))
    css = models.TextField(_("CSS"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default for its programme"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("certificate design")
        verbose_name_plural = _("certificate designs")

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


def signature_upload_to(instance: "Signatory", filename: str) -> str:
    import uuid

    return f"signatures/{uuid.uuid4().hex}"


class Signatory(PrintedText, TimeStamped):
    """A person who signs a programme's certificates (at most three are printed)."""

    printed_fields = ("name", "title")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=200)
    signature = models.FileField(
        _("signature image"), upload_to=signature_upload_to, blank=True, max_length=255
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    courses = models.ManyToManyField(
        Course,
        blank=True,
        related_name="signatories",
        verbose_name=_("only for courses"),
        help_text=_("Empty: signs every course of the programme."),
    )

    class Meta:
        ordering = ["programme", "order", "name"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self) -> str:
        return f"{self.name}, {self.title}"


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
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=LANGUAGE_CHOICES,
        blank=True,
        help_text=_("Empty: each trainee's own choice, else the course's languages."),
    )
    design = models.ForeignKey(
        CertificateDesign, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    send_email = models.BooleanField(_("e-mail each trainee"), default=False)
    zip_file = models.FileField(_("ZIP of all PDFs"), blank=True, max_length=255)
    merged_pdf = models.FileField(_("merged PDF"), blank=True, max_length=255)
    error = models.TextField(_("error"), blank=True)
    # Set by the worker that builds the ZIP and merged PDF, so two never do it at once.
    finalizing_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")

    def __str__(self) -> str:
        return f"{self.course} #{self.pk} ({self.status})"


class CertificateStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    FAILED = "failed", _("Failed")
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")


# "Live": the certificate stands for its enrolment (issued, or on its way: pending, or failed and
# awaiting a retry). At most one per enrolment, by the constraint below, built from this list.
LIVE_STATUSES = [
    CertificateStatus.PENDING.value,
    CertificateStatus.FAILED.value,
    CertificateStatus.VALID.value,
]
# "Finished": rendered and stored, whatever happened to it since.
FINISHED_STATUSES = [
    CertificateStatus.VALID.value,
    CertificateStatus.REVOKED.value,
    CertificateStatus.SUPERSEDED.value,
]


class CertificateQuerySet(models.QuerySet):
    def live(self) -> "CertificateQuerySet":
        return self.filter(status__in=LIVE_STATUSES)

    def finished(self) -> "CertificateQuerySet":
        return self.filter(status__in=FINISHED_STATUSES)


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
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en")
    design = models.ForeignKey(
        CertificateDesign, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    snapshot = models.JSONField(_("printed content"), default=dict, blank=True)
    # The trainee record the certificate was issued to. A merge may move the enrolment (and so
    # the certificate) to another record; re-issuing then needs a coordinator's decision that
    # the holder changed (``selectors.holder_change``). A plain id, not a foreign key: the
    # merged record is deleted, and the id must outlive it. Empty for certificates issued
    # before it was kept; their printed name is compared instead.
    holder_record = models.PositiveIntegerField(
        _("issued to trainee record"), null=True, blank=True
    )
    key_id = models.CharField(_("signing key id"), max_length=32, blank=True)
    signature = models.CharField(_("Ed25519 signature"), max_length=128, blank=True)
    # A worker leases a pending certificate while it renders it; an expired lease means the
    # worker died and anyone may take it over.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
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

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["batch", "status"], name="certificate_batch_status")]
        constraints = [
            # At most one live (pending, failed-awaiting-retry or valid) certificate per
            # enrolment: a duplicated task or a second batch can never issue a second one.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status__in=LIVE_STATUSES),
                name="certificate_one_live_per_enrolment",
            )
        ]

    def __str__(self) -> str:
        return self.serial
