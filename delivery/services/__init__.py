"""Writes that run a course, by topic: ``attendance``, ``teachbacks``, ``closing``.

This package is the app's service facade: callers use ``delivery.services.<name>``; each name is
defined in exactly one submodule.
"""

from .attendance import (
    GridMark,
    attendance_grid_save,
    attendance_mark_day,
    attendance_record,
    attendance_update,
)
from .closing import (
    CloseRefused,
    CloseResult,
    ReopenResult,
    course_close,
    course_reopen,
    enrolment_override,
)
from .files import (
    course_file,
)
from .teachbacks import (
    TEACHBACK_FIELDS,
    teachback_create,
    teachback_save,
)

__all__ = [
    "TEACHBACK_FIELDS",
    "CloseRefused",
    "CloseResult",
    "GridMark",
    "ReopenResult",
    "attendance_grid_save",
    "attendance_mark_day",
    "attendance_record",
    "attendance_update",
    "course_close",
    "course_file",
    "course_reopen",
    "enrolment_override",
    "teachback_create",
    "teachback_save",
]
