"""Writes on expert assignments.

Experts themselves are plain reference data (``trainings.services.record_*``). Assignments have
two rules worth a clear message: the session must belong to the course, and an expert is
assigned at most once to a whole course and once to each session.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from trainings.errors import ConflictError, DomainError
from trainings.services import save_validated

from .models import ExpertAssignment

ASSIGNMENT_FIELDS = frozenset({"expert", "course", "session", "role"})


def _check_assignment(assignment: ExpertAssignment) -> None:
    if assignment.session is not None and assignment.session.course_id != assignment.course_id:
        raise DomainError(_("The session belongs to another course."), field="session")
    twins = ExpertAssignment.objects.filter(expert=assignment.expert_id)
    if assignment.session_id:
        twins = twins.filter(session=assignment.session_id)
        where = _("this session")
    else:
        twins = twins.filter(course=assignment.course_id, session__isnull=True)
        where = _("this whole course")
    if assignment.pk:
        twins = twins.exclude(pk=assignment.pk)
    if twins.exists():
        raise ConflictError(
            _("%(expert)s is already assigned to %(where)s.")
            % {"expert": assignment.expert, "where": where}
        )


@transaction.atomic
def assignment_create(*, by: AbstractBaseUser | None = None, **fields: Any) -> ExpertAssignment:
    """Assign an expert to a whole course (no session) or to one session of it."""
    unknown = set(fields) - ASSIGNMENT_FIELDS
    if unknown:
        raise DomainError(_("Unknown assignment fields: %s") % ", ".join(sorted(unknown)))
    assignment = ExpertAssignment(**fields)
    _check_assignment(assignment)
    return save_validated(assignment)


@transaction.atomic
def assignment_update(
    *, assignment: ExpertAssignment, by: AbstractBaseUser | None = None, **fields: Any
) -> ExpertAssignment:
    """Change an assignment's expert, course, session or role, keeping both rules."""
    unknown = set(fields) - ASSIGNMENT_FIELDS
    if unknown:
        raise DomainError(_("Unknown assignment fields: %s") % ", ".join(sorted(unknown)))
    for name, value in fields.items():
        setattr(assignment, name, value)
    _check_assignment(assignment)
    return save_validated(assignment)
