"""The audit log: who did what to whom, for the actions a data-protection officer asks about
(personal data exported or erased, two trainee records merged, a completion decision overridden).

Rows are only ever added. They name the object by type and id plus a human summary written at
the time, so an entry still reads correctly after the object is anonymised or deleted.

Failed sign-ins are kept here too, for a window of minutes, to lock out guessing
(``accounts.lockout``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    DATA_EXPORTED = "data_exported", _("Personal data exported")
    DATA_ERASED = "data_erased", _("Personal data erased")
    PARTICIPANTS_MERGED = "participants_merged", _("Trainee records merged")
    COMPLETION_OVERRIDDEN = "completion_overridden", _("Completion decision overridden")
    COURSE_CLOSED = "course_closed", _("Course closed")
    RECORD_DELETED = "record_deleted", _("Record deleted by an administrator")
    ROSTER_EXPORTED = "roster_exported", _("Course roster exported")
    CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
    COURSE_REOPENED = "course_reopened", _("Course reopened")
    CERTIFICATE_REISSUED = "certificate_reissued", _("Certificate re-issued")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    # Kept as text so the entry survives the deletion of the user account.
    actor_name = models.CharField(_("who (name at the time)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    summary = models.CharField(_("summary"), max_length=500)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or '-'}: {self.summary}"


class LoginFailure(models.Model):
    """One failed sign-in (or one under way: ``accounts.lockout`` writes the row before the
    password is checked and deletes it if the password was right).

    Counted per account and per client address over a sliding window, so every sign-in path
    (the login page, the API token, the admin) and every process shares one count. Rows older
    than the window are pruned as new failures arrive.
    """

    # Normalised (NFKC, case-folded, at most 150 characters): "Alice" and "alice" share a count.
    username = models.CharField(_("user name"), max_length=150)
    # The client's IPv4 address or its IPv6 /64 network; empty when unknown.
    address = models.CharField(_("address"), max_length=64, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [
            models.Index(fields=["username", "at"], name="login_failure_username"),
            models.Index(fields=["address", "at"], name="login_failure_address"),
            models.Index(fields=["at"], name="login_failure_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.address or '-'}"
