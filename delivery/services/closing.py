"""Closing a course: apply the completion rule to every trainee, keep coordinators' overrides,
and never fail a trainee who already holds a valid certificate."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction
from accounts.roles import COORDINATOR, has_role
from certificates.models import Certificate, CertificateStatus
from core.actor import Actor
from core.errors import DomainError, NotPermittedError
from delivery import completion
from participants.models import (
    FINAL_STATUSES,
    Enrolment,
    EnrolmentStatus,
)
from participants.services.enrolments import apply_status, lock_course
from trainings.models import Course, CourseStatus

# --- Completion -----------------------------------------------------------------------------


@dataclass
class CloseResult:
    completed: list[Enrolment] = field(default_factory=list)
    failed: list[Enrolment] = field(default_factory=list)
    kept: list[Enrolment] = field(default_factory=list)  # coordinators' overrides
    blocked: list[tuple[Enrolment, str]] = field(default_factory=list)


def _has_live_certificate(enrolment: Enrolment) -> bool:
    return Certificate.objects.filter(enrolment=enrolment, status=CertificateStatus.VALID).exists()


@transaction.atomic
def course_close(*, course: Course, by: Actor = None) -> CloseResult:
    """Apply the completion rule to every trainee of ``course`` and mark the course completed.

    Each enrolment in the course becomes ``completed`` or ``failed`` with the rule's reason in
    words; a coordinator's override is kept. Closing again re-evaluates (after a corrected
    attendance mark, say), but never fails a trainee who already holds a valid certificate:
    that one is reported as blocked, to be revoked first. Coordinators only.
    """
    if not has_role(by, COORDINATOR):
        raise NotPermittedError(_("Only a coordinator can close a course."))
    course = lock_course(course)
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
            apply_status(enrolment, EnrolmentStatus.COMPLETED, "", by, overridden=False)
            result.completed.append(enrolment)
        elif enrolment.status == EnrolmentStatus.COMPLETED and _has_live_certificate(enrolment):
            result.blocked.append((enrolment, verdict.reason))
        else:
            apply_status(enrolment, EnrolmentStatus.FAILED, verdict.reason, by, overridden=False)
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
