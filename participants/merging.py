"""Merging two records of one person: everything of the duplicate moves to the survivor.

Enrolments (with their attendance, status history, teach-back and certificates), the sessions
the duplicate taught, and the survivor's blank fields are taken over; then the duplicate is
deleted and the merge is written to the audit log. Nothing is lost: when both were enrolled in
the same course, the more advanced enrolment is kept and receives the other's attendance days,
scores and teach-back where it has none; two certificates for one course cannot be merged
(one would be lost), so that merge is refused.

A merge is for two records of one person. An erased record is nobody any more and is never
merged (its certificates would pass to whoever it was merged into). Two records whose names or
organisations do not match may still be one person (a new ministry, a name spelt differently),
but that is a coordinator's decision, with the reason kept in the audit log. A moved certificate
keeps its frozen snapshot, so it still prints and verifies with the name it was issued to.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction
from accounts.roles import COORDINATOR, has_role
from core.actor import Actor
from core.errors import ConflictError, DomainError, NotPermittedError
from trainings.models import CourseSession

from .duplicates import names_match, person_keys
from .models import Attendance, Enrolment, EnrolmentStatus, Participant
from .services import participant_update

# How far an enrolment got: the one further along survives when two meet in one course.
STATUS_RANK: dict[str, int] = {
    EnrolmentStatus.WITHDRAWN: 0,
    EnrolmentStatus.WAITLISTED: 1,
    EnrolmentStatus.NOMINATED: 2,
    EnrolmentStatus.CONFIRMED: 3,
    EnrolmentStatus.ATTENDED: 4,
    EnrolmentStatus.FAILED: 5,
    EnrolmentStatus.COMPLETED: 6,
}
FILLABLE_FIELDS = (
    "first_name",
    "last_name",
    "native_name",
    "gender",
    "email",
    "phone",
    "organisation",
    "position",
    "country",
    "notes",
)
_SCORE_FIELDS = ("pre_test_score", "post_test_score", "certificate_language")


@dataclass
class _Moved:
    enrolments: list[int] = field(default_factory=list)
    combined: list[dict] = field(default_factory=list)
    sessions: list[int] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)


def _certificate_count(enrolment: Enrolment) -> int:
    return enrolment.certificates.count()


def _advancement(enrolment: Enrolment) -> tuple:
    return (
        _certificate_count(enrolment) > 0,
        STATUS_RANK.get(enrolment.status, 0),
        enrolment.attendance.count(),
        -enrolment.pk,
    )


def _absorb(keeper: Enrolment, other: Enrolment) -> dict:
    """Move what ``keeper`` lacks from ``other`` (the enrolment about to be deleted)."""
    taken: dict[str, Any] = {"kept": keeper.pk, "dropped": other.pk, "attendance": []}
    days = set(keeper.attendance.values_list("date", flat=True))
    for row in other.attendance.exclude(date__in=days):
        Attendance.objects.filter(pk=row.pk).update(enrolment=keeper)
        taken["attendance"].append(str(row.date))
    filled = [name for name in _SCORE_FIELDS if not getattr(keeper, name) and getattr(other, name)]
    for name in filled:
        setattr(keeper, name, getattr(other, name))
    if filled:
        keeper.save(update_fields=[*filled, "updated_at"])
    taken["fields"] = filled
    if not hasattr(keeper, "teachback") and hasattr(other, "teachback"):
        other.teachback.enrolment = keeper
        other.teachback.save(update_fields=["enrolment"])
        taken["teachback"] = True
    other.certificates.update(enrolment=keeper)  # at most one side has any (checked before)
    other.history.update(enrolment=keeper)
    return taken


def _merge_enrolments(survivor: Participant, duplicate: Participant, moved: _Moved) -> None:
    mine = {e.course_id: e for e in survivor.enrolments.select_for_update()}
    for theirs in duplicate.enrolments.select_for_update().order_by("pk"):
        ours = mine.get(theirs.course_id)
        if ours is None:
            theirs.participant = survivor
            theirs.save(update_fields=["participant", "updated_at"])
            moved.enrolments.append(theirs.pk)
            continue
        if _certificate_count(ours) and _certificate_count(theirs):
            raise ConflictError(
                _(
                    "Both records have a certificate for %(course)s: merging would lose one. "
                    "Revoke the wrong certificate's enrolment first or keep both records."
                )
                % {"course": theirs.course}
            )
        keeper, other = sorted((ours, theirs), key=_advancement, reverse=True)
        taken = _absorb(keeper, other)
        other.delete()
        if keeper.participant_id != survivor.pk:
            keeper.participant = survivor
            keeper.save(update_fields=["participant", "updated_at"])
        moved.combined.append({"course": theirs.course_id, **taken})


def _fill_blanks(survivor: Participant, duplicate: Participant) -> dict[str, Any]:
    changes = {
        name: getattr(duplicate, name)
        for name in FILLABLE_FIELDS
        if not getattr(survivor, name) and getattr(duplicate, name)
    }
    if duplicate.consent_given and not survivor.consent_given:
        changes["consent_given"] = True
        changes["consent_date"] = duplicate.consent_date
    return changes


def records_alike(a: Participant, b: Participant) -> bool:
    """The same name across spellings and scripts, and the same organisation (or one unknown):
    what a merge needs no coordinator for."""
    same_name = names_match(
        person_keys(a.first_name, a.last_name, a.native_name),
        person_keys(b.first_name, b.last_name, b.native_name),
    )
    same_organisation = (
        a.organisation_id is None
        or b.organisation_id is None
        or a.organisation_id == b.organisation_id
    )
    return same_name and same_organisation


def _check_may_merge(survivor: Participant, duplicate: Participant, by: Actor, reason: str) -> None:
    if survivor.is_erased or duplicate.is_erased:
        raise ConflictError(
            _("An erased record is nobody any more and cannot be merged."), field="duplicate"
        )
    if records_alike(survivor, duplicate):
        return
    if not has_role(by, COORDINATOR):
        raise NotPermittedError(
            _(
                "%(a)s and %(b)s differ in name or organisation: only a coordinator may merge "
                "them, giving the reason."
            )
            % {"a": survivor.full_name, "b": duplicate.full_name}
        )
    if not reason.strip():
        raise DomainError(
            _("These records differ in name or organisation: say why they are one person."),
            field="reason",
        )


@transaction.atomic
def participants_merge(
    *, survivor: Participant, duplicate: Participant, by: Actor = None, reason: str = ""
) -> Participant:
    """Merge ``duplicate`` into ``survivor`` and delete ``duplicate``; returns the survivor."""
    if survivor.pk == duplicate.pk:
        raise DomainError(_("A record cannot be merged with itself."), field="duplicate")
    # Lock both rows, in id order, so two merges of the same pair cannot deadlock or interleave.
    locked = {p.pk: p for p in Participant.objects.select_for_update().filter(
        pk__in=[survivor.pk, duplicate.pk]).order_by("pk")}  # fmt: skip
    if len(locked) != 2:
        raise ConflictError(_("One of the two records no longer exists."))
    survivor, duplicate = locked[survivor.pk], locked[duplicate.pk]
    _check_may_merge(survivor, duplicate, by, reason)
    moved = _Moved()
    _merge_enrolments(survivor, duplicate, moved)
    sessions = list(CourseSession.objects.filter(trainers=duplicate))
    survivor.taught_sessions.add(*sessions)
    moved.sessions = [session.pk for session in sessions]
    changes = _fill_blanks(survivor, duplicate)
    moved.fields = sorted(changes)
    duplicate_id, duplicate_name = duplicate.pk, duplicate.full_name
    try:
        duplicate.delete()
    except ProtectedError as exc:
        raise ConflictError(
            _("%(name)s is still referenced elsewhere and cannot be merged automatically.")
            % {"name": duplicate_name}
        ) from exc
    if changes:  # after the delete: the duplicate's e-mail is unique until it is gone
        participant_update(participant=survivor, by=by, **changes)
    audit_record(
        action=AuditAction.PARTICIPANTS_MERGED,
        obj=survivor,
        summary=_("Merged trainee #%(duplicate)d into #%(survivor)d.")
        % {"duplicate": duplicate_id, "survivor": survivor.pk},
        by=by,
        survivor=survivor.pk,
        duplicate=duplicate_id,
        reason=reason.strip()[:500],
        enrolments_moved=moved.enrolments,
        enrolments_combined=moved.combined,
        sessions_moved=moved.sessions,
        fields_filled=moved.fields,
    )
    survivor.refresh_from_db()
    return survivor
