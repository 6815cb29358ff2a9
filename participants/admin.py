"""Admin for organisations, trainees, enrolments and attendance, with spreadsheet import/export
of trainees through django-import-export.

Trainees, enrolments and attendance are saved through ``participants.services``, so the admin
applies the same rules as the API and the pages (phone normalisation, who may mark a trainee
completed, which days are course days).

Exports are opened in spreadsheet programs, so every exported text cell that a spreadsheet would
read as a formula is neutralised (``core.spreadsheets.neutralise_formula``); the
library's own setting only strips a leading ``=`` and leaves ``+``, ``-`` and ``@`` live.
"""

import re
from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.formats import localize
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from import_export import fields, resources, widgets
from import_export.admin import ImportExportModelAdmin

from accounts.admin import ServiceDeleteAdminMixin, adopt
from core.records import record_delete
from core.spreadsheets import FORMULA_TRIGGERS, neutralise_formula

from .models import (
    Enrolment,
    EnrolmentStatusChange,
    Gender,
    Organisation,
    Participant,
)
from .services import (
    ENROLMENT_EDITABLE_FIELDS,
    PARTICIPANT_FIELDS,
    enrolment_create,
    enrolment_delete,
    enrolment_update,
    participant_create,
    participant_delete,
    participant_update,
    phone_normalise,
)

if TYPE_CHECKING:  # django-stubs-ext is a development dependency: for the type checker only
    from django_stubs_ext import WithAnnotations

# --- Import / export ----------------------------------------------------------------------

IMPORT_COLUMNS = (
    "first_name",
    "last_name",
    "native_name",
    "gender",
    "email",
    "phone",
    "organisation",
    "position",
    "country",
)

# Header spellings seen in nomination lists, after lower-casing and joining words with "_".
HEADER_ALIASES = {
    "first": "first_name",
    "firstname": "first_name",
    "given_name": "first_name",
    "given_names": "first_name",
    "name": "first_name",
    "last": "last_name",
    "lastname": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
    "native": "native_name",
    "name_in_arabic": "native_name",
    "arabic_name": "native_name",
    "full_name_in_native_script": "native_name",
    "sex": "gender",
    "e_mail": "email",
    "mail": "email",
    "email_address": "email",
    "telephone": "phone",
    "mobile": "phone",
    "phone_number": "phone",
    "organization": "organisation",
    "ministry": "organisation",
    "institution": "organisation",
    "job_title": "position",
    "function": "position",
    "nationality": "country",
}

GENDER_SPELLINGS = {
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "woman": Gender.FEMALE,
    "w": Gender.FEMALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "man": Gender.MALE,
    "other": Gender.OTHER,
    "": Gender.UNSPECIFIED,
}


def normalise_header(header) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", str(header or "").strip().lower()).strip("_")
    return HEADER_ALIASES.get(key, key)


class GenderWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        key = str(value or "").strip().lower()
        if key not in GENDER_SPELLINGS:
            raise ValueError(_("Unknown gender “%s”: use F, M or leave empty.") % value)
        return GENDER_SPELLINGS[key]


class CountryWidget(widgets.Widget):
    """An ISO code (``IQ``) or an English name (``Iraq``) in, the ISO code out."""

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        code = countries.alpha2(text) or countries.by_name(text)
        if not code:
            raise ValueError(_("Unknown country “%s”.") % text)
        return code

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "code", value) or ""


class OrganisationWidget(widgets.ForeignKeyWidget):
    """Finds an organisation by name or acronym, or by "name — part of" as exported."""

    def __init__(self):
        super().__init__(Organisation)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return None
        name, _sep, parent = (part.strip() for part in text.partition("—"))
        matches = Organisation.objects.filter(Q(name__iexact=name) | Q(acronym__iexact=name))
        if parent:
            matches = matches.filter(
                Q(parent__name__iexact=parent) | Q(parent__acronym__iexact=parent)
            )
        found = list(matches[:2])
        if not found:
            raise ValueError(_("Unknown organisation “%s”.") % text)
        if len(found) > 1:
            raise ValueError(
                _("“%s” matches several organisations; write it as “name — part of”.") % text
            )
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class ParticipantResource(resources.ModelResource):
    gender = fields.Field("gender", "gender", widget=GenderWidget())
    organisation = fields.Field("organisation", "organisation", widget=OrganisationWidget())
    country = fields.Field("country", "country", widget=CountryWidget())

    class Meta:
        model = Participant
        fields = IMPORT_COLUMNS
        export_order = IMPORT_COLUMNS
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("organisation__parent")

    def before_import(self, dataset, **kwargs):
        dataset.headers = [normalise_header(header) for header in dataset.headers]

    def before_import_row(self, row, **kwargs):
        for key, value in row.items():
            if isinstance(value, str):
                value = value.strip()
                # Undo our own export's protection, so an export re-imports unchanged.
                if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
                    value = value[1:]
                row[key] = value

    def get_instance(self, instance_loader, row):
        # The same person is the same e-mail or the same name and organisation. A name match
        # with an e-mail in the row only takes someone registered without one: two people of
        # the same name in one ministry are told apart by their addresses.
        email = str(row.get("email") or "").strip()
        if email:
            match = Participant.objects.filter(email__iexact=email).first()
            if match:
                return match
        try:
            organisation = self.fields["organisation"].clean(row)
        except (KeyError, ValueError):
            return None
        same_name = Participant.objects.filter(
            first_name__iexact=str(row.get("first_name") or "").strip(),
            last_name__iexact=str(row.get("last_name") or "").strip(),
            organisation=organisation,
        )
        return (same_name.filter(email="") if email else same_name).first()

    def before_save_instance(self, instance, row, **kwargs):
        # As participant_create does: numbers that parse are stored in international format.
        instance.phone = phone_normalise(instance.phone, str(instance.country or ""))

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))


