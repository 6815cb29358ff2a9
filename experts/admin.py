"""Admin for visiting experts and their assignments to courses and sessions."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from trainings import admin as training_admin
from trainings.models import CourseSession

from . import conflicts
from .models import Expert, ExpertAssignment


def _warn(request, warnings, prefix: str = "") -> None:
    for warning in warnings:
        messages.warning(request, f"{prefix}{warning.message}")


class ExpertAssignmentInline(admin.TabularInline):
    model = ExpertAssignment
    fields = ("course", "session", "role")
    autocomplete_fields = ("course", "session")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("course", "session__module")


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = (
        "last_name",
        "first_name",
        "title",
        "country",
        "organisation",
        "email",
        "spoken",
        "user",
    )
    list_display_links = ("last_name", "first_name")
    list_filter = ("country", "modules")
    search_fields = ("first_name", "last_name", "organisation", "email", "bio")
    list_select_related = ("user",)
    autocomplete_fields = ("modules", "user")
    inlines = (ExpertAssignmentInline,)

    @admin.display(description=_("languages"))
    def spoken(self, obj: Expert) -> str:
        return ", ".join(obj.languages or ())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for assignment, warnings in conflicts.expert_warnings(form.instance):
            _warn(request, warnings, f"{assignment.session or assignment.course}: ")


class _WarningsChangeList(ChangeList):
    """Computes the warnings of the whole page at once (three queries, not three per row)."""

    def get_results(self, request):
        super().get_results(request)
        found = conflicts.warnings_for(self.result_list)
        for obj in self.result_list:
            obj.conflict_warnings = found.get(obj.pk, [])


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(admin.ModelAdmin):
    list_display = ("expert", "course", "session", "role", "warnings")
    list_filter = ("role", "course", "expert__country")
    search_fields = (
        "expert__first_name",
        "expert__last_name",
        "course__code",
        "course__title",
        "session__title",
    )
    list_select_related = ("expert", "course", "session__module")
    autocomplete_fields = ("expert", "course", "session")

    def get_changelist(self, request, **kwargs):
        return _WarningsChangeList

    @admin.display(description=_("warnings"))
    def warnings(self, obj: ExpertAssignment) -> str:
        found = getattr(obj, "conflict_warnings", None)
        if found is None:
            found = conflicts.assignment_warnings(obj)
        return format_html_join("", "<p>{}</p>", ((w.message,) for w in found)) or "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _warn(request, conflicts.assignment_warnings(obj))


# --- On the course and session pages of the admin ---------------------------------------------


class CourseExpertInline(admin.TabularInline):
    """Experts assigned to the whole course; session assignments live on the session page."""

    model = ExpertAssignment
    fields = ("expert", "role")
    autocomplete_fields = ("expert",)
    extra = 0
    verbose_name_plural = _("experts assigned to the whole course")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(session__isnull=True)
            .select_related("expert", "course")
        )


class SessionAssignmentFormSet(forms.BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        # An assignment to a session is an assignment to its course: set it before validation
        # so the model's own check (session belongs to the course) sees both.
        form = super()._construct_form(i, **kwargs)  # type: ignore[misc]  # Django's private hook, not in the stubs
        form.instance.course_id = self.instance.course_id
        return form


class SessionExpertInline(admin.TabularInline):
    model = ExpertAssignment
    formset = SessionAssignmentFormSet
    fk_name = "session"
    fields = ("expert", "role")
    autocomplete_fields = ("expert",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("expert", "session__module")


admin.site.unregister(CourseSession)


@admin.register(CourseSession)
class CourseSessionAdmin(training_admin.CourseSessionAdmin):
    """The session page, with the experts who teach it."""

    inlines = (SessionExpertInline,)
