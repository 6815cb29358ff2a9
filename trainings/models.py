"""Programmes, thematic modules, their manuals, courses and the course schedule."""

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField, MultipleCountriesDescriptor

from core.models import CheckedFile, PrintedText, TimeStamped

from .languages import Language, localized


class Programme(PrintedText, TimeStamped):
    """A funded capacity-building programme, e.g. the Silk Routes Partnership."""

    printed_fields = ("name", "acronym")

    name = models.CharField(_("name"), max_length=200, unique=True)
    acronym = models.CharField(
        _("acronym"),
        max_length=12,
        unique=True,
        help_text=_("Short code printed at the start of certificate serials, e.g. SRP."),
    )
    description = models.TextField(_("description"), blank=True)
    donor = models.CharField(_("donor"), max_length=200, blank=True)
    # django-stubs types a CountryField as a CharField (str); with ``multiple`` it reads as a
    # list of Country, and takes a list of codes.
    partner_countries: "models.Field[Iterable[str] | str, MultipleCountriesDescriptor]" = (
        CountryField(_("partner countries"), multiple=True, blank=True)
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class ThematicModule(PrintedText, TimeStamped):
    """A thematic module taught in courses (legal migration, border management, ...)."""

    printed_fields = ("title_en", "title_ru", "title_ar")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    learning_objectives = models.TextField(
        _("learning objectives"), blank=True, help_text=_("One objective per line.")
    )
    duration_hours = models.DecimalField(
        _("duration (hours)"), max_digits=5, decimal_places=1, null=True, blank=True
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("thematic module")
        verbose_name_plural = _("thematic modules")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def objectives(self) -> list[str]:
        return [line.strip() for line in self.learning_objectives.splitlines() if line.strip()]


def manual_upload_to(instance: "Manual", filename: str) -> str:
    # The user's file name never reaches the storage path: it is kept only as display name.
    import uuid

    return f"manuals/{instance.module_id}/{instance.language}/{uuid.uuid4().hex}"


class Manual(PrintedText, CheckedFile, TimeStamped):
    """One version of a module's training manual in one language. The newest version that is
    not withdrawn is the current one; older versions stay downloadable."""

    printed_fields = ("title",)

    module = models.ForeignKey(
        ThematicModule, on_delete=models.PROTECT, related_name="manuals", verbose_name=_("module")
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=manual_upload_to, max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        ordering = ["module__order", "module__code", "language", "-version"]
        verbose_name = _("manual")
        verbose_name_plural = _("manuals")
        constraints = [
            models.UniqueConstraint(
                fields=["module", "language", "version"], name="manual_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language}, v{self.version})"


class ManualDownload(models.Model):
    """One download of a manual version: who took it and when. Rows are only ever added; they
    go with the manual if a coordinator deletes that version.

    ``attachment`` is set when the file taken was one of the version's attachments (the row
    still names the manual, so the log filters by module in one join); ``bundle`` when the file
    came inside a course's ZIP, which logs one row per file it holds when it is downloaded."""

    manual = models.ForeignKey(
        Manual, on_delete=models.CASCADE, related_name="downloads", verbose_name=_("manual")
    )
    attachment = models.ForeignKey(
        "ManualAttachment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="downloads",
        verbose_name=_("attachment"),
    )
    bundle = models.ForeignKey(
        "ManualBundle",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="downloads",
        verbose_name=_("course ZIP"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    downloaded_at = models.DateTimeField(_("downloaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-downloaded_at"]
        verbose_name = _("manual download")
        verbose_name_plural = _("manual downloads")
        indexes = [
            models.Index(fields=["manual", "-downloaded_at"], name="manualdownload_manual_at"),
        ]

    def __str__(self) -> str:
        return f"{self.manual} — {self.user or '?'} — {self.downloaded_at:%Y-%m-%d %H:%M}"


class AttachmentKind(models.TextChoices):
    FACILITATION = "facilitation", _("Facilitation material")
    EXERCISE = "exercise", _("Exercise")
    SLIDES = "slides", _("Slides")


def attachment_upload_to(instance: "ManualAttachment", filename: str) -> str:
    # As for manuals: a generated name, never the user's.
    import uuid

    manual = instance.manual
    return f"manuals/{manual.module_id}/{manual.language}/attachments/{uuid.uuid4().hex}"


class ManualAttachment(PrintedText, CheckedFile, TimeStamped):
    """Facilitation material, an exercise or slides that go with one manual version. Checked
    and named like the manual itself; deleted with its version."""

    printed_fields = ("title",)

    manual = models.ForeignKey(
        Manual, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("manual")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["manual", "kind", "title", "pk"]
        verbose_name = _("manual attachment")
        verbose_name_plural = _("manual attachments")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()})"


class BundleStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def bundle_upload_to(instance: "ManualBundle", filename: str) -> str:
    import uuid

    return f"manual-bundles/{instance.course_id}/{uuid.uuid4().hex}.zip"


class ManualBundle(TimeStamped):
    """One ZIP of a course's current manuals (optionally one language) with their attachments,
    built by a worker. ``contents`` records the manual and attachment ids written into the ZIP,
    so that downloading it logs exactly what it holds."""

    course = models.ForeignKey(
        "Course", on_delete=models.CASCADE, related_name="manual_bundles", verbose_name=_("course")
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        blank=True,
        help_text=_("Empty: every language."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=BundleStatus, default=BundleStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("files"), default=0)
    done = models.PositiveIntegerField(_("files written"), default=0)
    file = models.FileField(_("ZIP"), upload_to=bundle_upload_to, blank=True, max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    contents = models.JSONField(_("contents"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Set by the worker building the ZIP, so two workers never build it at once; a worker that
    # dies leaves a lease that runs out, and a re-delivered message builds it again.
    claimed_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("course manual ZIP")
        verbose_name_plural = _("course manual ZIPs")

    def __str__(self) -> str:
        return f"{self.course} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (BundleStatus.DONE, BundleStatus.FAILED)


class CourseKind(models.TextChoices):
    TOT = "tot", _("Training of Trainers")
    CASCADE = "cascade", _("Cascade course")
    WORKSHOP = "workshop", _("Workshop")


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for nominations")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# The longest course accepted: a ToT runs for days or weeks, a long programme for months. It
# bounds every per-day table (the attendance grid, the attendance sheet, sign-in sheets): dates
# from 1900 to 9999 made a 38 MB grid and an export that ran past 90 s.
MAX_COURSE_DAYS = 366

# The statuses of a course that still takes enrolments, as long as it has not ended: a draft is
# being prepared (nominations arrive before it opens), an open or running course takes late
# nominations. Completed and cancelled courses take nobody. ``CourseQuerySet`` and
# ``Course.enrolment_refusal`` are built from this one set.
ENROLLING_STATUSES = frozenset({CourseStatus.DRAFT, CourseStatus.OPEN, CourseStatus.RUNNING})


class CourseQuerySet(models.QuerySet["Course"]):
    def open_for_enrolment(self, today=None) -> "CourseQuerySet":
        """The courses that take enrolments: not completed or cancelled, and not ended (a
        course takes enrolments until the end of its last day)."""
        today = today or timezone.localdate()
        return self.filter(status__in=ENROLLING_STATUSES, end_date__gte=today)


class Course(PrintedText, TimeStamped):
    """A course: a ToT, a cascade course descending from one, or a workshop."""

    printed_fields = ("title", "title_ru", "title_ar", "venue", "city")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="courses", verbose_name=_("programme")
    )
    code = models.CharField(
        _("code"),
        max_length=16,
        help_text=_("Short code used in certificate serials, e.g. ERB."),
    )
    title = models.CharField(_("title"), max_length=250)
    # The title above is the English one (the API's `title`); these print on Russian and Arabic
    # pages and certificate sides, which fall back to it (or to the course kind) when empty.
    title_ru = models.CharField(_("title (Russian)"), max_length=250, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=250, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CourseKind, default=CourseKind.TOT)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cascades",
        verbose_name=_("descends from"),
        help_text=_("For a cascade course: the ToT course whose trainers run it."),
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    # django-stubs types a CountryField as the CharField it extends (str); it reads as a Country.
    country: "models.Field[str | Country, Country]" = CountryField(_("country"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    languages = models.JSONField(
        _("working languages"), default=list, blank=True, help_text=_("Language codes: en, ru, ar.")
    )
    hours = models.DecimalField(
        _("contact hours"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CourseStatus, default=CourseStatus.DRAFT
    )
    modules = models.ManyToManyField(
        ThematicModule, related_name="courses", blank=True, verbose_name=_("modules")
    )
    description = models.TextField(_("description"), blank=True)
    # The completion rule: a trainee qualifies with at least this share of days attended, this
    # post-test score and, when required, a teach-back module of their own.
    min_attendance_share = models.DecimalField(
        _("minimum attendance share"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        # xgettext:no-python-format
        help_text=_("0.80 means 80% of course days."),
    )
    min_post_test_score = models.DecimalField(
        _("minimum post-test score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        default=60,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Out of 100. Empty: no test required."),
    )
    requires_teachback = models.BooleanField(_("requires a teach-back module"), default=False)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="course_ends_after_start"
            ),
            models.UniqueConstraint(fields=["programme", "code"], name="course_unique_code"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The course cannot end before it starts.")})
        if self.start_date and self.end_date and self.days > MAX_COURSE_DAYS:
            raise ValidationError(
                {
                    "end_date": _("A course lasts at most %(max)s days; this one lasts %(days)s.")
                    % {"max": MAX_COURSE_DAYS, "days": self.days}
                }
            )
        if self.kind == CourseKind.CASCADE and not self.parent_id:
            raise ValidationError({"parent": _("A cascade course descends from a ToT course.")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A course cannot descend from itself.")})
        bad = [code for code in self.languages or [] if code not in Language.values]
        if bad:
            raise ValidationError({"languages": _("Unknown language codes: %s") % ", ".join(bad)})

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def enrolment_refusal(self, today=None) -> str | None:
        """Why nobody can be enrolled in this course any more, naming it, in the active
        language; ``None`` when it takes enrolments. The same rule as
        ``Course.objects.open_for_enrolment()``."""
        today = today or timezone.localdate()
        course = f"{self.display_title} ({self.code})"
        if self.status == CourseStatus.CANCELLED:
            return gettext("Nobody can be enrolled in %(course)s: the course is cancelled.") % {
                "course": course
            }
        if self.status == CourseStatus.COMPLETED:
            return gettext(
                "Nobody can be enrolled in %(course)s: the course is completed (closed)."
            ) % {"course": course}
        if self.end_date < today:
            return gettext(
                "Nobody can be enrolled in %(course)s: the course ended on %(date)s."
            ) % {
                "course": course,
                "date": date_format(self.end_date),
            }
        return None

    @property
    def takes_enrolments(self) -> bool:
        return self.enrolment_refusal() is None

    def title_in(self, language: str | None = None) -> str:
        """The title in ``language`` (the active one by default), else the English title."""
        language = (language or get_language() or "en")[:2]
        return (getattr(self, f"title_{language}", "") if language in ("ru", "ar") else "") or (
            self.title
        )

    @property
    def display_title(self) -> str:
        return self.title_in()


class CourseSession(PrintedText, TimeStamped):
    """One slot of the schedule: a date and time, usually one module, taught by visiting
    experts (ToT) or by certified trainers (cascade courses)."""

    printed_fields = ("title",)

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("course")
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts"), null=True, blank=True)
    end_time = models.TimeField(_("ends"), null=True, blank=True)
    module = models.ForeignKey(
        ThematicModule,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("module"),
    )
    title = models.CharField(_("title"), max_length=250, blank=True)
    trainers = models.ManyToManyField(
        "participants.Participant",
        related_name="taught_sessions",
        blank=True,
        verbose_name=_("trainers"),
        help_text=_("Certified trainers teaching this session (cascade courses)."),
    )

    class Meta:
        ordering = ["date", "start_time"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=True)
                | Q(end_time__gt=F("start_time")),
                name="session_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.display_title}"

    @property
    def display_title(self) -> str:
        return self.title or (self.module.title if self.module is not None else "")

    def clean(self) -> None:
        course = self.course if self.course_id else None
        if course and self.date and not (course.start_date <= self.date <= course.end_date):
            raise ValidationError({"date": _("The session must fall within the course dates.")})