# --- Saving through the services ----------------------------------------------------------


def participant_save_from_form(form, user) -> None:
    participant = form.instance
    fields = {name: form.cleaned_data[name] for name in PARTICIPANT_FIELDS if name in form.fields}
    if participant.pk is None:
        adopt(participant, participant_create(**fields, by=user))
        return
    current = Participant.objects.get(pk=participant.pk)
    changed = {name: value for name, value in fields.items() if name in form.changed_data}
    adopt(participant, participant_update(participant=current, by=user, **changed))


def enrolment_save_from_form(form, user) -> None:
    """Enrol through ``enrolment_create``, change scores and status through
    ``enrolment_update`` (whose role rule decides who may mark a trainee completed)."""
    enrolment, data = form.instance, form.cleaned_data
    if enrolment.pk is None:
        current = enrolment_create(
            participant=enrolment.participant, course=enrolment.course, by=user
        )
    else:
        current = Enrolment.objects.get(pk=enrolment.pk)
    fields = {n: data[n] for n in ENROLMENT_EDITABLE_FIELDS if n in form.changed_data}
    status = reason = None
    if {"status", "status_reason"} & set(form.changed_data):
        status, reason = data.get("status", current.status), data.get("status_reason", "")
    enrolment_update(enrolment=current, by=user, status=status, reason=reason, **fields)
    current.refresh_from_db()
    adopt(enrolment, current)


def save_formset_through(formset, save_form, user) -> None:
    """Save an inline formset form by form through ``save_form``; deletions go through
    ``record_delete``, which refuses rows other rows still refer to."""
    formset.save(commit=False)  # Sets new/changed/deleted_objects for the admin's change log.
    for form in formset.forms:
        if form in formset.deleted_forms:
            if form.instance.pk:
                record_delete(instance=form.instance)
        elif form.has_changed():
            save_form(form, user)


def save_enrolment_formset(formset, user) -> None:
    save_formset_through(formset, enrolment_save_from_form, user)


# --- Admin --------------------------------------------------------------------------------

CERTIFIED_NOT_DELETED = _(
    "Nothing was deleted: a certificate refers to this record, and the certificate registry "
    "keeps every certified trainee and enrolment. Withdraw the trainee, or erase their personal "
    "data, instead."
)


class ChildOrganisationInline(admin.TabularInline):
    model = Organisation
    fk_name = "parent"
    fields = ("name", "native_name", "acronym", "kind", "country")
    extra = 0
    show_change_link = True
    verbose_name = _("part of this organisation")
    verbose_name_plural = _("parts of this organisation")


class PeopleCount(TypedDict):
    """What ``OrganisationAdmin.get_queryset`` annotates an organisation with."""

    n_people: int


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "native_name", "acronym", "kind", "country", "parent", "n_people")
    list_filter = ("kind", "country")
    search_fields = ("name", "native_name", "acronym", "parent__name", "parent__acronym")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    inlines = (ChildOrganisationInline,)

    def get_queryset(self, request):
        # __str__ names the parent; other admins' autocomplete answers use this queryset too.
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(n_people=Count("participants"))
            # Django drops Meta.ordering from aggregated querysets; autocomplete pages it.
            .order_by(*(Organisation._meta.ordering or ()), "pk")
        )

    @admin.display(description=_("trainees"), ordering="n_people")
    def n_people(self, obj: "WithAnnotations[Organisation, PeopleCount]") -> int:
        return obj.n_people


class OrganisationListFilter(admin.SimpleListFilter):
    """Like the stock related filter, but names each organisation with its parent in one query."""

    title = _("organisation")
    parameter_name = "organisation"

    def lookups(self, request, model_admin):
        used = Participant.objects.values("organisation").distinct()
        queryset = Organisation.objects.filter(pk__in=used).select_related("parent")
        return [(str(org.pk), str(org)) for org in queryset]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(organisation_id=self.value())
        return queryset


class ParticipantEnrolmentInline(admin.TabularInline):
    model = Enrolment
    fk_name = "participant"
    fields = ("course", "status", "status_reason", "pre_test_score", "post_test_score")
    autocomplete_fields = ("course",)
    extra = 0
    can_delete = False  # Delete on the enrolment's own page, which shows what goes with it.
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant", "course")


