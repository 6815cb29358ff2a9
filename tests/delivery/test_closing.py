"""Closing a course: the preview, the refusals with their reasons, the confirmation token, and
reopening it (issue 10, "Closing a course is one click")."""

import datetime as dt

import pytest

from accounts.models import AuditAction, AuditEntry
from core.errors import ConflictError, DomainError, NotPermittedError
from delivery import selectors
from delivery import services as delivery_services
from participants.models import Enrolment, EnrolmentStatusChange, TeachBack
from tests.factories import AttendanceFactory, CertificateFactory, CourseFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

START = dt.date(2016, 5, 15)  # CourseFactory: 15-24 May 2016, ten days


def attend(enrolment, present: int, *, absent: int = 0) -> None:
    for n in range(present + absent):
        AttendanceFactory(
            enrolment=enrolment, date=START + dt.timedelta(days=n), present=n < present
        )


def trainee(course, name: str, **kwargs):
    return EnrolmentFactory(course=course, participant__first_name=name, **kwargs)


def statuses(course) -> dict[str, str]:
    return dict(
        Enrolment.objects.filter(course=course).values_list("participant__first_name", "status")
    )


# --- Refusals -------------------------------------------------------------------------------


def test_an_open_course_without_records_is_refused_with_every_reason_and_nothing_changes(carol):
    """The issue's course: still open for nominations, nothing recorded."""
    course = CourseFactory(status="open")
    for name in ("Ahmed", "Zainab", "Noor"):
        trainee(course, name, status="nominated")
    with pytest.raises(delivery_services.CloseRefused) as refused:
        delivery_services.course_close(course=course, by=carol)
    problems = refused.value.problems
    assert problems[0] == (
        "No attendance recorded for 10 of 10 days: 15 May, 16 May, 17 May, 18 May, 19 May, "
        "20 May, 21 May, 22 May, 23 May, 24 May."
    )
    assert problems[1].startswith("No attendance recorded for 3 trainees: ")
    assert problems[2].startswith("Post-test score missing for 3 trainees: ")
    assert "Zainab" in problems[2]
    assert set(statuses(course).values()) == {"nominated"}
    course.refresh_from_db()
    assert course.status == "open"
    assert not EnrolmentStatusChange.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_refusal_counts_the_days_nobody_was_marked_and_names_who_has_no_score(carol):
    course = CourseFactory()
    marked = trainee(course, "Ahmed", post_test_score=80)
    attend(marked, 7)  # days 8-10 were never recorded
    attend(trainee(course, "Zainab"), 5, absent=2)
    with pytest.raises(delivery_services.CloseRefused) as refused:
        delivery_services.course_close(course=course, by=carol)
    assert refused.value.problems == [
        "No attendance recorded for 3 of 10 days: 22 May, 23 May, 24 May.",
        f"Post-test score missing for 1 trainee: {Enrolment.objects.get(participant__first_name='Zainab').participant.full_name}.",
    ]


def test_a_trainee_without_any_attendance_is_named(carol):
    course = CourseFactory(min_post_test_score=None)
    attend(trainee(course, "Ahmed"), 10)
    silent = trainee(course, "Noor")
    with pytest.raises(delivery_services.CloseRefused) as refused:
        delivery_services.course_close(course=course, by=carol)
    assert refused.value.problems == [
        f"No attendance recorded for 1 trainee: {silent.participant.full_name}."
    ]


def test_a_teachback_not_scored_refuses_where_the_course_requires_one(carol):
    course = CourseFactory(requires_teachback=True, min_post_test_score=None)
    scored, unscored, missing = (trainee(course, n) for n in ("Ahmed", "Noor", "Sara"))
    for enrolment in (scored, unscored, missing):
        attend(enrolment, 10)
    TeachBack.objects.create(enrolment=scored, title="Return interviews", score=70)
    TeachBack.objects.create(enrolment=unscored, title="Screening", score=None)
    with pytest.raises(delivery_services.CloseRefused) as refused:
        delivery_services.course_close(course=course, by=carol)
    [problem] = refused.value.problems
    assert problem.startswith("Teach-back not scored for 2 trainees: ")
    assert unscored.participant.full_name in problem and missing.participant.full_name in problem
    assert scored.participant.full_name not in problem


