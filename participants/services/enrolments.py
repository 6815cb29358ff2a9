"""Enrolling trainees in courses and moving them through the statuses: capacity and the waiting
list, who may set which status, and the history of every change.

Every function is atomic and safe to repeat: enrolling someone twice changes nothing the second
time. ``lock_course`` and ``apply_status`` are the building blocks ``delivery`` uses to close a
course under the same locks."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction
from accounts.roles import COORDINATOR, has_role
from core.actor import Actor, actor
from core.errors import ConflictError, DomainError, NotPermittedError
from core.records import record_delete, record_update, save_validated
from core.storage import delete_files_after_commit
from trainings.models import Course, CourseStatus

from .. import reasons
from ..models import (
    FINAL_STATUSES,
    SEATED_STATUSES,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    Participant,
    TeachBack,
)
from .people import participant_create

# --- Enrolments -----------------------------------------------------------------------------

# Kept for callers that named the refused statuses; which courses take enrolments is decided
# once, by ``Course.objects.open_for_enrolment()`` and ``Course.enrolment_refusal()``.
CLOSED_COURSE_STATUSES = frozenset({CourseStatus.CANCELLED, CourseStatus.COMPLETED})


@dataclass
class BulkEnrolResult:
    created: list[Enrolment] = field(default_factory=list)
    existing: list[Enrolment] = field(default_factory=list)

    @property
    def enrolments(self) -> list[Enrolment]:
        return sorted(self.created + self.existing, key=lambda e: e.pk)

    @property
    def seated(self) -> list[Enrolment]:
        """The enrolments this call created with a seat, in arrival order."""
        return [e for e in self.created if e.status != EnrolmentStatus.WAITLISTED]

    @property
    def waitlisted(self) -> list[Enrolment]:
        """The enrolments this call put on the waiting list, in arrival order."""
        return [e for e in self.created if e.status == EnrolmentStatus.WAITLISTED]


def check_course_open(course: Course) -> None:
    """Refuse (409) a course that takes no more enrolments, saying which and why."""
    refusal = course.enrolment_refusal()
    if refusal is not None:
        raise ConflictError(refusal, field="course")


def lock_course(course: Course) -> Course:
    """Serialise enrolment changes of one course, so two requests cannot both take the last
    seat. Returns the locked, fresh row."""
    return Course.objects.select_for_update().get(pk=course.pk)


def seats_taken(course: Course) -> int:
    return Enrolment.objects.filter(course=course).seated().count()


def _free_seats(course: Course) -> int | None:
    """Seats left, or ``None`` when the course has no capacity limit."""
    if course.capacity is None:
        return None
    return max(course.capacity - seats_taken(course), 0)


def _log_changes(rows: Iterable[tuple[Enrolment, str, str, str, list[reasons.Reason]]], by) -> None:
    """One history row per ``(enrolment, from, to, reason typed, reason codes)``."""
    EnrolmentStatusChange.objects.bulk_create(
        EnrolmentStatusChange(
            enrolment=enrolment,
            from_status=before,
            to_status=after,
            reason=reason[:500],
            reason_codes=codes,
            changed_by=actor(by),
        )
        for enrolment, before, after, reason, codes in rows
    )


@transaction.atomic
def enrolments_bulk_create(
    *,
    course: Course,
    participants: Iterable[Participant],
    by: Actor = None,
) -> BulkEnrolResult:
    """Enrol ``participants`` in ``course``. Idempotent: people already enrolled keep their
    enrolment untouched and are reported as ``existing``.

    When the course has a capacity, newcomers beyond it go on the waiting list in the order
    given. The course row is locked for the count, so concurrent requests cannot overbook;
    ``ignore_conflicts`` still lets the unique constraint arbitrate a race on the same person.
    """
    # Checked on the locked row: a course closed meanwhile by someone else is refused.
    course = lock_course(course)
    check_course_open(course)
    wanted = {p.pk: p for p in participants}
    before = set(
        Enrolment.objects.filter(course=course, participant_id__in=wanted).values_list(
            "participant_id", flat=True
        )
    )
    free = _free_seats(course)
    now = timezone.now()
    new = []
    for pk, participant in wanted.items():
        if pk in before:
            continue
        seated = free is None or free > 0
        if free is not None and seated:
            free -= 1
        new.append(
            Enrolment(
                course=course,
                participant=participant,
                status=EnrolmentStatus.NOMINATED if seated else EnrolmentStatus.WAITLISTED,
                status_changed_at=now,
                status_changed_by=actor(by),
            )
        )
    Enrolment.objects.bulk_create(new, ignore_conflicts=True)
    result = BulkEnrolResult()
    found = {
        e.participant_id: e
        for e in Enrolment.objects.filter(course=course, participant_id__in=wanted).select_related(
            "participant"
        )
    }
    for pk in wanted:  # in the order given, which is the order of the waiting list
        if pk in found:
            bucket = result.existing if pk in before else result.created
            bucket.append(found[pk])
    # The course lock makes ``created`` exactly the rows this call inserted.
    full = [reasons.waiting_list_full(capacity=course.capacity)]
    _log_changes(
        (
            (e, "", e.status, "", full if e.status == EnrolmentStatus.WAITLISTED else [])
            for e in result.created
        ),
        by,
    )
    return result


@transaction.atomic
def enrolment_create(*, participant: Participant, course: Course, by: Actor = None) -> Enrolment:
    """Enrol one participant (on the waiting list when the course is full); refuses (409)
    when they are already enrolled."""
    course = lock_course(course)
    check_course_open(course)
    if Enrolment.objects.filter(participant=participant, course=course).exists():
        raise ConflictError(
            _("%(participant)s is already enrolled in %(course)s.")
            % {"participant": participant, "course": course}
        )
    free = _free_seats(course)
    status = EnrolmentStatus.WAITLISTED if free == 0 else EnrolmentStatus.NOMINATED
    enrolment = save_validated(
        Enrolment(
            participant=participant,
            course=course,
            status=status,
            status_changed_at=timezone.now(),
            status_changed_by=actor(by),
        )
    )
    codes = [reasons.waiting_list_full(capacity=course.capacity)] if free == 0 else []
    _log_changes([(enrolment, "", status, "", codes)], by)
    return enrolment


def _check_may_set_status(enrolment: Enrolment, status: str, by: Actor) -> None:
    if status not in EnrolmentStatus.values:
        raise DomainError(
            _("Unknown status %(status)s: use one of %(choices)s.")
            % {"status": status, "choices": ", ".join(EnrolmentStatus.values)},
            field="status",
        )
    touches_final = status in FINAL_STATUSES or (
        enrolment.status in FINAL_STATUSES and status != enrolment.status
    )
    if touches_final and not has_role(by, COORDINATOR):
        raise NotPermittedError(
            _("Only a coordinator can mark a trainee as completed or failed, or undo it.")
        )


def _check_seat(enrolment: Enrolment, status: str) -> None:
    """A trainee leaving the waiting list needs a free seat."""
    if enrolment.status in SEATED_STATUSES or status not in SEATED_STATUSES:
        return
    course = lock_course(enrolment.course)
    if _free_seats(course) == 0:
        raise ConflictError(
            _(
                "%(course)s is full (%(capacity)s seats): raise the capacity or withdraw someone "
                "before moving %(participant)s off the waiting list."
            )
            % {
                "course": course,
                "capacity": course.capacity,
                "participant": enrolment.participant,
            }
        )


def apply_status(
    locked: Enrolment,
    status: str,
    reason: str,
    by,
    *,
    overridden: bool | None = None,
    codes: list[reasons.Reason] | None = None,
) -> bool:
    """Write the new status on a locked row with its history entry; ``False`` when nothing
    changes (same status, no new reason). ``reason`` is what a person typed, ``codes`` the
    system's reasons (``participants.reasons``); a new status replaces both."""
    codes = list(codes or [])
    new_reason = bool(reason or codes) and (
        reason != locked.status_reason or codes != locked.status_reason_codes
    )
    same_status = status == locked.status and not new_reason
    if same_status and overridden in (None, locked.status_overridden):
        return False
    before = locked.status
    locked.status = status
    locked.status_reason = reason
    locked.status_reason_codes = codes
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = actor(by)
    if overridden is not None:
        locked.status_overridden = overridden
    locked.save(
        update_fields=[
            "status",
            "status_reason",
            "status_reason_codes",
            "status_changed_at",
            "status_changed_by",
            "status_overridden",
            "updated_at",
        ]
    )
    _log_changes([(locked, before, status, reason, codes)], by)
    return True


