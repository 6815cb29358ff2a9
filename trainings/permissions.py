"""Who may read and write programmes, modules, manuals, courses and sessions.

The pattern every app follows: a permission class names the roles that may read (safe methods)
and the roles that may write. A user without any of those roles gets 403; an anonymous request
gets 401, because DRF turns a refusal without credentials into ``NotAuthenticated``.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.roles import ALL_ROLES, COORDINATOR, has_role


class RolePermission(BasePermission):
    read_roles: tuple[str, ...] = ALL_ROLES
    write_roles: tuple[str, ...] = (COORDINATOR,)

    def has_permission(self, request, view) -> bool:
        roles = self.read_roles if request.method in SAFE_METHODS else self.write_roles
        return has_role(request.user, *roles)


class CatalogueAccess(RolePermission):
    """Programmes, modules, manuals, courses and sessions: every role reads (trainers need the
    schedule and the manuals); only coordinators change them."""

    read_roles = ALL_ROLES
    write_roles = (COORDINATOR,)


class ManualReaderAccess(RolePermission):
    """Actions every role that reads manuals may take, whatever the method (asking for a
    course's manual ZIP is a POST but changes nothing in the library)."""

    read_roles = ALL_ROLES
    write_roles = ALL_ROLES


class DownloadLogAccess(RolePermission):
    """The download log: who took which manual. Coordinators only."""

    read_roles = (COORDINATOR,)
    write_roles = ()


class ManualBundleAccess(ManualReaderAccess):
    """A course ZIP: the person who asked for it and coordinators."""

    def has_object_permission(self, request, view, obj) -> bool:
        return obj.requested_by_id == request.user.pk or has_role(request.user, COORDINATOR)
