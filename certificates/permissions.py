"""Who may see certificates and issuance batches: coordinators and the project team.

Trainers are refused: certificates carry personal data of every trainee of a course.
"""

from accounts.roles import COORDINATOR, PROJECT_TEAM
from trainings.permissions import RolePermission


class CertificateAccess(RolePermission):
    read_roles = (PROJECT_TEAM, COORDINATOR)
    write_roles = (COORDINATOR,)