def _promote_from_waiting_list(course: Course, by) -> list[Enrolment]:
    """Give free seats to the longest-waiting trainees. The caller holds the course lock."""
    free = _free_seats(course)
    if free is None:
        waiting = Enrolment.objects.filter(course=course, status=EnrolmentStatus.WAITLISTED)
    elif free > 0:
        waiting = Enrolment.objects.filter(
            course=course, status=EnrolmentStatus.WAITLISTED
        ).order_by("created_at", "pk")[:free]
    else:
        return []
    promoted = list(waiting.select_for_update())
    for enrolment in promoted:
        apply_status(
            enrolment,
            EnrolmentStatus.NOMINATED,
            "",
            by,
            codes=[reasons.moved_up_from_waiting_list()],
        )
    return promoted


@transaction.atomic
def enrolment_set_status(
    *,
    enrolment: Enrolment,
    status: str,
    reason: str = "",
    by: Actor = None,
) -> Enrolment:
    """Move an enrolment to ``status``, recording who did it, when and, if given, why, in the
    enrolment and in its history.

    Repeating the same change (same status, no new reason) changes nothing, so a client retrying
    a request does not rewrite the history of who decided. A trainee leaving the course frees a
    seat for the first one on the waiting list. A coordinator's decision set by hand counts as
    an override of the completion rule, so closing the course keeps it.
    """
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise DomainError(_("The reason may be at most 500 characters."), field="reason")
    # Lock the course, then the row, and decide on the committed state: two people changing the
    # status at once must not interleave status, reason and author. The course comes first, as
    # in every writer that locks both (enrolling, closing), so two of them cannot deadlock.
    Course.objects.select_for_update().get(pk=enrolment.course_id)
    locked = (
        Enrolment.objects.select_related("course", "participant")
        .select_for_update(of=("self",))
        .get(pk=enrolment.pk)
    )
    _check_may_set_status(locked, status, by)
    _check_seat(locked, status)
    was_seated = locked.status in SEATED_STATUSES
    # A final status set by hand is a coordinator's decision: closing the course keeps it.
    overridden = None if status == locked.status else status in FINAL_STATUSES
    changed = apply_status(locked, status, reason, by, overridden=overridden)
    if changed and was_seated and status not in SEATED_STATUSES:
        _promote_from_waiting_list(lock_course(locked.course), by)
    enrolment.refresh_from_db()
    return enrolment


