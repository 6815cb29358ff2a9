"""Admin for visiting experts and their assignments to courses and sessions."""

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

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
