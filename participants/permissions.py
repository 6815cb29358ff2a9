"""Who may read and write organisations, trainees, enrolments and attendance.

Every role reads them (trainers see who is in their course); the project team and coordinators
register, enrol and record attendance. Trainers never change personal data. Setting a final
status (completed, failed) is coordinator-only: that rule lives in
``participants.services.enrolment_set_status`` so every interface enforces it.
"""

from accounts.roles import ALL_ROLES, COORDINATOR, PROJECT_TEAM
from trainings.permissions import RolePermission

from . import visibility


class PeopleAccess(RolePermission):
    read_roles = ALL_ROLES
    write_roles = (PROJECT_TEAM, COORDINATOR)


class EnrolmentAccess(RolePermission):
    read_roles = ALL_ROLES
    write_roles = (PROJECT_TEAM, COORDINATOR)


class CourseRecordsAccess(EnrolmentAccess):
    """A course's trainees and records (completion rows, attendance grid, status changes): the
    roles of ``EnrolmentAccess``, and for a trainer only the courses they teach
    (``visibility.may_read_course_records``): another course answers 403."""

    message = "Only the project team, coordinators and this course's trainers see its trainees."

    def has_object_permission(self, request, view, obj) -> bool:
        return visibility.may_read_course_records(request.user, obj)
