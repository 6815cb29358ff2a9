"""Admin for programmes, thematic modules, manuals, courses and their schedule.

The admin is the superuser's tool for corrections; the everyday work (imports, enrolments,
issuing certificates) goes through the pages and the API. Changelists select their related rows
up front, so a page of 100 rows costs the same few queries as a page of one.
"""

from typing import TYPE_CHECKING, ClassVar, TypedDict

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.admin import ServiceErrorsAdminMixin, adopt

from .languages import Language
from .models import Course, CourseSession, Manual, ManualDownload, Programme, ThematicModule
from .services import MANUAL_EDITABLE_FIELDS, manual_create, manual_delete, manual_update

if TYPE_CHECKING:  # django-stubs-ext is a development dependency: for the type checker only
    from django_stubs_ext import WithAnnotations


def manual_save_from_form(form, user) -> None:
    """A new manual is a new version (``manual_create`` numbers it and hashes the file); an
    existing one changes only its title, notes or withdrawal."""
    manual, data = form.instance, form.cleaned_data
    if manual.pk is None:
        created = manual_create(
            module=data["module"],
            language=data["language"],
            title=data["title"],
            file=data["file"],
            notes=data.get("notes", ""),
            by=user,
        )
        adopt(manual, created)
        return
    fields = {n: data[n] for n in MANUAL_EDITABLE_FIELDS if n in form.changed_data}
    if fields:
        adopt(
            manual, manual_update(manual=Manual.objects.get(pk=manual.pk), fields=fields, by=user)
        )


class CourseInline(admin.TabularInline):
    """The courses of a programme, for orientation; courses are edited on their own page."""

    model = Course
    fields = ("code", "title", "kind", "status", "start_date", "end_date", "city", "country")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CourseCount(TypedDict):
    """What ``ProgrammeAdmin.get_queryset`` annotates a programme with."""

    n_courses: int


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "donor", "partners", "start_date", "end_date", "n_courses")
    search_fields = ("name", "acronym", "donor", "description")
    list_filter = ("donor",)
    inlines = (CourseInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_courses=Count("courses"))
            # Django drops Meta.ordering from aggregated querysets; autocomplete pages it.
            .order_by(*(Programme._meta.ordering or ()), "pk")
        )

    @admin.display(description=_("partner countries"))
    def partners(self, obj: Programme) -> str:
        return ", ".join(country.code for country in obj.partner_countries)

    @admin.display(description=_("courses"), ordering="n_courses")
    def n_courses(self, obj: "WithAnnotations[Programme, CourseCount]") -> int:
        return obj.n_courses


class ManualInline(admin.TabularInline):
    """The module's manual versions; upload a new version on the manual page."""

    model = Manual
    fields = ("language", "version", "title", "original_name", "size", "withdrawn_at")
    readonly_fields = ("language", "version", "title", "original_name", "size")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ThematicModule)
class ThematicModuleAdmin(ServiceErrorsAdminMixin, admin.ModelAdmin):
    list_display = ("order", "code", "title_en", "title_ru", "title_ar", "duration_hours")
    list_display_links = ("code", "title_en")
    search_fields = ("code", "title_en", "title_ru", "title_ar")
    ordering = ("order", "code")
    inlines = (ManualInline,)
    fieldsets = (
        (None, {"fields": ("code", "order", "duration_hours")}),
        (_("English"), {"fields": ("title_en", "description_en")}),
        (_("Russian"), {"fields": ("title_ru", "description_ru")}),
        (_("Arabic"), {"fields": ("title_ar", "description_ar")}),
        (_("Learning objectives"), {"fields": ("learning_objectives",)}),
    )

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)  # Sets changed_objects for the admin's change log.
        for manual_form in formset.forms:
            if manual_form.has_changed():
                manual_save_from_form(manual_form, request.user)


