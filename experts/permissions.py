"""Who may read and write experts and their assignments: every role reads, coordinators write."""

from accounts.roles import ALL_ROLES, COORDINATOR
from trainings.permissions import RolePermission


class ExpertAccess(RolePermission):
    read_roles = ALL_ROLES
    write_roles = (COORDINATOR,)
