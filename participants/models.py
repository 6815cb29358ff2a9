"""Organisations, trainees (participants), their enrolments, attendance and test scores."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField

from core.models import CheckedFile, PrintedText, TimeStamped
from trainings.models import Course


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    AGENCY = "agency", _("Government agency")
    INTERNATIONAL = "international", _("International organisation")
    NGO = "ngo", _("NGO")
    OTHER = "other", _("Other")


class Organisation(PrintedText, TimeStamped):
    """A ministry, agency or organisation; ``parent`` expresses which government it belongs to,
    so "Ministry of Interior — Kurdistan Regional Government" is representable."""

    printed_fields = ("name", "native_name", "acronym")

    name = models.CharField(_("name"), max_length=250)
    native_name = models.CharField(_("name in native script"), max_length=250, blank=True)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=OrganisationKind, default=OrganisationKind.MINISTRY
    )
    # django-stubs types a CountryField as the CharField it extends (str); it reads as a Country.
    country: "models.Field[str | Country, Country]" = CountryField(_("country"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "parent", name="organisation_unique_name_in_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.parent.name}" if self.parent is not None else self.name


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNSPECIFIED = "", _("Not stated")


ERASED_FIRST_NAME = "Erased"


class Participant(PrintedText, TimeStamped):
    """A trainee. Field names match the import columns. A single name is a valid name: many
    Afghan officials have no family name, so either name may be empty but not both."""

    printed_fields = ("first_name", "last_name", "native_name", "position")

    first_name = models.CharField(_("given name(s)"), max_length=150, blank=True)
    last_name = models.CharField(_("family name"), max_length=150, blank=True)
    native_name = models.CharField(_("full name in native script"), max_length=300, blank=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name=_("organisation"),
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    # django-stubs types a CountryField as the CharField it extends (str); it reads as a Country.
    country: "models.Field[str | Country, Country]" = CountryField(_("nationality"), blank=True)
    consent_given = models.BooleanField(_("consents to data processing"), default=False)
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name="") | ~Q(last_name=""), name="participant_has_a_name"
            ),
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="participant_unique_email"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    # --- Erasure (the service is ``privacy.services.participant_erase``) ----------------------

    def erased_values(self) -> dict:
        """The values every personal field takes on erasure: the name becomes "Erased #<id>"
        (which the name constraint accepts), everything else empty."""
        return {
            "first_name": ERASED_FIRST_NAME,
            "last_name": f"#{self.pk}",
            "native_name": "",
            "gender": "",
            "email": "",
            "phone": "",
            "position": "",
            "notes": "",
            "consent_given": False,
            "consent_date": None,
        }

    @property
    def has_personal_data(self) -> bool:
        return any(getattr(self, k) != v for k, v in self.erased_values().items())

    @property
    def is_erased(self) -> bool:
        return self.first_name == ERASED_FIRST_NAME and not self.has_personal_data


class EnrolmentStatus(models.TextChoices):
    WAITLISTED = "waitlisted", _("On the waiting list")
    NOMINATED = "nominated", _("Nominated")
    CONFIRMED = "confirmed", _("Confirmed")
    ATTENDED = "attended", _("Attended")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Did not complete")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# In the course: holding a seat, the trainees the completion rule and the attendance grid are
# for. The waiting list and withdrawals are not in the course.
SEATED_STATUSES = frozenset(
    {
        EnrolmentStatus.NOMINATED,
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.ATTENDED,
        EnrolmentStatus.COMPLETED,
        EnrolmentStatus.FAILED,
    }
)
# Deciding that a trainee completed or failed a course is the coordinator's call, and so is
# undoing that decision.
FINAL_STATUSES = frozenset({EnrolmentStatus.COMPLETED, EnrolmentStatus.FAILED})


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def seated(self) -> "EnrolmentQuerySet":
        """In the course (see ``SEATED_STATUSES``)."""
        return self.filter(status__in=SEATED_STATUSES)

    def active(self) -> "EnrolmentQuerySet":
        """Not withdrawn: the enrolments a course's numbers count (the waiting list included)."""
        return self.exclude(status=EnrolmentStatus.WITHDRAWN)


class Enrolment(TimeStamped):
    """A participant in a course, with the scores of the pre- and post-course tests."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("trainee")
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("course")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EnrolmentStatus, default=EnrolmentStatus.NOMINATED
    )
    status_reason = models.CharField(_("reason for the status"), max_length=500, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_overridden = models.BooleanField(
        _("decided by a coordinator"),
        default=False,
        help_text=_(
            "Set when a coordinator overrode the completion rule; closing the course "
            "keeps such a decision."
        ),
    )
    pre_test_score = models.DecimalField(
        _("pre-test score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    post_test_score = models.DecimalField(
        _("post-test score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    certificate_language = models.CharField(
        _("certificate language"),
        max_length=8,
        blank=True,
        help_text=_("Overrides the course's certificate language for this trainee."),
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["course", "participant__last_name", "participant__first_name"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["participant", "course"], name="enrolment_unique"),
            models.CheckConstraint(
                condition=Q(pre_test_score__isnull=True)
                | Q(pre_test_score__gte=0, pre_test_score__lte=100),
                name="enrolment_pre_test_range",
            ),
            models.CheckConstraint(
                condition=Q(post_test_score__isnull=True)
                | Q(post_test_score__gte=0, post_test_score__lte=100),
                name="enrolment_post_test_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} — {self.course}"


class Attendance(models.Model):
    """Whether a trainee was present on one course day."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("enrolment")
    )
    date = models.DateField(_("date"))
    present = models.BooleanField(_("present"), default=True)
    recorded_at = models.DateTimeField(auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["enrolment", "date"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "date"], name="attendance_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} {self.date}: {'present' if self.present else 'absent'}"


class EnrolmentStatusChange(models.Model):
    """One step of an enrolment's history: from which status to which, why, by whom, when.
    Rows are only ever added, by ``participants.services``."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="history", verbose_name=_("enrolment")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=EnrolmentStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=EnrolmentStatus)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        ordering = ["enrolment", "changed_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.from_status or '-'} -> {self.to_status}"


def teachback_upload_to(instance: "TeachBack", filename: str) -> str:
    # Never the user's file name: it is kept only as the display name.
    import uuid

    return f"teachbacks/{instance.enrolment_id}/{uuid.uuid4().hex}"


class TeachBack(PrintedText, CheckedFile, TimeStamped):
    """The module a trainee prepares and presents at the end of a ToT ("teach-back"), with the
    evaluator's score. One per enrolment."""

    printed_fields = ("title", "evaluator")

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="teachback", verbose_name=_("enrolment")
    )
    title = models.CharField(_("title"), max_length=250)
    module = models.ForeignKey(
        "trainings.ThematicModule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thematic module"),
    )
    file = models.FileField(_("file"), upload_to=teachback_upload_to, max_length=255, blank=True)
    score = models.DecimalField(
        _("evaluator's score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    evaluator = models.CharField(_("evaluated by"), max_length=200, blank=True)
    evaluated_at = models.DateField(_("evaluated on"), null=True, blank=True)
    comments = models.TextField(_("evaluator's comments"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["enrolment"]
        verbose_name = _("teach-back module")
        verbose_name_plural = _("teach-back modules")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="teachback_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.enrolment})"
