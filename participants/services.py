"""Writes on trainees, their enrolments and attendance.

Every function is atomic and safe to repeat: enrolling someone twice, or recording the same
attendance twice, changes nothing the second time. Role rules that belong to the domain (only a
coordinator decides whether a trainee completed) are enforced here, so the API, the pages and
the admin cannot disagree.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction
from accounts.roles import COORDINATOR, has_role
from core.actor import actor
from core.checked_files import checked_file_facts
from core.errors import ConflictError, DomainError, NotPermittedError
from core.records import record_update, save_validated
from trainings.models import Course, CourseStatus

from . import completion, imports
from .models import (
    Attendance,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    Organisation,
    Participant,
    TeachBack,
)

# --- Participants ---------------------------------------------------------------------------

PARTICIPANT_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "native_name",
        "gender",
        "email",
        "phone",
        "organisation",
        "position",
        "country",
        "consent_given",
        "consent_date",
        "notes",
    }
)
_TRIMMED = ("first_name", "last_name", "native_name", "email", "phone", "position")


def phone_normalise(raw: str, country: str = "") -> str:
    """The number in international format when it parses as a valid number (national numbers
    are read in the trainee's country), otherwise the number exactly as given."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, str(country or "") or None)
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_valid_number(number):
        return raw
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _clean_participant_fields(fields: dict[str, Any], country: str = "") -> dict[str, Any]:
    unknown = set(fields) - PARTICIPANT_FIELDS
    if unknown:
        raise DomainError(_("Unknown participant fields: %s") % ", ".join(sorted(unknown)))
    fields = dict(fields)
    for name in _TRIMMED:
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "phone" in fields:
        fields["phone"] = phone_normalise(fields["phone"], fields.get("country", country))
    return fields


def _check_participant(participant: Participant) -> None:
    """The two rules whose constraint messages would otherwise be cryptic."""
    if not participant.first_name and not participant.last_name:
        raise DomainError(
            _("A participant needs at least one name (given or family)."), field="first_name"
        )
    if participant.email:
        clash = Participant.objects.filter(email__iexact=participant.email)
        if participant.pk:
            clash = clash.exclude(pk=participant.pk)
        if clash.exists():
            raise DomainError(
                _("Another participant is already registered with the e-mail %(email)s.")
                % {"email": participant.email},
                field="email",
            )


def _stamp_consent(participant: Participant) -> None:
    if participant.consent_given and not participant.consent_date:
        participant.consent_date = timezone.localdate()


@transaction.atomic
def participant_create(
    *,
    first_name: str = "",
    last_name: str = "",
    native_name: str = "",
    gender: str = "",
    email: str = "",
    phone: str = "",
    organisation: Organisation | None = None,
    position: str = "",
    country: str = "",
    consent_given: bool = False,
    consent_date: dt.date | None = None,
    notes: str = "",
    by: AbstractBaseUser | None = None,
) -> Participant:
    """Register one trainee. A single name is enough; an e-mail, when given, must be unique
    (case-insensitive)."""
    fields = _clean_participant_fields(
        {
            "first_name": first_name,
            "last_name": last_name,
            "native_name": native_name,
            "gender": gender,
            "email": email,
            "phone": phone,
            "organisation": organisation,
            "position": position,
            "country": country,
            "consent_given": consent_given,
            "consent_date": consent_date,
            "notes": notes,
        }
    )
    participant = Participant(**fields)
    _check_participant(participant)
    _stamp_consent(participant)
    return save_validated(participant)


@transaction.atomic
def participant_update(
    *, participant: Participant, by: AbstractBaseUser | None = None, **fields: Any
) -> Participant:
    """Change some of a trainee's fields (the import column names)."""
    fields = _clean_participant_fields(fields, country=str(participant.country or ""))
    for name, value in fields.items():
        setattr(participant, name, value)
    _check_participant(participant)
    _stamp_consent(participant)
    return save_validated(participant)


# --- Enrolments -----------------------------------------------------------------------------

# Deciding that a trainee completed or failed a course is the coordinator's call, and so is
# undoing that decision.
FINAL_STATUSES = frozenset({EnrolmentStatus.COMPLETED, EnrolmentStatus.FAILED})
CLOSED_COURSE_STATUSES = frozenset({CourseStatus.CANCELLED})


@dataclass
class BulkEnrolResult:
    created: list[Enrolment] = field(default_factory=list)
    existing: list[Enrolment] = field(default_factory=list)

    @property
    def enrolments(self) -> list[Enrolment]:
        return sorted(self.created + self.existing, key=lambda e: e.pk)


def _check_course_open(course: Course) -> None:
    if course.status in CLOSED_COURSE_STATUSES:
        raise DomainError(
            _("Nobody can be enrolled in %(course)s: the course is %(status)s.")
            % {"course": course, "status": course.get_status_display().lower()}
        )


# Statuses that hold a seat in the course; the waiting list and withdrawals do not.
SEATED_STATUSES = frozenset(
    {
        EnrolmentStatus.NOMINATED,
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.ATTENDED,
        EnrolmentStatus.COMPLETED,
        EnrolmentStatus.FAILED,
    }
)


def _lock_course(course: Course) -> Course:
    """Serialise enrolment changes of one course, so two requests cannot both take the last
    seat. Returns the locked, fresh row."""
    return Course.objects.select_for_update().get(pk=course.pk)


def seats_taken(course: Course) -> int:
    return Enrolment.objects.filter(course=course, status__in=SEATED_STATUSES).count()


def _free_seats(course: Course) -> int | None:
    """Seats left, or ``None`` when the course has no capacity limit."""
    if course.capacity is None:
        return None
    return max(course.capacity - seats_taken(course), 0)


def _log_changes(rows: Iterable[tuple[Enrolment, str, str, str]], by) -> None:
    """One history row per ``(enrolment, from, to, reason)``."""
    EnrolmentStatusChange.objects.bulk_create(
        EnrolmentStatusChange(
            enrolment=enrolment,
            from_status=before,
            to_status=after,
            reason=reason[:500],
            changed_by=actor(by),
        )
        for enrolment, before, after, reason in rows
    )


@transaction.atomic
def enrolments_bulk_create(
    *,
    course: Course,
    participants: Iterable[Participant],
    by: AbstractBaseUser | None = None,
) -> BulkEnrolResult:
    """Enrol ``participants`` in ``course``. Idempotent: people already enrolled keep their
    enrolment untouched and are reported as ``existing``.

    When the course has a capacity, newcomers beyond it go on the waiting list in the order
    given. The course row is locked for the count, so concurrent requests cannot overbook;
    ``ignore_conflicts`` still lets the unique constraint arbitrate a race on the same person.
    """
    _check_course_open(course)
    course = _lock_course(course)
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
    for enrolment in Enrolment.objects.filter(course=course, participant_id__in=wanted):
        bucket = result.existing if enrolment.participant_id in before else result.created
        bucket.append(enrolment)
    # The course lock makes ``created`` exactly the rows this call inserted.
    full = _("Course full: on the waiting list.")
    _log_changes(
        (
            (e, "", e.status, full if e.status == EnrolmentStatus.WAITLISTED else "")
            for e in result.created
        ),
        by,
    )
    return result


@transaction.atomic
def enrolment_create(
    *, participant: Participant, course: Course, by: AbstractBaseUser | None = None
) -> Enrolment:
    """Enrol one participant (on the waiting list when the course is full); refuses (409)
    when they are already enrolled."""
    _check_course_open(course)
    course = _lock_course(course)
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
    reason = _("Course full: on the waiting list.") if free == 0 else ""
    _log_changes([(enrolment, "", status, reason)], by)
    return enrolment


def _check_may_set_status(enrolment: Enrolment, status: str, by: AbstractBaseUser | None) -> None:
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
    course = _lock_course(enrolment.course)
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


def _apply_status(
    locked: Enrolment, status: str, reason: str, by, *, overridden: bool | None = None
) -> bool:
    """Write the new status on a locked row with its history entry; ``False`` when nothing
    changes (same status, no new reason)."""
    same_status = status == locked.status and (not reason or reason == locked.status_reason)
    if same_status and overridden in (None, locked.status_overridden):
        return False
    before = locked.status
    locked.status = status
    locked.status_reason = reason
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = actor(by)
    if overridden is not None:
        locked.status_overridden = overridden
    locked.save(
        update_fields=[
            "status",
            "status_reason",
            "status_changed_at",
            "status_changed_by",
            "status_overridden",
            "updated_at",
        ]
    )
    _log_changes([(locked, before, status, reason)], by)
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
        _apply_status(
            enrolment, EnrolmentStatus.NOMINATED, _("A seat became free: off the waiting list."), by
        )
    return promoted


@transaction.atomic
def enrolment_set_status(
    *,
    enrolment: Enrolment,
    status: str,
    reason: str = "",
    by: AbstractBaseUser | None = None,
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
    changed = _apply_status(locked, status, reason, by, overridden=overridden)
    if changed and was_seated and status not in SEATED_STATUSES:
        _promote_from_waiting_list(_lock_course(locked.course), by)
    enrolment.refresh_from_db()
    return enrolment


@transaction.atomic
def enrolments_bulk_set_status(
    *,
    course: Course,
    enrolment_ids: Iterable[int],
    status: str,
    reason: str = "",
    by: AbstractBaseUser | None = None,
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
    by: AbstractBaseUser | None = None,
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


# --- Attendance -----------------------------------------------------------------------------


def _check_course_day(enrolment: Enrolment, date: dt.date) -> None:
    course = enrolment.course
    if not (course.start_date <= date <= course.end_date):
        raise DomainError(
            _("%(date)s is not a day of the course (%(start)s to %(end)s).")
            % {"date": date, "start": course.start_date, "end": course.end_date},
            field="date",
        )


@transaction.atomic
def attendance_record(
    *,
    enrolment: Enrolment,
    date: dt.date,
    present: bool = True,
    by: AbstractBaseUser | None = None,
) -> tuple[Attendance, bool]:
    """Record whether a trainee was present on one course day; returns ``(row, created)``.

    Recording the same day again updates that day's row: there is one row per trainee and day,
    whoever records it and however often.
    """
    _check_course_day(enrolment, date)
    recorder = actor(by)
    try:
        with transaction.atomic():
            return Attendance.objects.update_or_create(
                enrolment=enrolment,
                date=date,
                defaults={"present": present, "recorded_by": recorder},
            )
    except IntegrityError:
        # Another request inserted the same day between our read and our insert: update it.
        row = Attendance.objects.get(enrolment=enrolment, date=date)
        row.present, row.recorded_by = present, recorder
        row.save(update_fields=["present", "recorded_by", "recorded_at"])
        return row, False


@transaction.atomic
def attendance_update(
    *,
    attendance: Attendance,
    by: AbstractBaseUser | None = None,
    present: bool | None = None,
    date: dt.date | None = None,
) -> Attendance:
    """Correct one attendance row: whether the trainee was present, or the day it is for."""
    if date is not None and date != attendance.date:
        _check_course_day(attendance.enrolment, date)
        if Attendance.objects.filter(enrolment=attendance.enrolment_id, date=date).exists():
            raise ConflictError(_("Attendance for %(date)s is already recorded.") % {"date": date})
        attendance.date = date
    if present is not None:
        attendance.present = present
    attendance.recorded_by = actor(by)
    return save_validated(attendance)


@dataclass
class GridMark:
    enrolment: int
    date: dt.date
    present: bool | None


@transaction.atomic
def attendance_grid_save(
    *, course: Course, marks: Iterable[GridMark], by: AbstractBaseUser | None = None
) -> int:
    """Save many cells of a course's attendance grid at once, all or nothing: every mark must be
    for an enrolment of ``course`` and a course day. ``present=None`` clears a cell (not
    recorded). Returns the number of cells written."""
    marks = list(marks)
    if not marks:
        return 0
    enrolment_ids = {m.enrolment for m in marks}
    known = set(
        Enrolment.objects.filter(course=course, pk__in=enrolment_ids).values_list("pk", flat=True)
    )
    for index, mark in enumerate(marks):
        if mark.enrolment not in known:
            raise DomainError(
                _("Mark %(n)s: enrolment %(id)s is not in %(course)s.")
                % {"n": index + 1, "id": mark.enrolment, "course": course},
                field="marks",
            )
        if not (course.start_date <= mark.date <= course.end_date):
            raise DomainError(
                _("Mark %(n)s: %(date)s is not a day of the course (%(start)s to %(end)s).")
                % {
                    "n": index + 1,
                    "date": mark.date,
                    "start": course.start_date,
                    "end": course.end_date,
                },
                field="marks",
            )
    recorder = actor(by)
    # The last mark for a cell wins, as if the marks had been sent one by one.
    cells = {(m.enrolment, m.date): m.present for m in marks}
    clear = [key for key, present in cells.items() if present is None]
    for enrolment_id, date in clear:
        Attendance.objects.filter(enrolment_id=enrolment_id, date=date).delete()
    existing = {
        (a.enrolment_id, a.date): a
        for a in Attendance.objects.filter(
            enrolment_id__in=enrolment_ids, date__in={d for _, d in cells}
        )
    }
    changed, new = [], []
    for (enrolment_id, date), present in cells.items():
        if present is None:
            continue
        row = existing.get((enrolment_id, date))
        if row is None:
            new.append(
                Attendance(
                    enrolment_id=enrolment_id, date=date, present=present, recorded_by=recorder
                )
            )
        elif row.present != present:
            row.present, row.recorded_by = present, recorder
            changed.append(row)
    Attendance.objects.bulk_create(new)
    for row in changed:  # few rows in practice; save() keeps recorded_at (auto_now) correct
        row.save(update_fields=["present", "recorded_by", "recorded_at"])
    return len(cells)


# --- Teach-back modules ---------------------------------------------------------------------

TEACHBACK_FIELDS = frozenset({"title", "module", "score", "evaluator", "evaluated_at", "comments"})


@transaction.atomic
def teachback_save(
    *,
    enrolment: Enrolment,
    by: AbstractBaseUser | None = None,
    file: Any = None,
    **fields: Any,
) -> TeachBack:
    """Record or update the teach-back module of one enrolment (one per enrolment). A new file
    replaces the old one, which is deleted from storage once the transaction commits."""
    unknown = set(fields) - TEACHBACK_FIELDS
    if unknown:
        raise DomainError(
            _("These fields of a teach-back cannot be changed: %s") % ", ".join(sorted(unknown))
        )
    teachback = TeachBack.objects.select_for_update().filter(enrolment=enrolment).first()
    if teachback is None:
        teachback = TeachBack(enrolment=enrolment)
    for name, value in fields.items():
        setattr(teachback, name, value.strip() if isinstance(value, str) else value)
    if not (teachback.title or "").strip():
        raise DomainError(_("A teach-back module needs a title."), field="title")
    old_file = teachback.file.name if teachback.file else ""
    if file is not None:
        for name, value in checked_file_facts(file).items():
            setattr(teachback, name, value)
        teachback.file.save("upload", file, save=False)
        if old_file:
            storage = teachback.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    teachback.recorded_by = actor(by)
    return save_validated(teachback)


# --- Completion -----------------------------------------------------------------------------


@dataclass
class CloseResult:
    completed: list[Enrolment] = field(default_factory=list)
    failed: list[Enrolment] = field(default_factory=list)
    kept: list[Enrolment] = field(default_factory=list)  # coordinators' overrides
    blocked: list[tuple[Enrolment, str]] = field(default_factory=list)


def _has_live_certificate(enrolment: Enrolment) -> bool:
    from certificates.models import Certificate, CertificateStatus

    return Certificate.objects.filter(enrolment=enrolment, status=CertificateStatus.VALID).exists()


@transaction.atomic
def course_close(*, course: Course, by: AbstractBaseUser | None = None) -> CloseResult:
    """Apply the completion rule to every trainee of ``course`` and mark the course completed.

    Each enrolment in the course becomes ``completed`` or ``failed`` with the rule's reason in
    words; a coordinator's override is kept. Closing again re-evaluates (after a corrected
    attendance mark, say), but never fails a trainee who already holds a valid certificate:
    that one is reported as blocked, to be revoked first. Coordinators only.
    """
    if not has_role(by, COORDINATOR):
        raise NotPermittedError(_("Only a coordinator can close a course."))
    course = _lock_course(course)
    if course.status == CourseStatus.CANCELLED:
        raise DomainError(_("A cancelled course cannot be closed."))
    if timezone.localdate() < course.end_date:
        raise DomainError(
            _("%(course)s ends on %(date)s; it can be closed from that day.")
            % {"course": course, "date": course.end_date}
        )
    result = CloseResult()
    # Lock the rows first (FOR UPDATE cannot go with the counting query's GROUP BY), then read
    # them with their attendance counted.
    list(Enrolment.objects.filter(course=course).select_for_update().values_list("pk"))
    for enrolment, verdict in completion.evaluate_course(course):
        if enrolment.status_overridden:
            result.kept.append(enrolment)
            continue
        if verdict.qualifies:
            _apply_status(enrolment, EnrolmentStatus.COMPLETED, "", by, overridden=False)
            result.completed.append(enrolment)
        elif enrolment.status == EnrolmentStatus.COMPLETED and _has_live_certificate(enrolment):
            result.blocked.append((enrolment, verdict.reason))
        else:
            _apply_status(enrolment, EnrolmentStatus.FAILED, verdict.reason, by, overridden=False)
            result.failed.append(enrolment)
    if course.status != CourseStatus.COMPLETED:
        course.status = CourseStatus.COMPLETED
        course.save(update_fields=["status", "updated_at"])
    audit_record(
        action=AuditAction.COURSE_CLOSED,
        obj=course,
        summary=_("Closed %(course)s: %(completed)s completed, %(failed)s did not.")
        % {"course": course.code, "completed": len(result.completed), "failed": len(result.failed)},
        by=by,
        completed=[e.pk for e in result.completed],
        failed=[e.pk for e in result.failed],
        kept=[e.pk for e in result.kept],
        blocked=[e.pk for e, _reason in result.blocked],
    )
    return result


@transaction.atomic
def enrolment_override(
    *, enrolment: Enrolment, status: str, reason: str, by: AbstractBaseUser | None = None
) -> Enrolment:
    """A coordinator decides completed or failed against the rule, with a reason that is kept
    in the enrolment, its history and the audit log. Closing the course keeps the decision."""
    if not has_role(by, COORDINATOR):
        raise NotPermittedError(_("Only a coordinator can override the completion rule."))
    if status not in FINAL_STATUSES:
        raise DomainError(
            _("An override sets completed or failed, not %(status)s.") % {"status": status},
            field="status",
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the rule is overridden."), field="reason")
    if len(reason) > 500:
        raise DomainError(_("The reason may be at most 500 characters."), field="reason")
    locked = (
        Enrolment.objects.select_related("participant", "course")
        .select_for_update()
        .get(pk=enrolment.pk)
    )
    if locked.status in (EnrolmentStatus.WAITLISTED, EnrolmentStatus.WITHDRAWN):
        raise DomainError(
            _("%(participant)s is %(status)s, not in the course.")
            % {"participant": locked.participant, "status": locked.get_status_display().lower()}
        )
    before = locked.status
    if _apply_status(locked, status, reason, by, overridden=True):
        audit_record(
            action=AuditAction.COMPLETION_OVERRIDDEN,
            obj=locked,
            summary=_("%(course)s, enrolment %(id)s: %(before)s -> %(after)s")
            % {"course": locked.course.code, "id": locked.pk, "before": before, "after": status},
            by=by,
            reason=reason,
        )
    enrolment.refresh_from_db()
    return enrolment


# --- Import ---------------------------------------------------------------------------------


class ImportRefused(DomainError):
    """The file has invalid rows and ``skip_invalid`` was not asked for: nothing was written.
    ``report`` says which rows and fields, and what the import would otherwise have done."""

    def __init__(self, report: imports.ImportReport) -> None:
        super().__init__(_("The file has invalid rows; nothing was imported."))
        self.report = report


@dataclass
class _PlannedRow:
    outcome: imports.RowOutcome
    values: dict[str, str]
    organisation: Organisation | None
    participant: Participant | None


@dataclass
class _Plan:
    rows: list[_PlannedRow] = field(default_factory=list)
    duplicates: dict[int, int] = field(default_factory=dict)  # row number → first row number
    new_organisations: dict[str, str] = field(default_factory=dict)  # casefold → as spelled


def _read_upload(file: Any) -> bytes:
    if (getattr(file, "size", 0) or 0) > imports.MAX_BYTES:
        raise DomainError(_("The file is larger than 5 MB; split it into smaller files."))
    return file.read(imports.MAX_BYTES + 1)


def _plan_row(
    number: int, values: dict, plan: _Plan, report, seen: dict, registry: imports.Registry
) -> None:
    """Validate one non-empty row and decide what happens to it (create, update, duplicate or
    invalid), recording the outcome in ``report``."""
    name = imports.display_name(values)
    clean, errors = imports.validate_row(values)
    if errors:
        report.errors += [imports.RowError(number, f, m) for f, m in errors]
        report.rows.append(imports.RowOutcome(number, "invalid", None, name, _("Invalid row.")))
        report.skipped += 1
        return
    organisation = registry.organisation(clean["organisation"])
    person = registry.participant(clean, organisation)
    org_key = organisation.pk if organisation else clean["organisation"].casefold() or None
    keys = imports.identity_keys(clean, org_key, person.pk if person else None)
    first = next((seen[key] for key in keys if key in seen), None)
    if first is not None:
        message = _("duplicate of row %d") % first
        report.rows.append(imports.RowOutcome(number, "duplicate", None, name, message))
        report.skipped += 1
        plan.duplicates[number] = first
        return
    seen.update(dict.fromkeys(keys, number))
    if organisation is None and clean["organisation"]:
        plan.new_organisations.setdefault(org_key, clean["organisation"])
    action = "update" if person else "create"
    outcome = imports.RowOutcome(number, action, person.pk if person else None, name)
    report.rows.append(outcome)
    report.updated += bool(person)
    report.created += not person
    plan.rows.append(_PlannedRow(outcome, clean, organisation, person))


def _plan_import(table: imports.Table, report: imports.ImportReport) -> _Plan:
    columns, report.ignored_columns = imports.map_header(table.header)
    plan, seen = _Plan(), {}
    rows = [
        (number, imports.row_values(raw, columns))
        for number, raw in enumerate(table.rows, start=2)  # the header is row 1
        if any((cell or "").strip() for cell in raw)
    ]
    registry = imports.Registry(values for _number, values in rows)
    for number, values in rows:
        _plan_row(number, values, plan, report, seen, registry)
    report.new_organisations = list(plan.new_organisations.values())
    return plan


def _row_fields(item: _PlannedRow, organisations: dict) -> tuple[dict[str, Any], Any]:
    fields = {name: item.values[name] for name in imports.FIELDS if name != "organisation"}
    organisation = item.organisation or organisations.get(item.values["organisation"].casefold())
    return fields, organisation


def _update_row(item: _PlannedRow, organisations: dict, by) -> Participant:
    """An update only overwrites with what the file says; empty cells keep what is registered.
    A row that changes nothing writes nothing, so re-importing a list is cheap and leaves
    ``updated_at`` alone."""
    fields, organisation = _row_fields(item, organisations)
    person = item.participant
    changes = {name: value for name, value in fields.items() if value}
    if organisation is not None:
        changes["organisation"] = organisation
    cleaned = _clean_participant_fields(changes, country=str(person.country or ""))
    if all(getattr(person, name) == value for name, value in cleaned.items()):
        return person
    return participant_update(participant=person, by=by, **changes)


def _create_rows(items: list[_PlannedRow], organisations: dict) -> list[Participant]:
    """Insert the new people of an import in batches.

    ``imports.validate_row`` checked every value the file can set (lengths, e-mail, gender,
    country, a name) and the registry matched every e-mail already registered, so the per-row
    ``full_clean`` of ``participant_create`` (two constraint queries a row) is not repeated
    here. The database constraints still stand guard: if someone registers one of these people
    while the list is imported, the import is refused with a clear message and nothing is kept.
    """
    people = []
    for item in items:
        fields, organisation = _row_fields(item, organisations)
        person = Participant(**_clean_participant_fields(fields), organisation=organisation)
        _stamp_consent(person)
        people.append(person)
    try:
        with transaction.atomic():
            Participant.objects.bulk_create(people, batch_size=500)
    except IntegrityError as exc:
        raise ConflictError(
            _(
                "Someone registered one of these people while the list was being imported; "
                "nothing was imported. Import the file again."
            )
        ) from exc
    return people


def _apply_plan(plan: _Plan, by: AbstractBaseUser | None) -> list[Participant]:
    organisations = {
        key: save_validated(Organisation(name=name)) for key, name in plan.new_organisations.items()
    }
    created = iter(_create_rows([i for i in plan.rows if i.participant is None], organisations))
    people = []
    for item in plan.rows:
        new = item.participant is None
        person = next(created) if new else _update_row(item, organisations, by)
        item.outcome.participant = person.pk
        people.append(person)
    return people


def _would_enrol(plan: _Plan, course: Course) -> int:
    existing = [item.participant.pk for item in plan.rows if item.participant]
    already = Enrolment.objects.filter(course=course, participant_id__in=existing).count()
    return len(plan.rows) - already


def _fill_duplicates(plan: _Plan, report: imports.ImportReport) -> None:
    by_row = {outcome.row: outcome for outcome in report.rows}
    for number, first in plan.duplicates.items():
        by_row[number].participant = by_row[first].participant


@transaction.atomic
def participants_import(
    *,
    file: Any,
    by: AbstractBaseUser | None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    course: Course | None = None,
) -> imports.ImportReport:
    """Register or update the trainees listed in a CSV or XLSX file, and enrol them in
    ``course`` when given. Every row is validated before anything is written: with invalid rows
    and no ``skip_invalid`` it raises ``ImportRefused`` and writes nothing. A dry run writes
    nothing and reports what the import would do. Importing the same file twice registers
    each person once (the second time as updates)."""
    report = imports.ImportReport(dry_run=dry_run)
    plan = _plan_import(imports.read_table(_read_upload(file)), report)
    if course is not None:
        _check_course_open(course)
        report.enrolled = _would_enrol(plan, course)
    if dry_run:
        return report
    if report.errors and not skip_invalid:
        raise ImportRefused(report)
    people = _apply_plan(plan, by)
    _fill_duplicates(plan, report)
    if course is not None:
        report.enrolled = len(
            enrolments_bulk_create(course=course, participants=people, by=by).created
        )
    return report
