"""Recording daily attendance, one cell or a whole grid at once. Safe to repeat: recording the
same day twice updates it."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.actor import Actor, actor
from core.errors import ConflictError, DomainError
from core.records import save_validated
from participants.models import (
    Attendance,
    Enrolment,
)
from trainings.models import Course

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
    by: Actor = None,
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
    by: Actor = None,
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
def attendance_grid_save(*, course: Course, marks: Iterable[GridMark], by: Actor = None) -> int:
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


def attendance_mark_day(*, course: Course, date: dt.date, by: Actor = None) -> int:
    """Mark everyone in the course present on ``date`` (then correct the absent ones); all or
    nothing, like the grid. Returns how many cells were saved."""
    ids = Enrolment.objects.filter(course=course).seated()
    marks = [GridMark(pk, date, True) for pk in ids.values_list("pk", flat=True)]
    return attendance_grid_save(course=course, marks=marks, by=by)