class CourseCount(TypedDict):
    """What ``ParticipantAdmin.get_queryset`` annotates a participant with."""

    n_courses: int


@admin.register(Participant)
class ParticipantAdmin(ServiceDeleteAdminMixin, ImportExportModelAdmin):
    resource_classes = [ParticipantResource]
    list_display = (
        "last_name",
        "first_name",
        "native_name",
        "gender",
        "organisation",
        "position",
        "email",
        "country",
        "consent_given",
        "n_courses",
    )
    list_display_links = ("last_name", "first_name")
    list_filter = ("gender", "country", "consent_given", OrganisationListFilter)
    search_fields = (
        "first_name",
        "last_name",
        "native_name",
        "email",
        "phone",
        "position",
        "organisation__name",
        "organisation__acronym",
    )
    list_select_related = ("organisation__parent",)
    autocomplete_fields = ("organisation",)
    inlines = (ParticipantEnrolmentInline,)
    fieldsets = (
        (None, {"fields": ("first_name", "last_name", "native_name", "gender", "country")}),
        (_("Contact and work"), {"fields": ("email", "phone", "organisation", "position")}),
        (_("Consent and notes"), {"fields": ("consent_given", "consent_date", "notes")}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_courses=Count("enrolments"))
            .order_by(*(Participant._meta.ordering or ()), "pk")
        )

    @admin.display(description=_("courses"), ordering="n_courses")
    def n_courses(self, obj: "WithAnnotations[Participant, CourseCount]") -> int:
        return obj.n_courses

    def save_model(self, request, obj, form, change):
        participant_save_from_form(form, request.user)

    def save_formset(self, request, form, formset, change):
        save_enrolment_formset(formset, request.user)

    def delete_through(self, request, obj) -> None:
        participant_delete(participant=obj, by=request.user)

    def delete_refusal(self, objs) -> str:
        chosen = Participant.objects.filter(pk__in=[obj.pk for obj in objs])
        if chosen.filter(enrolments__certificates__isnull=False).exists():
            return str(CERTIFIED_NOT_DELETED)
        return ""


class PresentCount(TypedDict):
    """What ``EnrolmentAdmin.get_queryset`` annotates an enrolment with."""

    n_present: int


@admin.register(Enrolment)
class EnrolmentAdmin(ServiceDeleteAdminMixin, admin.ModelAdmin):
    list_display = (
        "participant",
        "course",
        "status",
        "days_attended",
        "pre_test_score",
        "post_test_score",
        "status_changed_at",
    )
    list_filter = ("status", "course__kind", "course")
    search_fields = (
        "participant__first_name",
        "participant__last_name",
        "participant__native_name",
        "participant__email",
        "course__code",
        "course__title",
    )
    list_select_related = ("participant", "course")
    autocomplete_fields = ("participant", "course")
    readonly_fields = (
        "status_changed_at",
        "status_changed_by",
        "status_overridden",
        "status_history",
        "created_at",
        "updated_at",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("participant", "course")
            .annotate(
                n_present=Count("attendance", filter=Q(attendance__present=True)),
            )
            .order_by(*(Enrolment._meta.ordering or ()), "pk")
        )

    def get_readonly_fields(self, request, obj=None):
        # An enrolment is one person in one course: to move someone, enrol them elsewhere.
        fixed = ("participant", "course") if obj is not None else ()
        return (*fixed, *self.readonly_fields)

    @admin.display(description=_("status history"))
    def status_history(self, obj: Enrolment) -> str:
        """Every status the enrolment had, oldest first (written by the services only)."""
        steps = EnrolmentStatusChange.objects.filter(enrolment=obj).select_related("changed_by")
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} — {} → {} {} {}",
                (
                    (
                        localize(step.changed_at),
                        step.get_from_status_display() or "·",
                        step.get_to_status_display(),
                        f"({step.changed_by.get_username()})" if step.changed_by else "",
                        step.reason,
                    )
                    for step in steps
                ),
            )
            or "—"
        )

    @admin.display(description=_("days attended"), ordering="n_present")
    def days_attended(self, obj: "WithAnnotations[Enrolment, PresentCount]") -> str:
        return f"{obj.n_present}/{obj.course.days}"

    def save_model(self, request, obj, form, change):
        enrolment_save_from_form(form, request.user)

    def delete_through(self, request, obj) -> None:
        enrolment_delete(enrolment=obj, by=request.user)

    def delete_refusal(self, objs) -> str:
        chosen = Enrolment.objects.filter(pk__in=[obj.pk for obj in objs])
        if chosen.filter(certificates__isnull=False).exists():
            return str(CERTIFIED_NOT_DELETED)
        return ""


class CourseEnrolmentInline(admin.TabularInline):
    model = Enrolment
    fields = ("participant", "status", "status_reason", "pre_test_score", "post_test_score")
    autocomplete_fields = ("participant",)
    extra = 0
    can_delete = False  # Delete on the enrolment's own page, which shows what goes with it.
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participant", "course")
