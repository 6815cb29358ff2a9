"""Reads of running a course: the completion rule per trainee, the attendance grid and what
closing or reopening a course would do, shared by the API, the course's tabs and
``delivery.services``. Nothing here writes."""

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import AuditAction, AuditEntry
from certificates.models import Certificate, CertificateStatus
from core.text import joined
from participants import reasons as catalogue
from participants.models import (
    FINAL_STATUSES,
    Attendance,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
)
from participants.reasons import Reason
from participants.serializers import knowledge_gain
from trainings.models import Course, CourseStatus

from . import completion


def completion_rows(course: Course) -> list[dict]:
    rows = []
    for enrolment, verdict in completion.evaluate_course(course):
        teachback = getattr(enrolment, "teachback", None)
        rows.append(
            {
                "enrolment": enrolment.pk,
                "participant": enrolment.participant_id,
                "name": enrolment.participant.full_name,
                "native_name": enrolment.participant.native_name,
                "status": enrolment.status,
                "status_label": enrolment.get_status_display(),
                "status_reason": enrolment.status_reason_text,
                "status_reason_codes": enrolment.status_reason_codes,
                "status_overridden": enrolment.status_overridden,
                "days_present": verdict.days_present,
                "days_required": verdict.days_required,
                "days_total": verdict.days_total,
                "pre_test_score": enrolment.pre_test_score,
                "post_test_score": enrolment.post_test_score,
                "knowledge_gain": knowledge_gain(enrolment),
                "teachback": teachback,
                "qualifies": verdict.qualifies,
                "reasons": verdict.reasons,
                "reason_codes": verdict.codes,
            }
        )
    return rows


