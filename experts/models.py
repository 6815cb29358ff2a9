"""Visiting experts, what they can teach, and where they are assigned."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField

from core.models import PrintedText, TimeStamped
from trainings.models import Course, CourseSession, ThematicModule


class Expert(PrintedText, TimeStamped):
    printed_fields = ("first_name", "last_name", "title", "organisation")

    first_name = models.CharField(_("given name(s)"), max_length=150, blank=True)
    last_name = models.CharField(_("family name"), max_length=150)
    title = models.CharField(_("title"), max_length=40, blank=True, help_text=_("Dr, Prof., ..."))
    # django-stubs types a CountryField as the CharField it extends (str); it reads as a Country.
    country: "models.Field[str | Country, Country]" = CountryField(_("country"))
    organisation = models.CharField(_("organisation"), max_length=250, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("Language codes, e.g. en, ar, de.")
    )
    modules = models.ManyToManyField(
        ThematicModule, related_name="experts", blank=True, verbose_name=_("modules of expertise")
    )
    bio = models.TextField(_("short biography"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expert",
        verbose_name=_("login"),
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.title, self.first_name, self.last_name) if part)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead trainer")
    CO_TRAINER = "co_trainer", _("Co-trainer")
    SPEAKER = "speaker", _("Guest speaker")


class ExpertAssignment(TimeStamped):
    """An expert teaching in a course, for the whole course or one session of it."""

    expert = models.ForeignKey(
        Expert, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("expert")
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.CASCADE,
        related_name="expert_assignments",
        verbose_name=_("course"),
    )
    session = models.ForeignKey(
        CourseSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="expert_assignments",
        verbose_name=_("session"),
    )
    role = models.CharField(
        _("role"), max_length=16, choices=AssignmentRole, default=AssignmentRole.CO_TRAINER
    )

    class Meta:
        ordering = ["course", "session__date", "expert__last_name"]
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["expert", "course"],
                condition=models.Q(session__isnull=True),
                name="assignment_unique_course",
            ),
            models.UniqueConstraint(
                fields=["expert", "session"],
                condition=models.Q(session__isnull=False),
                name="assignment_unique_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} — {self.session or self.course}"

    def clean(self) -> None:
        if self.course_id and self.session is not None and self.session.course_id != self.course_id:
            raise ValidationError({"session": _("The session belongs to another course.")})
