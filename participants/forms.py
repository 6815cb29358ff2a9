"""Forms of the trainee pages: the list's filters, registration and editing, the import upload
and its confirmation. Forms only validate input; writes go through ``participants.services``."""

from typing import cast

import django_filters
from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from trainings.models import Course

from . import visibility
from .models import Organisation, Participant
from .selectors import participants_matching

ACCEPTED_UPLOADS = (
    ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)


def _open_courses() -> QuerySet[Course]:
    return Course.objects.open_for_enrolment().order_by("start_date", "title")


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Course) -> str:
        return f"{obj.display_title} ({obj.code})"


class _OfferedCourses(ModelChoiceIterator):
    def __init__(self, field: "EnrolmentCourseField") -> None:
        super().__init__(field)
        # Built at each rendering: "today" moves on while the server runs.
        self.queryset = field.offered if field.offered is not None else _open_courses()


class EnrolmentCourseField(CourseChoiceField):
    """A course to enrol in: offers only the courses that take enrolments
    (``Course.objects.open_for_enrolment()``), and answers a course that does not (closed since
    the page was loaded, or a forged choice) with the reason, not Django's "not one of the
    available choices". The services refuse such a course too; this is for the message."""

    iterator = _OfferedCourses

    def __init__(self, **kwargs) -> None:
        self.offered: QuerySet[Course] | None = None
        super().__init__(queryset=Course.objects.all(), **kwargs)

    def offer(self, courses: QuerySet[Course]) -> None:
        self.offered = courses
        self.widget.choices = self.choices

    def validate(self, value) -> None:
        super().validate(value)
        refusal = value.enrolment_refusal() if value is not None else None
        if refusal:
            raise forms.ValidationError(refusal, code="closed")


class ParticipantListFilter(django_filters.FilterSet):
    """The filters of the trainee list page, read from the query string."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.select_related("parent"),
        empty_label=_("Any organisation"),
        label=_("Organisation"),
    )
    country = django_filters.ChoiceFilter(
        choices=lambda: list(countries), empty_label=_("Any nationality"), label=_("Nationality")
    )

    class Meta:
        model = Participant
        fields = ["q", "organisation", "country"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """Every word must appear in a name (Latin or native script), the e-mail or the
        organisation's name or acronym. The e-mail only for those shown it: for a trainer, a
        match would tell whose address it is."""
        by_email = "email" not in visibility.hidden_fields(getattr(self.request, "user", None))
        return participants_matching(queryset, value, by_email=by_email)


class ParticipantForm(forms.ModelForm):
    """Register or edit one trainee. ``different_person`` confirms that a similar record the
    page warned about is someone else; ``course`` (registration only) enrols the new trainee."""

    different_person = forms.BooleanField(
        required=False,
        label=_("This is a different person: save anyway"),
    )
    course = EnrolmentCourseField(
        required=False,
        label=_("Enrol in course"),
        empty_label=_("Do not enrol now"),
    )

    class Meta:
        model = Participant
        fields = [
            "first_name",
            "last_name",
            "native_name",
            "gender",
            "email",
            "phone",
            "organisation",
            "position",
            "country",
            "consent_given",
            "notes",
        ]
        widgets = {
            "native_name": forms.TextInput(attrs={"dir": "auto"}),
            "first_name": forms.TextInput(attrs={"dir": "auto"}),
            "last_name": forms.TextInput(attrs={"dir": "auto"}),
            "notes": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        }
        help_texts = {
            "first_name": _(
                "A single name is enough: leave the family name empty if there is none."
            ),
        }

    def __init__(self, *args, enrol: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = cast(forms.ModelChoiceField, self.fields["organisation"])
        organisation.queryset = Organisation.objects.select_related("parent")
        if not enrol:
            del self.fields["course"]

    def clean(self):
        cleaned = super().clean()
        assert cleaned is not None  # a ModelForm's clean() returns its cleaned_data
        if (
            not (cleaned.get("first_name") or "").strip()
            and not (cleaned.get("last_name") or "").strip()
        ):
            self.add_error(
                "first_name", _("A participant needs at least one name (given or family).")
            )
        return cleaned

    def validate_constraints(self) -> None:
        """Left to ``clean`` and the service: Django's generic "Constraint … is violated"
        would replace their clear messages (at least one name; an e-mail used by someone)."""

    def service_fields(self) -> dict:
        """The cleaned values under the names ``participant_create``/``_update`` take."""
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Nomination list (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_UPLOADS}),
    )


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    mode = forms.ChoiceField(
        label=_("Rows to import"),
        choices=[
            ("all", _("All or nothing: import only if every row is valid")),
            ("valid", _("Valid rows only: skip the invalid ones")),
        ],
        initial="all",
        widget=forms.RadioSelect,
    )
    course = EnrolmentCourseField(
        required=False,
        label=_("Enrol everyone imported in"),
        empty_label=_("Do not enrol"),
    )


class EnrolInCourseForm(forms.Form):
    """A trainee's page: add them to a course that takes enrolments and that they are not in."""

    course = EnrolmentCourseField(label=_("Course"), empty_label=_("Choose a course"))

    def __init__(self, *args, participant: Participant, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(EnrolmentCourseField, self.fields["course"])
        field.offer(_open_courses().exclude(enrolments__participant=participant))
