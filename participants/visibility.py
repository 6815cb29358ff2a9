"""Who sees which trainees and course records, decided here once, as querysets.

The project team and coordinators see everyone. A trainer sees the trainees of the courses they
teach, and only those courses' records: enrolments, attendance, teach-backs. A course counts as
taught when the trainer is an expert assigned to it or to one of its sessions, or a certified
trainer of one of its sessions; this covers a certified trainer's own cascade trainees
(``trainings.selectors.courses_taught_by``). A trainer never gets contact data (e-mail, phone),
internal notes or consent records, not even of their own trainees: teaching needs names, gender,
organisation, position and nationality. Anyone without a role sees nobody.

Every list, detail, page and export that shows trainees starts from these querysets, so an
object that is not visible answers 404 as if it did not exist; docs/security.md has the table.
"""

from typing import cast

from django.contrib.auth.models import User
from django.db.models import QuerySet

from accounts.roles import COORDINATOR, PROJECT_TEAM, TRAINER, has_role
from core.actor import Actor
from trainings.models import Course
from trainings.selectors import courses_taught_by

from .models import Attendance, Enrolment, Participant, TeachBack

# The fields of a trainee that only the project team and coordinators see.
CONTACT_FIELDS = ("email", "phone", "notes", "consent_given", "consent_date")


def sees_everyone(user: Actor) -> bool:
    """The project team and coordinators: every trainee, with contact data."""
    return has_role(user, PROJECT_TEAM, COORDINATOR)


def hidden_fields(user: Actor) -> frozenset[str]:
    """The trainee fields ``user`` is not shown, and so may neither search, filter nor order
    by: a search that matches an e-mail would tell a trainer whose it is."""
    return frozenset() if sees_everyone(user) else frozenset(CONTACT_FIELDS)


def taught_courses(user: Actor) -> QuerySet[Course]:
    """The courses whose records ``user`` may read as a trainer (none for other roles)."""
    if user is None or not user.is_authenticated or not has_role(user, TRAINER):
        return Course.objects.none()
    return courses_taught_by(cast(User, user))  # signed in with a role: a real user


def visible_enrolments(user: Actor) -> QuerySet[Enrolment]:
    if sees_everyone(user):
        return Enrolment.objects.all()
    return Enrolment.objects.filter(course__in=taught_courses(user).values("pk"))


def visible_participants(user: Actor) -> QuerySet[Participant]:
    if sees_everyone(user):
        return Participant.objects.all()
    enrolled = visible_enrolments(user).values("participant_id")
    return Participant.objects.filter(pk__in=enrolled)


def visible_attendance(user: Actor) -> QuerySet[Attendance]:
    if sees_everyone(user):
        return Attendance.objects.all()
    return Attendance.objects.filter(enrolment__in=visible_enrolments(user).values("pk"))


def visible_teachbacks(user: Actor) -> QuerySet[TeachBack]:
    if sees_everyone(user):
        return TeachBack.objects.all()
    return TeachBack.objects.filter(enrolment__in=visible_enrolments(user).values("pk"))


def may_read_course_records(user: Actor, course: Course) -> bool:
    """Whether ``user`` may read ``course``'s trainees and records (its tabs, its grid, its
    completion rows, its attendance and sign-in sheets)."""
    return sees_everyone(user) or taught_courses(user).filter(pk=course.pk).exists()