@admin.register(Manual)
class ManualAdmin(ServiceErrorsAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "module",
        "language",
        "version",
        "original_name",
        "size",
        "uploaded_by",
        "created_at",
        "withdrawn_at",
    )
    list_filter = ("language", "module", ("withdrawn_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "original_name", "module__code", "module__title_en", "notes")
    list_select_related = ("module", "uploaded_by")
    autocomplete_fields = ("module",)
    readonly_fields = (
        "version",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "withdrawn_by",
        "withdrawal_reason",
        "created_at",
        "updated_at",
    )
    fields = ("module", "language", "title", "notes", "file", "withdrawn_at", *readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        # A version's file never changes: a new file is a new version, uploaded with "Add".
        fixed = ("module", "language", "file") if obj is not None else ()
        return (*fixed, *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        manual_save_from_form(form, request.user)

    def delete_model(self, request, obj):
        manual_delete(manual=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for manual in queryset:
            manual_delete(manual=manual, by=request.user)


class CourseAdminForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("working languages"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Course
        fields = ("languages",)  # CourseAdmin.fieldsets lists the others.


class CourseSessionInline(admin.TabularInline):
    """The schedule; trainers and experts of a session are set on the session's own page."""

    model = CourseSession
    fields = ("date", "start_time", "end_time", "module", "title")
    autocomplete_fields = ("module",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("course", "module")


class EnrolledCount(TypedDict):
    """What ``CourseAdmin.get_queryset`` annotates a course with."""

    n_enrolled: int


@admin.register(Course)
class CourseAdmin(ServiceErrorsAdminMixin, admin.ModelAdmin):
    form = CourseAdminForm
    list_display = (
        "code",
        "title",
        "programme",
        "kind",
        "status",
        "start_date",
        "end_date",
        "city",
        "country",
        "n_enrolled",
    )
    list_display_links = ("code", "title")
    list_filter = ("status", "kind", "programme", "country", "start_date")
    search_fields = ("code", "title", "city", "venue", "programme__acronym", "programme__name")
    list_select_related = ("programme",)
    autocomplete_fields = ("programme", "parent", "modules")
    date_hierarchy = "start_date"
    # portal.admin adds the experts and the trainees.
    inlines: ClassVar[tuple[type[admin.options.InlineModelAdmin], ...]] = (CourseSessionInline,)
    fieldsets = (
        (None, {"fields": ("programme", "code", "title", "title_ru", "title_ar", "kind")}),
        (None, {"fields": ("parent", "status")}),
        (
            _("Where and when"),
            {"fields": ("venue", "city", "country", "start_date", "end_date", "languages")},
        ),
        (_("Content"), {"fields": ("modules", "description", "hours", "capacity")}),
        (
            _("Completion rule"),
            {"fields": ("min_attendance_share", "min_post_test_score", "requires_teachback")},
        ),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_enrolled=Count("enrolments"))
            .order_by(*(Course._meta.ordering or ()), "pk")
        )

    @admin.display(description=_("enrolled"), ordering="n_enrolled")
    def n_enrolled(self, obj: "WithAnnotations[Course, EnrolledCount]") -> int:
        return obj.n_enrolled


@admin.register(CourseSession)
class CourseSessionAdmin(admin.ModelAdmin):
    list_display = ("date", "start_time", "end_time", "course", "module", "title")
    list_filter = ("course", "module", "date")
    search_fields = ("title", "course__code", "course__title", "module__code", "module__title_en")
    list_select_related = ("course", "module")
    autocomplete_fields = ("course", "module", "trainers")
    date_hierarchy = "date"

    def get_queryset(self, request):
        # __str__ shows the module title, also in other admins' autocomplete answers.
        return super().get_queryset(request).select_related("course", "module")


@admin.register(ManualDownload)
class ManualDownloadAdmin(admin.ModelAdmin):
    """The download log, read-only: rows are written only by the download endpoint."""

    list_display = ("downloaded_at", "manual", "user")
    list_filter = (("downloaded_at", admin.DateFieldListFilter), "manual__language")
    search_fields = ("manual__title", "manual__module__code", "user__username", "user__email")
    list_select_related = ("manual", "user")
    date_hierarchy = "downloaded_at"
    fields = ("manual", "user", "downloaded_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
