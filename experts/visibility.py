"""Whose e-mail address of a visiting expert a user reads, decided here once, as a queryset.

The project team and coordinators, who invite, schedule and brief the experts, read every
expert's address. A trainer reads their own and those of the experts they teach with: the experts
assigned to a course the trainer teaches (to the whole course or to one of its sessions;
``trainings.selectors.courses_taught_by``). Nobody else reads an expert's address; names,
country, organisation, languages, expertise and biography stay public to every role.

The API and the pages read ``contact_visible`` from ``with_contact_visibility``; the API never
searches the address for anyone who does not see every address. docs/security.md has the table.
"""

from typing import cast

from django.contrib.auth.models import User
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from accounts.roles import COORDINATOR, PROJECT_TEAM, TRAINER, has_role
from core.actor import Actor
from trainings.selectors import courses_taught_by

from .models import Expert

# The fields of an expert that only some users read.
CONTACT_FIELDS = ("email",)


def sees_every_contact(user: Actor) -> bool:
    """The project team and coordinators: every expert's address."""
    return has_role(user, PROJECT_TEAM, COORDINATOR)


def hidden_fields(user: Actor) -> frozenset[str]:
    """The expert fields ``user`` may not search by (not even a co-teacher's: a search across
    all experts would answer for the others too)."""
    return frozenset() if sees_every_contact(user) else frozenset(CONTACT_FIELDS)


def contact_visible_experts(user: Actor) -> QuerySet[Expert]:
    """The experts whose address ``user`` reads."""
    if sees_every_contact(user):
        return Expert.objects.all()
    if user is None or not user.is_authenticated or not has_role(user, TRAINER):
        return Expert.objects.none()
    taught = courses_taught_by(cast(User, user)).values("pk")  # signed in with a role
    return Expert.objects.filter(Q(user=user) | Q(assignments__course__in=taught))


def with_contact_visibility(queryset: QuerySet[Expert], user: Actor) -> QuerySet[Expert]:
    """``queryset`` with ``contact_visible`` on each expert, computed in the same query."""
    if sees_every_contact(user):
        return queryset.annotate(contact_visible=Value(True, output_field=BooleanField()))
    visible = contact_visible_experts(user).values("pk")
    return queryset.annotate(
        contact_visible=Case(
            When(pk__in=visible, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def contact_visible(expert: Expert, user: Actor) -> bool:
    """Whether ``user`` reads ``expert``'s address: the annotation when the expert came from
    ``with_contact_visibility``, else one query."""
    annotated = getattr(expert, "contact_visible", None)
    if annotated is not None:
        return bool(annotated)
    return contact_visible_experts(user).filter(pk=expert.pk).exists()