def test_before_its_last_day_the_refusal_says_from_when_and_is_a_conflict(carol):
    today = dt.date.today()
    course = CourseFactory(start_date=today, end_date=today + dt.timedelta(days=2))
    with pytest.raises(ConflictError, match="it can be closed from that day"):
        delivery_services.course_close(course=course, by=carol)


def test_a_coordinators_decision_takes_a_trainee_out_of_the_record_checks(carol):
    course = CourseFactory()
    attend(trainee(course, "Ahmed", post_test_score=80), 10)
    absent_from_test = trainee(course, "Noor")
    attend(absent_from_test, 10)
    with pytest.raises(delivery_services.CloseRefused):
        delivery_services.course_close(course=course, by=carol)
    delivery_services.enrolment_override(
        enrolment=absent_from_test, status="completed", reason="Sat the test orally: 85.", by=carol
    )
    result = delivery_services.course_close(course=course, by=carol)
    assert [e.pk for e in result.kept] == [absent_from_test.pk]
    assert statuses(course) == {"Ahmed": "completed", "Noor": "completed"}


# --- The preview ----------------------------------------------------------------------------


def test_the_preview_says_what_closing_will_do_to_each_trainee_and_changes_nothing(carol):
    course = CourseFactory()
    good = trainee(course, "Ahmed", post_test_score=80)
    weak = trainee(course, "Noor", post_test_score=80)
    decided = trainee(course, "Sara", post_test_score=20)
    certified = trainee(course, "Omar", status="completed", post_test_score=30)
    CertificateFactory(enrolment=certified, status="valid")
    attend(good, 10)
    attend(weak, 6, absent=4)
    attend(decided, 10)
    attend(certified, 10)
    delivery_services.enrolment_override(
        enrolment=decided, status="completed", reason="Sat the test orally: 85.", by=carol
    )
    preview = selectors.close_preview(course)
    assert preview.problems == []
    rows = {row.enrolment.participant.first_name: row for row in preview.rows}
    assert (rows["Ahmed"].outcome, rows["Ahmed"].new_status) == ("complete", "completed")
    assert rows["Ahmed"].reasons == ["Meets the rule."]
    assert (rows["Noor"].outcome, rows["Noor"].new_status) == ("fail", "failed")
    assert rows["Noor"].reasons == ["Attended 6 of 10 days; 8 required (80%)."]
    assert rows["Sara"].outcome == "kept_decision"
    assert rows["Sara"].reasons == ["Kept: decided by a coordinator (Sat the test orally: 85.)."]
    assert rows["Omar"].outcome == "kept_certificate"
    assert rows["Omar"].reasons[0] == "Kept: holds a valid certificate."
    assert (preview.completing, preview.failing, preview.kept) == (1, 1, 2)
    assert statuses(course)["Ahmed"] == "confirmed"
    assert not AuditEntry.objects.filter(action=AuditAction.COURSE_CLOSED).exists()


def test_closing_with_a_stale_preview_token_is_refused(carol):
    course = CourseFactory()
    enrolment = trainee(course, "Ahmed", post_test_score=50)
    attend(enrolment, 10)
    token = selectors.close_preview(course).token
    enrolment.post_test_score = 75  # recorded by someone else after the preview
    enrolment.save()
    with pytest.raises(ConflictError, match="look at the preview again"):
        delivery_services.course_close(course=course, by=carol, token=token)
    assert statuses(course) == {"Ahmed": "confirmed"}
    fresh = selectors.close_preview(course).token
    delivery_services.course_close(course=course, by=carol, token=fresh)
    assert statuses(course) == {"Ahmed": "completed"}


def test_the_preview_takes_the_same_queries_whatever_the_size_of_the_course(
    django_assert_max_num_queries,
):
    course = CourseFactory(requires_teachback=True)
    for _ in range(12):
        attend(EnrolmentFactory(course=course, post_test_score=70), 3)
    with django_assert_max_num_queries(3):
        preview = selectors.close_preview(course)
    assert len(preview.rows) == 12 and preview.problems


def test_closing_records_what_it_changed_in_the_audit_log(carol):
    course = CourseFactory(status="running")
    enrolment = trainee(course, "Ahmed", post_test_score=80, status="attended")
    attend(enrolment, 10)
    delivery_services.course_close(course=course, by=carol)
    entry = AuditEntry.objects.get(action=AuditAction.COURSE_CLOSED)
    assert entry.data["before"] == {str(enrolment.pk): "attended"}
    assert entry.data["course_status"] == "running"