@transaction.atomic
def enrolments_bulk_set_status(
    *,
    course: Course,
    enrolment_ids: Iterable[int],
    status: str,
    reason: str = "",
    by: Actor = None,
) -> list[Enrolment]:
    """Set one status on many enrolments of ``course``, all or nothing: an unknown id, an
    enrolment of another course or a change the user may not make refuses the whole request,
    naming the trainee."""
    ids = list(dict.fromkeys(enrolment_ids))
    if not ids:
        raise DomainError(_("Choose at least one trainee."), field="enrolments")
    found = {
        e.pk: e
        for e in Enrolment.objects.select_related("participant", "course").filter(
            pk__in=ids, course=course
        )
    }
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise DomainError(
            _("These enrolments are not in %(course)s: %(ids)s.")
            % {"course": course, "ids": ", ".join(missing)},
            field="enrolments",
        )
    for enrolment in found.values():
        try:
            _check_may_set_status(enrolment, status, by)
        except NotPermittedError as exc:
            raise NotPermittedError(f"{enrolment.participant}: {exc.message}") from exc
    return [
        enrolment_set_status(enrolment=found[pk], status=status, reason=reason, by=by) for pk in ids
    ]


ENROLMENT_EDITABLE_FIELDS = frozenset({"pre_test_score", "post_test_score", "certificate_language"})


