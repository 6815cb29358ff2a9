"""Who may take a course's files: the roles first (anonymous 401, other roles 403), then
``exports.may_export`` for the course itself (a trainer who does not teach it: 403)."""

from rest_framework.permissions import BasePermission

from accounts.roles import COORDINATOR, PROJECT_TEAM, TRAINER, has_role

from . import exports


class CourseExportAccess(BasePermission):
    """The roles that may ask at all (anonymous: 401, no such role: 403), then
    ``exports.may_export`` for the course itself (a trainer who does not teach it: 403)."""

    export = exports.ROSTER
    message = "Only the project team, coordinators and the course's trainers may take this file."

    def has_permission(self, request, view) -> bool:
        roles: tuple[str, ...] = (PROJECT_TEAM, COORDINATOR)
        if self.export in exports.TRAINER_EXPORTS:
            roles += (TRAINER,)
        return has_role(request.user, *roles)

    def has_object_permission(self, request, view, obj) -> bool:
        return exports.may_export(request.user, obj, self.export)


class RosterAccess(CourseExportAccess):
    export = exports.ROSTER
    message = "The roster holds contact data: only the project team and coordinators take it."


class AttendanceSheetAccess(CourseExportAccess):
    export = exports.ATTENDANCE_SHEET


class SignInSheetAccess(CourseExportAccess):
    export = exports.SIGN_IN_SHEET


class CourseClosingAccess(BasePermission):
    """Closing a course, its preview and reopening it: coordinators only (anonymous: 401,
    every other role: 403). The service checks the role again."""

    message = "Only a coordinator closes or reopens a course."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, COORDINATOR)


class PreparedFileAccess(BasePermission):
    """A course file a worker built: its requester's (the viewset's queryset), and only while
    they may still take that file of that course (a role or an assignment may have ended)."""

    message = "Only the person who asked for this file may fetch it, while they may take it."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, PROJECT_TEAM, COORDINATOR, TRAINER)

    def has_object_permission(self, request, view, obj) -> bool:
        return exports.may_export(request.user, obj.course, obj.export)
