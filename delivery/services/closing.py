"""Closing a course: apply the completion rule to every trainee, keep coordinators' overrides,
and never fail a trainee who already holds a valid certificate; reopening it undoes that.

What closing would do, and why it may be refused, is read by ``delivery.selectors`` (the
preview the pages and the API show first); this module writes it."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction
from accounts.roles import COORDINATOR, has_role
from core.actor import Actor
from core.errors import ConflictError, DomainError, NotPermittedError
from core.text import joined
from delivery import selectors
from participants import reasons
from participants.models import (
    FINAL_STATUSES,
    Enrolment,
    EnrolmentStatus,
)
from participants.services.enrolments import apply_status, lock_course
from trainings.models import Course, CourseStatus

# --- Closing --------------------------------------------------------------------------------


@dataclass
class CloseResult:
    completed: list[Enrolment] = field(default_factory=list)
    failed: list[Enrolment] = field(default_factory=list)
    kept: list[Enrolment] = field(default_factory=list)  # coordinators' overrides
    blocked: list[tuple[Enrolment, str]] = field(default_factory=list)


class CloseRefused(ConflictError):
    """The course may not be closed yet; ``problems`` says why, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            _("The course cannot be closed yet. %(problems)s") % {"problems": " ".join(problems)}
        )
        self.problems = problems


def _check_coordinator(by: Actor, message: str) -> None:
    if not has_role(by, COORDINATOR):
        raise NotPermittedError(message)


@transaction.atomic
def course_close(*, course: Course, by: Actor = None, token: str = "") -> CloseResult:
    """Apply the completion rule to every trainee of ``course`` and mark the course completed.

    What it does is ``selectors.close_preview``: each trainee the rule decides becomes
    ``completed`` or ``failed`` with the rule's reason in words; a coordinator's override is
    kept, and so is a trainee holding a valid certificate (``blocked`` when the rule would fail
    them: revoke first). Refused (``CloseRefused``, 409) before the last day and while records
    the rule needs are missing. ``token``, when given, is the preview's: closing is refused if
    what it would do changed since. Closing again re-evaluates. Coordinators only.
    """
    _check_coordinator(by, _("Only a coordinator can close a course."))
    course = lock_course(course)
    # Lock the rows first (FOR UPDATE cannot go with the counting query's GROUP BY), then read
    # them with their attendance counted.
    list(Enrolment.objects.filter(course=course).select_for_update().values_list("pk"))
    preview = selectors.close_preview(course)
    if preview.problems:
        raise CloseRefused(preview.problems)
    if token and token != preview.token:
        raise ConflictError(
            _(
                "What closing would do has changed since you looked (a record was changed in "
                "the meantime): look at the preview again."
            )
        )
    result = CloseResult()
    before: dict[str, str] = {}
    for row in preview.rows:
        enrolment, verdict = row.enrolment, row.verdict
        if row.outcome == selectors.KEPT_DECISION:
            result.kept.append(enrolment)
            continue
        if row.outcome == selectors.KEPT_CERTIFICATE and not verdict.qualifies:
            result.blocked.append((enrolment, verdict.reason))
            continue
        status_before = enrolment.status
        if verdict.qualifies:
            # An enrolment already completed (seeded, imported) keeps its reason: closing again
            # changes nothing.
            codes = (
                enrolment.status_reason_codes
                if status_before == EnrolmentStatus.COMPLETED
                else [reasons.meets_rule()]
            )
            changed = apply_status(
                enrolment, EnrolmentStatus.COMPLETED, "", by, overridden=False, codes=codes
            )
            result.completed.append(enrolment)
        else:
            changed = apply_status(
                enrolment, EnrolmentStatus.FAILED, "", by, overridden=False, codes=verdict.codes
            )
            result.failed.append(enrolment)
        if changed:
            before[str(enrolment.pk)] = status_before
    course_status = course.status
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
        # What reopening restores: the course's status and each changed enrolment's status.
        course_status=course_status,
        before=before,
    )
    return result


@dataclass
class ReopenResult:
    restored: list[tuple[Enrolment, str, str]] = field(default_factory=list)  # (e, from, to)
    kept: list[Enrolment] = field(default_factory=list)  # coordinators' decisions


def _check_reason(reason: str, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(missing, field="reason")
    if len(reason) > 500:
        raise DomainError(_("The reason may be at most 500 characters."), field="reason")
    return reason


@transaction.atomic
def course_reopen(*, course: Course, reason: str, by: Actor = None) -> ReopenResult:
    """Undo closing ``course``: every trainee the rule decided goes back to the status they had
    before closing (``selectors.status_before_closing``), the course to its status before
    closing, all with ``reason``, in the history (new entries: nothing is deleted) and the
    audit log. A coordinator's decision by hand is kept. Refused while certificates of the
    course are live: they stand for "completed", so they are revoked first, deliberately.
    Coordinators only."""
    _check_coordinator(by, _("Only a coordinator can reopen a course."))
    reason = _check_reason(reason, _("Say why the course is reopened."))
    course = lock_course(course)
    if course.status != CourseStatus.COMPLETED:
        raise ConflictError(
            _("%(course)s is not closed, so there is nothing to reopen.") % {"course": course}
        )
    list(Enrolment.objects.filter(course=course).select_for_update().values_list("pk"))
    preview = selectors.reopen_preview(course)
    if preview.certificates:
        raise ConflictError(
            _("Revoke the certificates of this course first, then reopen it: %(list)s.")
            % {
                "list": joined(
                    f"{c.enrolment.participant.full_name} ({c.serial})"
                    for c in preview.certificates
                )
            }
        )
    result = ReopenResult(kept=preview.kept)
    for row in preview.rows:
        before = row.enrolment.status
        apply_status(
            row.enrolment, row.to_status, reason, by, overridden=False, codes=[reasons.reopened()]
        )
        result.restored.append((row.enrolment, before, row.to_status))
    course.status = preview.course_status
    course.save(update_fields=["status", "updated_at"])
    audit_record(
        action=AuditAction.COURSE_REOPENED,
        obj=course,
        summary=_("Reopened %(course)s; statuses restored: %(count)s.")
        % {"course": course.code, "count": len(result.restored)},
        by=by,
        reason=reason,
        course_status=course.status,
        restored={str(e.pk): [was, now] for e, was, now in result.restored},
        kept=[e.pk for e in result.kept],
    )
    return result


@transaction.atomic
def enrolment_override(
    *, enrolment: Enrolment, status: str, reason: str, by: Actor = None
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
    reason = _check_reason(reason, _("Say why the rule is overridden."))
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
    if apply_status(locked, status, reason, by, overridden=True):
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
