"""The course's files as a person takes them: the roster (contact data of every trainee, so
each export is in the audit log), the attendance sheet and the sign-in sheet. Building them is
``delivery.exports``; who may take which is its ``may_export``, checked by the edges."""

import datetime as dt

from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction
from core.actor import Actor
from trainings.models import Course

from .. import exports


def course_file(
    *, course: Course, export: str, fmt: str = "", day: dt.date | None = None, by: Actor = None
) -> exports.ExportFile:
    """The ``export`` file of ``course``; a roster export is audited (who, when, which format)."""
    if export == exports.SIGN_IN_SHEET:
        return exports.build(course, export, day=day)
    file = exports.build(course, export, fmt=fmt or exports.DEFAULT_FORMAT)
    if export == exports.ROSTER:
        audit_roster_export(course=course, fmt=fmt, by=by)
    return file


def audit_roster_export(*, course: Course, fmt: str, by: Actor, **data) -> None:
    """The audit entry of a roster export, taken at once or built by a worker."""
    audit_record(
        action=AuditAction.ROSTER_EXPORTED,
        obj=course,
        summary=_("Roster of %(course)s exported.") % {"course": course.code},
        by=by,
        format=fmt or exports.DEFAULT_FORMAT,
        **data,
    )
