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

from accounts.roles import COORDINATOR, has_role
from trainings.errors import ConflictError, DomainError, NotPermittedError
from trainings.models import Course, CourseStatus
from trainings.services import record_update, save_validated

from . import imports
from .models import Attendance, Enrolment, EnrolmentStatus, Organisation, Participant

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


@transaction.atomic
def enrolments_bulk_create(
    *,
    course: Course,
    participants: Iterable[Participant],
    by: AbstractBaseUser | None = None,
) -> BulkEnrolResult:
    """Enrol ``participants`` in ``course``. Idempotent: people already enrolled keep their
    enrolment untouched and are reported as ``existing``.

    ``ignore_conflicts`` lets the unique constraint arbitrate when two requests enrol the same
    person at once: one insert wins, the other is skipped, and both answers list the same row.
    """
    _check_course_open(course)
    wanted = {p.pk: p for p in participants}
    before = set(
        Enrolment.objects.filter(course=course, participant_id__in=wanted).values_list(
            "participant_id", flat=True
        )
    )
    Enrolment.objects.bulk_create(
        [Enrolment(course=course, participant=p) for pk, p in wanted.items() if pk not in before],
        ignore_conflicts=True,
    )
    result = BulkEnrolResult()
    for enrolment in Enrolment.objects.filter(course=course, participant_id__in=wanted):
        bucket = result.existing if enrolment.participant_id in before else result.created
        bucket.append(enrolment)
    return result


@transaction.atomic
def enrolment_create(
    *, participant: Participant, course: Course, by: AbstractBaseUser | None = None
) -> Enrolment:
    """Enrol one participant; refuses (409) when they are already enrolled."""
    _check_course_open(course)
    if Enrolment.objects.filter(participant=participant, course=course).exists():
        raise ConflictError(
            _("%(participant)s is already enrolled in %(course)s.")
            % {"participant": participant, "course": course}
        )
    return save_validated(Enrolment(participant=participant, course=course))


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


@transaction.atomic
def enrolment_set_status(
    *,
    enrolment: Enrolment,
    status: str,
    reason: str = "",
    by: AbstractBaseUser | None = None,
) -> Enrolment:
    """Move an enrolment to ``status``, recording who did it, when and, if given, why.

    Repeating the same change (same status, no new reason) changes nothing, so a client retrying
    a request does not rewrite the history of who decided.
    """
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise DomainError(_("The reason may be at most 500 characters."), field="reason")
    # Lock the row and decide on its committed state: two people changing the status at once
    # must not interleave status, reason and author.
    locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    _check_may_set_status(locked, status, by)
    if status == locked.status and (not reason or reason == locked.status_reason):
        enrolment.refresh_from_db()
        return enrolment
    locked.status = status
    locked.status_reason = reason
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = by if by is not None and by.is_authenticated else None
    locked.save(
        update_fields=[
            "status",
            "status_reason",
            "status_changed_at",
            "status_changed_by",
            "updated_at",
        ]
    )
    enrolment.refresh_from_db()
    return enrolment


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
    recorder = by if by is not None and by.is_authenticated else None
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
    attendance.recorded_by = by if by is not None and by.is_authenticated else None
    return save_validated(attendance)


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


def _plan_row(number: int, values: dict, plan: _Plan, report, seen: dict) -> None:
    """Validate one non-empty row and decide what happens to it (create, update, duplicate or
    invalid), recording the outcome in ``report``."""
    name = imports.display_name(values)
    clean, errors = imports.validate_row(values)
    if errors:
        report.errors += [imports.RowError(number, f, m) for f, m in errors]
        report.rows.append(imports.RowOutcome(number, "invalid", None, name, _("Invalid row.")))
        report.skipped += 1
        return
    organisation = imports.find_organisation(clean["organisation"])
    person = imports.find_participant(clean, organisation)
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
    for number, raw in enumerate(table.rows, start=2):  # the header is row 1
        if not any((cell or "").strip() for cell in raw):
            continue
        _plan_row(number, imports.row_values(raw, columns), plan, report, seen)
    report.new_organisations = list(plan.new_organisations.values())
    return plan


def _apply_row(item: _PlannedRow, organisations: dict, by: AbstractBaseUser | None):
    fields = {name: item.values[name] for name in imports.FIELDS if name != "organisation"}
    organisation = item.organisation or organisations.get(item.values["organisation"].casefold())
    if item.participant is None:
        return participant_create(**fields, organisation=organisation, by=by)
    # An update only overwrites with what the file says; empty cells keep what is registered.
    changes = {name: value for name, value in fields.items() if value}
    if organisation is not None:
        changes["organisation"] = organisation
    return participant_update(participant=item.participant, by=by, **changes)


def _apply_plan(plan: _Plan, by: AbstractBaseUser | None) -> list[Participant]:
    organisations = {
        key: save_validated(Organisation(name=name)) for key, name in plan.new_organisations.items()
    }
    people = []
    for item in plan.rows:
        person = _apply_row(item, organisations, by)
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
