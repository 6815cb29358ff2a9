"""The admin site's branding, the user list with each user's roles, and what every app's admin
needs to save through the domain services.

Roles are plain Django groups (see ``accounts.roles``); this module only shows them. It must not
grant or infer permissions.
"""

import dataclasses
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.options import ActionLocation
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from .models import AuditEntry

admin.site.site_header = _("ToT Manager administration")
admin.site.site_title = _("ToT Manager administration")
admin.site.index_title = _("Programmes, courses, trainees and certificates")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "roles",
        "is_staff",
        "is_superuser",
        "is_active",
    )

    def get_queryset(self, request):
        # One query for all groups of the page, not one per row.
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        names = sorted(group.name for group in obj.groups.all())
        if obj.is_superuser:
            names.insert(0, "superuser")
        return ", ".join(names) or "—"


if TYPE_CHECKING:  # the mixin below only ever precedes a ModelAdmin in a class's bases
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


class ServiceErrorsAdminMixin(_ModelAdminBase):
    """For admins whose saves go through the domain services.

    A ``DomainError`` a service raises while saving aborts the whole save: Django runs the change
    form's POST in one transaction, so the object and its inlines roll back together. The error
    comes back as a message on the same page instead of a server error.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def delete_selected_through_service(modeladmin, request, queryset):
    """Django's "delete selected" action, all or nothing: a refusal of any one row (a
    ``DomainError`` from the service) rolls back the rows already deleted, their admin log
    entries and audit entries, and comes back as a message on the change list."""
    try:
        with transaction.atomic():
            return delete_selected(modeladmin, request, queryset)
    except DomainError as error:
        modeladmin.message_user(request, error.message, messages.ERROR)
        return None


class ServiceDeleteAdminMixin(ServiceErrorsAdminMixin):
    """For admins whose deletes must go through a domain service (audited, files removed after
    commit, refused while other records refer): the delete page and the bulk "delete selected"
    action both call ``delete_through``, never ``Model.delete`` or ``QuerySet.delete``."""

    def delete_through(self, request, obj) -> None:
        raise NotImplementedError

    def delete_refusal(self, objs) -> str:
        """Why the service will refuse to delete ``objs``, when the confirmation page can tell
        beforehand; empty when it cannot."""
        return ""

    def get_deleted_objects(self, objs, request):
        # Django's own confirmation page words a protected certificate as a permission the
        # administrator lacks; say the real reason, the one the service gives.
        refusal = self.delete_refusal(objs)
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
        return super().get_deleted_objects(objs, request)

    def delete_model(self, request, obj):
        self.delete_through(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_through(request, obj)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        stock = actions.get("delete_selected")  # Only there for users allowed to delete.
        if stock is not None:
            actions["delete_selected"] = dataclasses.replace(
                stock, func=delete_selected_through_service
            )
        return actions


def adopt(target, source) -> None:
    """Make the admin's own instance the row a service saved, so the admin's redirect and log
    entry point at what was actually stored."""
    target.__dict__.update(source.__dict__)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log is read-only, for everyone including superusers: entries are evidence."""

    list_display = ("at", "actor_name", "action", "summary")
    list_filter = ("action",)
    search_fields = ("summary", "actor_name", "object_id")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
