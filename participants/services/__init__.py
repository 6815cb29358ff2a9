"""Writes on trainees and their enrolments, by topic: ``people``, ``enrolments``, ``importing``.

This package is the app's service facade: callers use ``participants.services.<name>``; each
name is defined in exactly one submodule. Running a course (attendance, teach-backs, closing) is
``delivery.services``.
"""

from .enrolments import (
    CLOSED_COURSE_STATUSES,
    ENROLMENT_EDITABLE_FIELDS,
    BulkEnrolResult,
    apply_status,
    check_course_open,
    enrolment_create,
    enrolment_delete,
    enrolment_set_status,
    enrolment_update,
    enrolments_bulk_create,
    enrolments_bulk_set_status,
    lock_course,
    participant_delete,
    participant_register,
    seats_taken,
)
from .importing import (
    ImportRefused,
    participants_import,
)
from .people import (
    PARTICIPANT_FIELDS,
    clean_participant_fields,
    participant_create,
    participant_update,
    phone_normalise,
    phone_region,
    stamp_consent,
)

__all__ = [
    "CLOSED_COURSE_STATUSES",
    "ENROLMENT_EDITABLE_FIELDS",
    "PARTICIPANT_FIELDS",
    "BulkEnrolResult",
    "ImportRefused",
    "apply_status",
    "check_course_open",
    "clean_participant_fields",
    "enrolment_create",
    "enrolment_delete",
    "enrolment_set_status",
    "enrolment_update",
    "enrolments_bulk_create",
    "enrolments_bulk_set_status",
    "lock_course",
    "participant_create",
    "participant_delete",
    "participant_register",
    "participant_update",
    "participants_import",
    "phone_normalise",
    "phone_region",
    "seats_taken",
    "stamp_consent",
]
