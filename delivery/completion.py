"""The completion rule of a course, evaluated for every enrolment, with reasons in words.

A trainee qualifies when they attended at least the course's share of days, scored at least the
pass mark in the post-test (when the course sets one) and, where the course requires it, had
their teach-back module scored at least ``settings.TEACHBACK_PASS_SCORE``. Each unmet condition
gives one plain sentence ("Attended 7 of 10 days; 8 required (80%)."), so the team can tell a
trainee exactly why. The verdict keeps them as codes with their parameters
(``participants.reasons``), put into words in the reader's language.

This module only reads. ``delivery.services.course_close`` writes the verdicts.
"""

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from participants import reasons as catalogue
from participants.models import Enrolment
from participants.reasons import Reason
from trainings.models import Course

if TYPE_CHECKING:  # django-stubs-ext is a development dependency: for the type checker only
    from django_stubs_ext import WithAnnotations


def course_days(course: Course) -> list[dt.date]:
    """Every calendar day from the first to the last day of the course: attendance is recorded
    per course day (docs/decisions.md, 6)."""
    return [course.start_date + dt.timedelta(days=n) for n in range(course.days)]


def required_days(course: Course) -> int:
    return math.ceil(Decimal(course.min_attendance_share) * course.days - Decimal("1e-9"))


def teachback_pass_score() -> Decimal:
    return Decimal(str(getattr(settings, "TEACHBACK_PASS_SCORE", 60)))


def number_text(value: Decimal) -> str:
    """60.00 -> "60", 72.50 -> "72.5": scores as people write them."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class Verdict:
    enrolment_id: int
    days_present: int
    days_required: int
    days_total: int
    # The unmet conditions as codes (``participants.reasons``): closing stores them, pages put
    # them into words in the reader's language.
    codes: list[Reason] = field(default_factory=list)

    @property
    def qualifies(self) -> bool:
        return not self.codes

    @property
    def reasons(self) -> list[str]:
        """The unmet conditions in words, in the active language."""
        return [catalogue.render(code) for code in self.codes]

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)


def evaluate_enrolment(enrolment: Enrolment, course: Course, days_present: int) -> Verdict:
    """The verdict for one enrolment; ``days_present`` counts its attendance rows marked present
    on course days. Reads ``enrolment.teachback`` when the course requires one (prefetch it)."""
    total = course.days
    required = required_days(course)
    verdict = Verdict(enrolment.pk, days_present, required, total)
    if days_present < required:
        verdict.codes.append(
            catalogue.attendance_short(
                attended=days_present,
                days=total,
                required=required,
                share=number_text(Decimal(course.min_attendance_share) * 100),
            )
        )
    pass_mark = course.min_post_test_score
    if pass_mark is not None:
        score = enrolment.post_test_score
        if score is None:
            verdict.codes.append(catalogue.post_test_missing(pass_mark=number_text(pass_mark)))
        elif score < pass_mark:
            verdict.codes.append(
                catalogue.post_test_below(
                    score=number_text(score), pass_mark=number_text(pass_mark)
                )
            )
    if course.requires_teachback:
        teachback = getattr(enrolment, "teachback", None)
        mark = teachback_pass_score()
        if teachback is None:
            verdict.codes.append(catalogue.teachback_missing())
        elif teachback.score is None:
            verdict.codes.append(catalogue.teachback_unscored(title=teachback.title))
        elif teachback.score < mark:
            verdict.codes.append(
                catalogue.teachback_below(
                    score=number_text(teachback.score), pass_mark=number_text(mark)
                )
            )
    return verdict


class DaysPresent(TypedDict):
    """What ``enrolments_for_rule`` and the roster export annotate an enrolment with."""

    days_present: int


def enrolments_for_rule(course: Course) -> "QuerySet[WithAnnotations[Enrolment, DaysPresent]]":
    """The course's enrolments the rule applies to, with days present counted in the same query
    and the teach-back joined: two queries whatever the size of the course."""
    return (
        Enrolment.objects.filter(course=course)
        .seated()
        .select_related("participant", "teachback")
        .annotate(
            days_present=Count(
                "attendance",
                filter=Q(
                    attendance__present=True,
                    attendance__date__gte=course.start_date,
                    attendance__date__lte=course.end_date,
                ),
            )
        )
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def evaluate_course(
    course: Course,
    enrolments: "Iterable[WithAnnotations[Enrolment, DaysPresent]] | None" = None,
) -> list:
    """``[(enrolment, verdict), ...]`` for every enrolment in the course (see
    ``enrolments_for_rule``)."""
    rows = enrolments if enrolments is not None else enrolments_for_rule(course)
    return [(e, evaluate_enrolment(e, course, e.days_present)) for e in rows]
