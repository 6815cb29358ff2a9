"""Writes on expert assignments and expert logins.

Experts themselves are plain reference data (``trainings.services.record_*``). Assignments have
two rules worth a clear message: the session must belong to the course, and an expert is
assigned at most once to a whole course and once to each session. Overlaps and teaching outside
one's expertise are only warned about (``experts.conflicts``), never refused here.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import COORDINATOR, TRAINER, has_role
from core.actor import Actor
from core.errors import ConflictError, DomainError, NotPermittedError
from core.records import save_validated

from . import invitations
from .models import Expert, ExpertAssignment

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
def assignment_create(*, by: Actor = None, **fields: Any) -> ExpertAssignment:
    """Assign an expert to a whole course (no session) or to one session of it."""
    unknown = set(fields) - ASSIGNMENT_FIELDS
    if unknown:
        raise DomainError(_("Unknown assignment fields: %s") % ", ".join(sorted(unknown)))
    assignment = ExpertAssignment(**fields)
    _check_assignment(assignment)
    return save_validated(assignment)


@transaction.atomic
def assignment_update(
    *, assignment: ExpertAssignment, by: Actor = None, **fields: Any
) -> ExpertAssignment:
    """Change an assignment's expert, course, session or role, keeping both rules."""
    unknown = set(fields) - ASSIGNMENT_FIELDS
    if unknown:
        raise DomainError(_("Unknown assignment fields: %s") % ", ".join(sorted(unknown)))
    for name, value in fields.items():
        setattr(assignment, name, value)
    _check_assignment(assignment)
    return save_validated(assignment)


# --- Logins -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginGrant:
    """What ``expert_grant_login`` did: ``created`` a user, ``linked`` one (new or existing) to
    the expert, and whether an invitation to choose a password was sent."""

    user: User
    created: bool
    linked: bool
    invited: bool

    @property
    def message(self) -> str:
        values = {"username": self.user.get_username(), "email": self.user.email}
        if not self.linked:
            if self.invited:
                return (
                    _(
                        "The expert already has the login %(username)s; a new e-mail to choose a "
                        "password was sent to %(email)s."
                    )
                    % values
                )
            return _("The expert already has the login %(username)s.") % values
        if self.invited:
            return (
                _(
                    "Login %(username)s created; an e-mail to choose a password was sent to %(email)s."
                )
                if self.created
                else _(
                    "Login %(username)s linked; an e-mail to choose a password was sent to "
                    "%(email)s."
                )
            ) % values
        return _("The existing login %(username)s is now linked to the expert.") % values


@transaction.atomic
def expert_grant_login(*, expert: Expert, by: Actor = None) -> LoginGrant:
    """Give ``expert`` a login with the trainer role, so they see the manuals of their modules.

    An existing login with the expert's e-mail address is linked rather than duplicated;
    otherwise a user is created, named after the address, with an unusable password, and is sent
    a link to choose one (Django's password-reset tokens). Idempotent: an expert who already has
    a login keeps it and gets the trainer role if it was missing; only while that login still
    has no password is the link sent again (the first may have expired).
    """
    if by is not None and not has_role(by, COORDINATOR):
        raise NotPermittedError(_("Only coordinators can give experts a login."))
    expert = Expert.objects.select_for_update(of=("self",)).select_related("user").get(pk=expert.pk)
    trainers, _created = Group.objects.get_or_create(name=TRAINER)
    if expert.user is not None:
        user = expert.user
        user.groups.add(trainers)
        # Still no password (the first link expired or got lost): send a fresh link.
        invited = user.is_active and not user.has_usable_password()
        if invited:
            transaction.on_commit(lambda: invitations.send_login_invitation(user))
        return LoginGrant(user, created=False, linked=False, invited=invited)
    email = expert.email.strip()
    if not email:
        raise DomainError(
            _("%(expert)s has no e-mail address: add one before giving them a login.")
            % {"expert": expert},
            field="email",
        )
    user, created = _user_for(expert, email)
    user.groups.add(trainers)
    expert.user = user
    expert.save(update_fields=["user", "updated_at"])
    invited = not user.has_usable_password()
    if invited:
        # After commit: a rolled-back grant must not leave a link to a login that does not exist.
        transaction.on_commit(lambda: invitations.send_login_invitation(user))
    return LoginGrant(user, created=created, linked=True, invited=invited)


def _user_for(expert: Expert, email: str) -> tuple[User, bool]:
    """The login with this e-mail address (checked to be free), or a new one."""
    matches = list(User.objects.filter(email__iexact=email)[:2])
    if len(matches) > 1:
        raise ConflictError(
            _("Several logins use the address %(email)s: link the right one in the admin.")
            % {"email": email}
        )
    if matches:
        user = matches[0]
        if Expert.objects.filter(user=user).exclude(pk=expert.pk).exists():
            raise ConflictError(
                _("The login %(username)s already belongs to another expert.")
                % {"username": user.get_username()}
            )
        if not user.is_active:
            raise ConflictError(
                _("The login %(username)s is deactivated: reactivate it in the admin first.")
                % {"username": user.get_username()}
            )
        return user, False
    user = User(
        username=_free_username(email),
        email=email,
        first_name=expert.first_name[:150],
        last_name=expert.last_name[:150],
    )
    user.set_unusable_password()
    user.save()
    return user, True


def _free_username(email: str) -> str:
    """The address itself, lower-cased (Django usernames accept ``@ . + - _``); with a number
    appended in the rare case another login already uses it as its name."""
    base = email.lower()[:140]
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate
