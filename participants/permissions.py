"""Who may read and write organisations, trainees, enrolments and attendance.

Every role reads them (trainers see who is in their course); the project team and coordinators
register, enrol and record attendance. Trainers never change personal data. Setting a final
status (completed, failed) is coordinator-only: that rule lives in
``participants.services.enrolment_set_status`` so every interface enforces it.
"""

from accounts.roles import ALL_ROLES, COORDINATOR, PROJECT_TEAM
from trainings.permissions import RolePermission


class PeopleAccess(RolePermission):
    read_roles = ALL_ROLES
    write_roles = (PROJECT_TEAM, COORDINATOR)


class EnrolmentAccess(RolePermission):
    read_roles = ALL_ROLES
    write_roles = (PROJECT_TEAM, COORDINATOR)
