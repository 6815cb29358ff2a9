"""The completion rule in words, closing a course, coordinators' overrides, the waiting list,
status history and bulk status changes."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import AuditAction, AuditEntry
from core.errors import ConflictError, DomainError, NotPermittedError
from delivery import completion
from delivery import services as delivery_services
from participants import services
from participants.models import Attendance, Enrolment, EnrolmentStatusChange, TeachBack
from tests.factories import (
    AttendanceFactory,
    CertificateFactory,
    CourseFactory,
    EnrolmentFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

START = dt.date(2016, 5, 15)  # CourseFactory: 15-24 May 2016, ten days


def attend(enrolment, days: int, *, absent: int = 0) -> None:
    for n in range(days):
        AttendanceFactory(enrolment=enrolment, date=START + dt.timedelta(days=n), present=True)
    for n in range(days, days + absent):
        AttendanceFactory(enrolment=enrolment, date=START + dt.timedelta(days=n), present=False)


def verdict_of(enrolment):
    rows = dict((e.pk, v) for e, v in completion.evaluate_course(enrolment.course))
    return rows[enrolment.pk]


# --- The rule, in words ---------------------------------------------------------------------


def test_attendance_below_the_share_gives_the_count_in_words():
    enrolment = EnrolmentFactory(post_test_score=90)
    attend(enrolment, 7, absent=3)
    verdict = verdict_of(enrolment)
    assert not verdict.qualifies
    assert verdict.reasons == ["Attended 7 of 10 days; 8 required (80%)."]


def test_a_trainee_who_meets_every_condition_qualifies():
    enrolment = EnrolmentFactory(pre_test_score=40, post_test_score=Decimal("60"))
    attend(enrolment, 8)
    verdict = verdict_of(enrolment)
    assert verdict.qualifies and verdict.reasons == []
    assert (verdict.days_present, verdict.days_required, verdict.days_total) == (8, 8, 10)


def test_post_test_missing_or_below_the_pass_mark():
    missing = EnrolmentFactory()
    below = EnrolmentFactory(course=missing.course, post_test_score=Decimal("55.50"))
    for enrolment in (missing, below):
        attend(enrolment, 10)
    assert verdict_of(missing).reasons == ["No post-test score recorded; 60 required."]
    assert verdict_of(below).reasons == ["Post-test score 55.5 is below the pass mark of 60."]


def test_a_course_without_a_test_does_not_ask_for_a_score():
    enrolment = EnrolmentFactory(course=CourseFactory(min_post_test_score=None))
    attend(enrolment, 10)
    assert verdict_of(enrolment).qualifies


def test_several_unmet_conditions_are_all_named():
    enrolment = EnrolmentFactory(course=CourseFactory(requires_teachback=True), post_test_score=10)
    attend(enrolment, 2)
    assert verdict_of(enrolment).reasons == [
        "Attended 2 of 10 days; 8 required (80%).",
        "Post-test score 10 is below the pass mark of 60.",
        "No teach-back module recorded.",
    ]


@pytest.mark.parametrize(
    ("score", "reason"),
    [
        (None, "The teach-back module “Screening interviews” has not been scored yet."),
        (Decimal("59"), "Teach-back score 59 is below the pass mark of 60."),
        (Decimal("60"), None),
    ],
)
def test_teachback_where_the_course_requires_one(score, reason):
    enrolment = EnrolmentFactory(course=CourseFactory(requires_teachback=True), post_test_score=80)
    attend(enrolment, 10)
    TeachBack.objects.create(enrolment=enrolment, title="Screening interviews", score=score)
    assert verdict_of(enrolment).reasons == ([reason] if reason else [])


def test_absences_and_days_outside_the_course_do_not_count():
    enrolment = EnrolmentFactory(post_test_score=80)
    attend(enrolment, 7, absent=3)
    # A stray row outside the course dates (recorded before the dates moved) is ignored.
    Attendance.objects.create(enrolment=enrolment, date=START - dt.timedelta(days=1))
    assert verdict_of(enrolment).days_present == 7


def test_waiting_list_and_withdrawn_trainees_are_not_evaluated():
    course = CourseFactory()
    EnrolmentFactory(course=course, status="waitlisted")
    EnrolmentFactory(course=course, status="withdrawn")
    kept = EnrolmentFactory(course=course)
    assert [e.pk for e, _v in completion.evaluate_course(course)] == [kept.pk]


def test_evaluating_a_course_takes_one_query_whatever_its_size(django_assert_num_queries):
    course = CourseFactory(requires_teachback=True)
    for _ in range(15):
        attend(EnrolmentFactory(course=course), 3)
    with django_assert_num_queries(1):
        assert len(completion.evaluate_course(course)) == 15


# --- Closing a course -----------------------------------------------------------------------


def test_closing_marks_completed_and_failed_with_reasons_and_history(carol):
    course = CourseFactory()
    good = EnrolmentFactory(course=course, post_test_score=75)
    weak = EnrolmentFactory(course=course, post_test_score=75)
    attend(good, 9, absent=1)
    attend(weak, 6, absent=4)
    result = delivery_services.course_close(course=course, by=carol)
    assert [e.pk for e in result.completed] == [good.pk]
    assert [e.pk for e in result.failed] == [weak.pk]
    weak.refresh_from_db()
    assert weak.status == "failed"
    assert weak.status_reason == "Attended 6 of 10 days; 8 required (80%)."
    assert weak.status_changed_by == carol
    course.refresh_from_db()
    assert course.status == "completed"
    step = EnrolmentStatusChange.objects.get(enrolment=weak, to_status="failed")
    assert (step.from_status, step.changed_by) == ("confirmed", carol)
    entry = AuditEntry.objects.get(action=AuditAction.COURSE_CLOSED)
    assert entry.actor == carol and entry.data["failed"] == [weak.pk]


def test_closing_again_changes_nothing_that_has_not_changed(carol):
    course = CourseFactory()
    enrolment = EnrolmentFactory(course=course, post_test_score=75)
    attend(enrolment, 10)
    delivery_services.course_close(course=course, by=carol)
    delivery_services.course_close(course=course, by=carol)
    assert EnrolmentStatusChange.objects.filter(enrolment=enrolment).count() == 1


def test_closing_keeps_a_coordinators_override(carol):
    course = CourseFactory()
    enrolment = EnrolmentFactory(course=course, post_test_score=30)
    delivery_services.enrolment_override(
        enrolment=enrolment, status="completed", reason="Sat the test orally: 85.", by=carol
    )
    result = delivery_services.course_close(course=course, by=carol)
    assert [e.pk for e in result.kept] == [enrolment.pk]
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.status_reason) == ("completed", "Sat the test orally: 85.")


def test_closing_never_fails_a_trainee_holding_a_valid_certificate(carol):
    course = CourseFactory()
    enrolment = EnrolmentFactory(course=course, status="completed", post_test_score=30)
    CertificateFactory(enrolment=enrolment, status="valid")
    result = delivery_services.course_close(course=course, by=carol)
    assert [(e.pk, reason) for e, reason in result.blocked] == [
        (
            enrolment.pk,
            "Attended 0 of 10 days; 8 required (80%). "
            "Post-test score 30 is below the pass mark of 60.",
        )
    ]
    enrolment.refresh_from_db()
    assert enrolment.status == "completed"


def test_only_a_coordinator_closes_a_course(alice):
    course = CourseFactory()
    EnrolmentFactory(course=course)
    with pytest.raises(NotPermittedError):
        delivery_services.course_close(course=course, by=alice)
    assert Enrolment.objects.get(course=course).status == "confirmed"


def test_a_course_cannot_be_closed_before_its_last_day(carol):
    today = dt.date.today()
    course = CourseFactory(start_date=today, end_date=today + dt.timedelta(days=2))
    with pytest.raises(DomainError, match="it can be closed from that day"):
        delivery_services.course_close(course=course, by=carol)


# --- Overrides ------------------------------------------------------------------------------


def test_an_override_needs_a_reason_and_a_coordinator(alice, carol):
    enrolment = EnrolmentFactory()
    with pytest.raises(DomainError, match="Say why"):
        delivery_services.enrolment_override(
            enrolment=enrolment, status="completed", reason=" ", by=carol
        )
    with pytest.raises(NotPermittedError):
        delivery_services.enrolment_override(
            enrolment=enrolment, status="completed", reason="x", by=alice
        )
    with pytest.raises(DomainError, match="not nominated"):
        delivery_services.enrolment_override(
            enrolment=enrolment, status="nominated", reason="x", by=carol
        )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.status_overridden) == ("confirmed", False)
    assert not AuditEntry.objects.exists()


def test_an_override_is_recorded_in_the_audit_log(carol):
    enrolment = EnrolmentFactory()
    delivery_services.enrolment_override(
        enrolment=enrolment, status="failed", reason="Plagiarised teach-back.", by=carol
    )
    entry = AuditEntry.objects.get(action=AuditAction.COMPLETION_OVERRIDDEN)
    assert entry.data == {"reason": "Plagiarised teach-back."}
    assert entry.object_id == str(enrolment.pk)


# --- Capacity and waiting list ----------------------------------------------------------------


def test_enrolling_beyond_capacity_puts_people_on_the_waiting_list(alice):
    course = CourseFactory(capacity=2)
    people = ParticipantFactory.create_batch(3)
    result = services.enrolments_bulk_create(course=course, participants=people, by=alice)
    statuses = {e.participant_id: e.status for e in result.created}
    assert [statuses[p.pk] for p in people] == ["nominated", "nominated", "waitlisted"]
    waiting = Enrolment.objects.get(participant=people[2])
    assert waiting.history.get().reason == "Course full: on the waiting list."
    single = services.enrolment_create(participant=ParticipantFactory(), course=course, by=alice)
    assert single.status == "waitlisted"


def test_a_withdrawal_moves_the_longest_waiting_trainee_up(alice):
    course = CourseFactory(capacity=1)
    first, second, third = ParticipantFactory.create_batch(3)
    services.enrolments_bulk_create(course=course, participants=[first], by=alice)
    services.enrolments_bulk_create(course=course, participants=[second], by=alice)
    services.enrolments_bulk_create(course=course, participants=[third], by=alice)
    seated = Enrolment.objects.get(participant=first)
    services.enrolment_set_status(
        enrolment=seated, status="withdrawn", reason="Posted abroad", by=alice
    )
    statuses = dict(Enrolment.objects.values_list("participant_id", "status"))
    assert statuses == {first.pk: "withdrawn", second.pk: "nominated", third.pk: "waitlisted"}
    promoted = Enrolment.objects.get(participant=second).history.last()
    assert (promoted.from_status, promoted.to_status) == ("waitlisted", "nominated")
    assert promoted.changed_by == alice


def test_leaving_the_waiting_list_needs_a_free_seat(alice):
    course = CourseFactory(capacity=1)
    EnrolmentFactory(course=course, status="confirmed")
    waiting = EnrolmentFactory(course=course, status="waitlisted")
    with pytest.raises(ConflictError, match="is full"):
        services.enrolment_set_status(enrolment=waiting, status="confirmed", by=alice)
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"


def test_without_a_capacity_nobody_waits(alice):
    course = CourseFactory(capacity=None)
    people = ParticipantFactory.create_batch(4)
    result = services.enrolments_bulk_create(course=course, participants=people, by=alice)
    assert {e.status for e in result.created} == {"nominated"}


# --- History and bulk changes ---------------------------------------------------------------


def test_every_status_change_is_in_the_history_with_who(alice, carol):
    enrolment = services.enrolment_create(
        participant=ParticipantFactory(), course=CourseFactory(), by=alice
    )
    services.enrolment_set_status(enrolment=enrolment, status="confirmed", by=alice)
    services.enrolment_set_status(enrolment=enrolment, status="confirmed", by=alice)  # repeat
    services.enrolment_set_status(enrolment=enrolment, status="completed", by=carol)
    steps = list(enrolment.history.values_list("from_status", "to_status", "changed_by"))
    assert steps == [
        ("", "nominated", alice.pk),
        ("nominated", "confirmed", alice.pk),
        ("confirmed", "completed", carol.pk),
    ]


def test_bulk_status_change_is_all_or_nothing(alice):
    course = CourseFactory()
    mine = EnrolmentFactory.create_batch(2, course=course, status="nominated")
    elsewhere = EnrolmentFactory(status="nominated")
    with pytest.raises(DomainError, match=str(elsewhere.pk)):
        services.enrolments_bulk_set_status(
            course=course, enrolment_ids=[mine[0].pk, elsewhere.pk], status="confirmed", by=alice
        )
    with pytest.raises(NotPermittedError):
        services.enrolments_bulk_set_status(
            course=course, enrolment_ids=[e.pk for e in mine], status="completed", by=alice
        )
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"nominated"}
    changed = services.enrolments_bulk_set_status(
        course=course, enrolment_ids=[e.pk for e in mine], status="confirmed", by=alice
    )
    assert [e.status for e in changed] == ["confirmed", "confirmed"]


# --- Attendance grid ------------------------------------------------------------------------


def test_grid_save_is_all_or_nothing_and_null_clears(alice):
    course = CourseFactory()
    enrolment = EnrolmentFactory(course=course)
    AttendanceFactory(enrolment=enrolment, date=START, present=True)
    with pytest.raises(DomainError, match="Mark 2: 2016-06-01 is not a day of the course"):
        delivery_services.attendance_grid_save(
            course=course,
            marks=[
                delivery_services.GridMark(enrolment.pk, START + dt.timedelta(days=1), True),
                delivery_services.GridMark(enrolment.pk, dt.date(2016, 6, 1), True),
            ],
            by=alice,
        )
    assert Attendance.objects.count() == 1
    delivery_services.attendance_grid_save(
        course=course,
        marks=[
            delivery_services.GridMark(enrolment.pk, START, None),
            delivery_services.GridMark(enrolment.pk, START + dt.timedelta(days=1), False),
            delivery_services.GridMark(enrolment.pk, START + dt.timedelta(days=2), True),
        ],
        by=alice,
    )
    assert dict(Attendance.objects.values_list("date", "present")) == {
        START + dt.timedelta(days=1): False,
        START + dt.timedelta(days=2): True,
    }
    assert set(Attendance.objects.values_list("recorded_by", flat=True)) == {alice.pk}


def test_grid_refuses_an_enrolment_of_another_course(alice):
    course = CourseFactory()
    other = EnrolmentFactory()
    with pytest.raises(DomainError, match=f"enrolment {other.pk} is not in"):
        delivery_services.attendance_grid_save(
            course=course, marks=[delivery_services.GridMark(other.pk, START, True)], by=alice
        )


# --- The demo course agrees with the rule ---------------------------------------------------


def test_the_demo_course_statuses_are_what_the_rule_says(carol):
    from django.core.management import call_command

    from trainings.models import Course

    call_command("seed_demo", force=True, verbosity=0)
    course = Course.objects.get(code="ERB")
    verdicts = completion.evaluate_course(course)
    assert len(verdicts) >= 19
    for enrolment, verdict in verdicts:
        assert verdict.qualifies == (enrolment.status == "completed"), enrolment
        assert verdict.reason == enrolment.status_reason, enrolment
    # Closing the demo course again finds nothing to change.
    delivery_services.course_close(course=course, by=carol)
    assert not EnrolmentStatusChange.objects.exists()