def attendance_grid(course: Course) -> dict:
    """Days, and one row per trainee in the course with each day's mark: two queries."""
    enrolments = list(
        Enrolment.objects.filter(course=course)
        .seated()
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    marks: dict[int, dict] = defaultdict(dict)
    for enrolment_id, date, present in Attendance.objects.filter(
        enrolment__in=[e.pk for e in enrolments]
    ).values_list("enrolment_id", "date", "present"):
        marks[enrolment_id][date] = present
    days = completion.course_days(course)
    return {
        "days": days,
        "rows": [
            {
                "enrolment": e.pk,
                "participant": e.participant_id,
                "name": e.participant.full_name,
                "native_name": e.participant.native_name,
                "status": e.status,
                "marks": {day.isoformat(): marks[e.pk].get(day) for day in days},
                "days_present": sum(1 for day in days if marks[e.pk].get(day)),
            }
            for e in enrolments
        ],
    }


# --- Closing and reopening a course -----------------------------------------------------------

# What closing does to one trainee: the rule decides (``COMPLETE``, ``FAIL``), or their status is
# kept because a coordinator decided it by hand or because they hold a valid certificate.
COMPLETE = "complete"
FAIL = "fail"
KEPT_DECISION = "kept_decision"
KEPT_CERTIFICATE = "kept_certificate"
CLOSE_OUTCOMES = (COMPLETE, FAIL, KEPT_DECISION, KEPT_CERTIFICATE)


@dataclass
class CloseRow:
    enrolment: Enrolment
    outcome: str
    verdict: completion.Verdict

    @property
    def new_status(self) -> str:
        if self.outcome == COMPLETE:
            return EnrolmentStatus.COMPLETED
        if self.outcome == FAIL:
            return EnrolmentStatus.FAILED
        return self.enrolment.status

    @property
    def new_status_label(self) -> str:
        return str(EnrolmentStatus(self.new_status).label)

    @property
    def reason_codes(self) -> list[Reason]:
        """What closing stores as the reason (nothing when the status is kept)."""
        if self.outcome == COMPLETE:
            return [catalogue.meets_rule()]
        return self.verdict.codes if self.outcome == FAIL else []

    @property
    def reasons(self) -> list[str]:
        """Why, in words: the rule's unmet conditions, or why the status is kept."""
        if self.outcome == KEPT_DECISION:
            reason = self.enrolment.status_reason_text
            return [
                _("Kept: decided by a coordinator (%(reason)s).") % {"reason": reason}
                if reason
                else _("Kept: decided by a coordinator.")
            ]
        if self.outcome == KEPT_CERTIFICATE:
            kept = _("Kept: holds a valid certificate.")
            if self.verdict.qualifies:
                return [kept]
            return [
                kept,
                _(
                    "By the rule they would not complete (%(reason)s); revoke the certificate first if the rule applies."
                )
                % {"reason": self.verdict.reason},
            ]
        if self.outcome == COMPLETE:
            return [_("Meets the rule.")]
        return self.verdict.reasons


@dataclass
class ClosePreview:
    """What closing ``course`` would do now: one row per trainee in the course and, when the
    course may not be closed yet, the problems in words (``problems``)."""

    course: Course
    rows: list[CloseRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def count(self, *outcomes: str) -> int:
        return sum(1 for row in self.rows if row.outcome in outcomes)

    @property
    def completing(self) -> int:
        return self.count(COMPLETE)

    @property
    def failing(self) -> int:
        return self.count(FAIL)

    @property
    def kept(self) -> int:
        return self.count(KEPT_DECISION, KEPT_CERTIFICATE)

    @property
    def token(self) -> str:
        """A digest of what closing would write. The confirmation sends it back, so a change
        made between the preview and the click (a score recorded, an attendance corrected) is
        refused instead of closing on something the coordinator did not see."""
        plan = [(row.enrolment.pk, row.outcome, row.verdict.codes) for row in self.rows]
        digest = hashlib.sha256(json.dumps([self.course.pk, plan, self.problems]).encode())
        return digest.hexdigest()[:20]


def _names(rows: list[CloseRow]) -> str:
    return joined(row.enrolment.participant.full_name for row in rows)


def _day_list(days: list[dt.date]) -> str:
    return joined(date_format(day, "MONTH_DAY_FORMAT") for day in days)


def _record_problems(course: Course, rows: list[CloseRow], recorded: set) -> list[str]:
    """The records the rule needs and that are missing, for the trainees the rule decides."""
    problems = []
    days = completion.course_days(course)
    days_recorded = {day for _enrolment, day in recorded}
    missing_days = [day for day in days if day not in days_recorded]
    if missing_days:
        problems.append(
            ngettext(
                "No attendance recorded for %(missing)s of %(total)s day: %(days)s.",
                "No attendance recorded for %(missing)s of %(total)s days: %(days)s.",
                len(days),
            )
            % {"missing": len(missing_days), "total": len(days), "days": _day_list(missing_days)}
        )
    trainees_recorded = {enrolment for enrolment, _day in recorded}
    missing = [row for row in rows if row.enrolment.pk not in trainees_recorded]
    if missing:
        problems.append(
            ngettext(
                "No attendance recorded for %(count)s trainee: %(names)s.",
                "No attendance recorded for %(count)s trainees: %(names)s.",
                len(missing),
            )
            % {"count": len(missing), "names": _names(missing)}
        )
    missing = [row for row in rows if row.enrolment.post_test_score is None]
    if course.min_post_test_score is not None and missing:
        problems.append(
            ngettext(
                "Post-test score missing for %(count)s trainee: %(names)s.",
                "Post-test score missing for %(count)s trainees: %(names)s.",
                len(missing),
            )
            % {"count": len(missing), "names": _names(missing)}
        )
    missing = [row for row in rows if not _teachback_scored(row.enrolment)]
    if course.requires_teachback and missing:
        problems.append(
            ngettext(
                "Teach-back not scored for %(count)s trainee: %(names)s.",
                "Teach-back not scored for %(count)s trainees: %(names)s.",
                len(missing),
            )
            % {"count": len(missing), "names": _names(missing)}
        )
    return problems


def _teachback_scored(enrolment: Enrolment) -> bool:
    teachback = getattr(enrolment, "teachback", None)
    return teachback is not None and teachback.score is not None


def _close_row(enrolment: Enrolment, verdict: completion.Verdict, certified: set[int]) -> CloseRow:
    if enrolment.status_overridden:
        return CloseRow(enrolment, KEPT_DECISION, verdict)
    if enrolment.status == EnrolmentStatus.COMPLETED and enrolment.pk in certified:
        return CloseRow(enrolment, KEPT_CERTIFICATE, verdict)
    return CloseRow(enrolment, COMPLETE if verdict.qualifies else FAIL, verdict)


def close_preview(course: Course) -> ClosePreview:
    """What closing ``course`` would do, and why it may not be closed yet: three queries
    whatever the size of the course (the rule, the attendance recorded, the certificates).

    Closing is refused while the course has not ended or is cancelled, and while records the
    rule needs are missing for a trainee it decides (not one kept by a coordinator's decision
    or a valid certificate): a course day with no attendance recorded for anyone, a trainee
    with none recorded at all, a post-test score where the course sets a pass mark, a scored
    teach-back where the course requires one. A missing mark on one day for one trainee is an
    absence, as in the rule.
    """
    certified = set(
        Certificate.objects.filter(
            enrolment__course=course, status=CertificateStatus.VALID
        ).values_list("enrolment_id", flat=True)
    )
    preview = ClosePreview(course)
    preview.rows = [
        _close_row(enrolment, verdict, certified)
        for enrolment, verdict in completion.evaluate_course(course)
    ]
    if course.status == CourseStatus.CANCELLED:
        preview.problems.append(_("A cancelled course cannot be closed."))
    if timezone.localdate() < course.end_date:
        preview.problems.append(
            _("%(course)s ends on %(date)s; it can be closed from that day.")
            % {"course": course, "date": date_format(course.end_date)}
        )
    decided = [row for row in preview.rows if row.outcome in (COMPLETE, FAIL)]
    if decided:
        recorded = set(
            Attendance.objects.filter(
                enrolment__in=[row.enrolment.pk for row in decided],
                date__gte=course.start_date,
                date__lte=course.end_date,
            ).values_list("enrolment_id", "date")
        )
        preview.problems += _record_problems(course, decided, recorded)
    return preview


@dataclass
class ReopenRow:
    enrolment: Enrolment
    to_status: str

    @property
    def to_status_label(self) -> str:
        return str(EnrolmentStatus(self.to_status).label)


@dataclass
class ReopenPreview:
    """What reopening ``course`` would do: the status each trainee goes back to, the trainees
    whose status a coordinator decided by hand (kept), the live certificates that stop it and
    the course's status before it was closed."""

    course: Course
    rows: list[ReopenRow] = field(default_factory=list)
    kept: list[Enrolment] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    course_status: str = CourseStatus.RUNNING

    @property
    def course_status_label(self) -> str:
        return str(CourseStatus(self.course_status).label)


def status_before_closing(history: list[EnrolmentStatusChange]) -> str:
    """The status an enrolment had before the run of completed/failed verdicts at the end of
    its history (closing, closing again): the history is append-only, so it still says. An
    enrolment with no such step (seeded or imported as completed) goes back to attended."""
    for change in reversed(history):
        if change.from_status not in FINAL_STATUSES:
            return change.from_status or EnrolmentStatus.ATTENDED
    return EnrolmentStatus.ATTENDED


def _course_status_before_closing(course: Course) -> str:
    """From the audit log: the course's status recorded by the first closing of the current
    closed spell (closing again records ``completed``)."""
    for data in AuditEntry.objects.filter(
        action=AuditAction.COURSE_CLOSED,
        object_type=course._meta.label_lower,
        object_id=str(course.pk),
    ).values_list("data", flat=True):
        before = (data or {}).get("course_status")
        if before and before != CourseStatus.COMPLETED:
            return before
    return CourseStatus.RUNNING


def reopen_preview(course: Course) -> ReopenPreview:
    """Four queries whatever the size of the course."""
    preview = ReopenPreview(course, course_status=_course_status_before_closing(course))
    enrolments = (
        Enrolment.objects.filter(course=course, status__in=FINAL_STATUSES)
        .select_related("participant")
        .prefetch_related("history")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )
    for enrolment in enrolments:
        if enrolment.status_overridden:
            preview.kept.append(enrolment)
        else:
            history = list(enrolment.history.all())
            preview.rows.append(ReopenRow(enrolment, status_before_closing(history)))
    preview.certificates = list(
        Certificate.objects.live()
        .filter(enrolment__course=course)
        .select_related("enrolment__participant")
        .order_by("serial")
    )
    return preview
