"""Admin for visiting experts and their assignments to courses and sessions."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Expert, ExpertAssignment


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


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(admin.ModelAdmin):
    list_display = ("expert", "course", "session", "role")
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