# --- Reopening ------------------------------------------------------------------------------


def closed_course(carol, **course_fields):
    course = CourseFactory(**course_fields)
    good = trainee(course, "Ahmed", post_test_score=80, status="attended")
    weak = trainee(course, "Noor", post_test_score=80, status="confirmed")
    attend(good, 10)
    attend(weak, 5, absent=5)
    delivery_services.course_close(course=course, by=carol)
    return course, good, weak


def test_reopening_restores_every_status_appends_to_the_history_and_is_audited(carol):
    course, good, weak = closed_course(carol, status="open")
    assert statuses(course) == {"Ahmed": "completed", "Noor": "failed"}
    steps_before = EnrolmentStatusChange.objects.count()
    result = delivery_services.course_reopen(
        course=course, reason="Closed by mistake before the post-test", by=carol
    )
    assert statuses(course) == {"Ahmed": "attended", "Noor": "confirmed"}
    assert {(e.pk, was, now) for e, was, now in result.restored} == {
        (good.pk, "completed", "attended"),
        (weak.pk, "failed", "confirmed"),
    }
    course.refresh_from_db()
    assert course.status == "open"
    # Append-only: the closing steps are still there, followed by the undo.
    assert EnrolmentStatusChange.objects.count() == steps_before + 2
    last = EnrolmentStatusChange.objects.filter(enrolment=weak).last()
    assert (last.from_status, last.to_status, last.changed_by) == ("failed", "confirmed", carol)
    assert last.reason == "Closed by mistake before the post-test"
    entry = AuditEntry.objects.get(action=AuditAction.COURSE_REOPENED)
    assert entry.actor == carol and entry.object_id == str(course.pk)
    assert entry.data["reason"] == "Closed by mistake before the post-test"
    assert entry.data["restored"] == {
        str(good.pk): ["completed", "attended"],
        str(weak.pk): ["failed", "confirmed"],
    }


def test_reopening_after_closing_twice_goes_back_to_before_the_first_close(carol):
    course, _good, weak = closed_course(carol)
    AttendanceFactory._meta.model.objects.filter(enrolment=weak).update(present=True)
    delivery_services.course_close(course=course, by=carol)  # attendance corrected: completed
    assert statuses(course)["Noor"] == "completed"
    delivery_services.course_reopen(course=course, reason="Wrong day counted", by=carol)
    assert statuses(course) == {"Ahmed": "attended", "Noor": "confirmed"}


def test_reopening_keeps_a_coordinators_decision(carol):
    course, _good, weak = closed_course(carol)
    delivery_services.enrolment_override(
        enrolment=weak, status="completed", reason="Medical leave, work made up", by=carol
    )
    result = delivery_services.course_reopen(course=course, reason="Re-run the rule", by=carol)
    assert [e.pk for e in result.kept] == [weak.pk]
    assert statuses(course) == {"Ahmed": "attended", "Noor": "completed"}


def test_reopening_is_refused_while_certificates_of_the_course_are_live(carol):
    course, good, _weak = closed_course(carol)
    CertificateFactory(enrolment=good, status="valid", serial="SRP-2016-0007")
    with pytest.raises(ConflictError, match="Revoke the certificates") as refused:
        delivery_services.course_reopen(course=course, reason="Mistake", by=carol)
    assert f"{good.participant.full_name} (SRP-2016-0007)" in refused.value.message
    assert statuses(course) == {"Ahmed": "completed", "Noor": "failed"}
    assert not AuditEntry.objects.filter(action=AuditAction.COURSE_REOPENED).exists()


def test_reopening_needs_a_coordinator_a_reason_and_a_closed_course(alice, carol):
    course, _good, _weak = closed_course(carol)
    with pytest.raises(NotPermittedError):
        delivery_services.course_reopen(course=course, reason="Mistake", by=alice)
    with pytest.raises(DomainError, match="Say why the course is reopened"):
        delivery_services.course_reopen(course=course, reason="  ", by=carol)
    open_course = CourseFactory(status="running")
    with pytest.raises(ConflictError, match="is not closed"):
        delivery_services.course_reopen(course=open_course, reason="Mistake", by=carol)
    assert statuses(course) == {"Ahmed": "completed", "Noor": "failed"}