@transaction.atomic
def enrolment_update(
    *,
    enrolment: Enrolment,
    by: Actor = None,
    status: str | None = None,
    reason: str | None = None,
    **fields: Any,
) -> Enrolment:
    """Record test scores or the certificate language and, when ``status`` is given, change the
    status through ``enrolment_set_status`` (with its role rule)."""
    unknown = set(fields) - ENROLMENT_EDITABLE_FIELDS
    if unknown:
        raise DomainError(
            _("These fields of an enrolment cannot be changed: %s") % ", ".join(sorted(unknown))
        )
    if status is not None:
        _check_may_set_status(enrolment, status, by)
    if fields:
        record_update(instance=enrolment, fields=fields)
    if status is not None:
        enrolment_set_status(enrolment=enrolment, status=status, reason=reason or "", by=by)
    return enrolment


@transaction.atomic
def participant_register(
    *, course: Course | None = None, by: Actor = None, **fields: Any
) -> Participant:
    """Register one trainee (``participant_create``) and, when ``course`` is given, enrol them
    in it at once: both or neither."""
    course_country = str(course.country or "") if course is not None else ""
    participant = participant_create(**fields, course_country=course_country, by=by)
    if course is not None:
        enrolment_create(participant=participant, course=course, by=by)
    return participant


# --- Deleting (administrators only) ----------------------------------------------------------


@transaction.atomic
def enrolment_delete(*, enrolment: Enrolment, by: Actor = None) -> None:
    """Remove an enrolment for good: administrators only, audited, its teach-back file deleted
    once the transaction commits. Everyone else withdraws the trainee (a status, kept in the
    history); an enrolment with a certificate is refused (409)."""
    if not (by is not None and by.is_authenticated and getattr(by, "is_superuser", False)):
        raise NotPermittedError(
            _(
                "An enrolment is not deleted: withdraw the trainee instead (status withdrawn, "
                "with the reason), which keeps the history."
            )
        )
    locked = Enrolment.objects.select_for_update().select_related("course").get(pk=enrolment.pk)
    files = [
        (tb.file.storage, tb.file.name)
        for tb in TeachBack.objects.filter(enrolment=locked)
        if tb.file.name
    ]
    summary = _("Enrolment #%(id)s in %(course)s deleted.") % {
        "id": locked.pk,
        "course": locked.course.code,
    }
    audit_record(action=AuditAction.RECORD_DELETED, obj=locked, summary=summary, by=by)
    record_delete(instance=locked)
    delete_files_after_commit(files)


@transaction.atomic
def participant_delete(*, participant: Participant, by: Actor = None) -> None:
    """Remove a trainee's record for good: administrators only, audited, their teach-back
    files deleted once the transaction commits. Removing a person on request is erasure (a
    coordinator, with the reason: ``privacy``), which keeps the training record."""
    if not (by is not None and by.is_authenticated and getattr(by, "is_superuser", False)):
        raise NotPermittedError(
            _(
                "A trainee is not deleted: a coordinator erases their personal data on request "
                "(Personal data, Erase), which keeps the training record and the certificates."
            )
        )
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    files = [
        (tb.file.storage, tb.file.name)
        for tb in TeachBack.objects.filter(enrolment__participant=locked)
        if tb.file.name
    ]
    summary = _("Trainee #%(id)s deleted.") % {"id": locked.pk}
    audit_record(action=AuditAction.RECORD_DELETED, obj=locked, summary=summary, by=by)
    record_delete(instance=locked)
    delete_files_after_commit(files)
