"""Reasons the system gives for an enrolment's status, stored as a code with its parameters and
put into words only when shown, in the reader's language.

An enrolment (``status_reason_codes``) and each step of its history (``reason_codes``) hold a
list of ``{"code": ..., "params": {...}}``: the completion rule can fail a trainee on several
conditions at once. A reason typed by a person (an override, a withdrawal, a reopening) is not
a code: it stays in the text field (``status_reason``, ``reason``), as typed, and is shown after
the coded reasons. Rows written before the codes keep their text there too.

The catalogue lives in ``participants`` because the models below ``delivery`` render it (the
enrolment's history, the personal-data page); ``delivery`` builds the completion rule's codes
with the constructors here. This module must not store translated text, and must not import
any app above ``participants``. Parameters are JSON values (numbers as ``int``, scores as
the text people write, "72.5"), so a stored list compares equal to a freshly built one.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from django.utils import translation
from django.utils.translation import gettext, ngettext


class Reason(TypedDict):
    code: str
    params: dict[str, Any]


@dataclass(frozen=True)
class ReasonKind:
    code: str
    params: tuple[str, ...]
    words: Callable[[Mapping[str, Any]], str]


def _count(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _attendance_short(p: Mapping[str, Any]) -> str:
    # The plural follows the course's days: "of 1 day", "из 2 дней", "من 10 أيام".
    return ngettext(
        "Attended %(attended)s of %(days)s day; %(required)s required (%(share)s%%).",
        "Attended %(attended)s of %(days)s days; %(required)s required (%(share)s%%).",
        _count(p.get("days")),
    ) % dict(p)


def _waiting_list_full(p: Mapping[str, Any]) -> str:
    if p.get("capacity") is None:  # converted from the old sentence, which did not say
        return gettext("Course full: on the waiting list.")
    return ngettext(
        "Course full (%(capacity)s seat): on the waiting list.",
        "Course full (%(capacity)s seats): on the waiting list.",
        _count(p["capacity"]),
    ) % dict(p)


ATTENDANCE_SHORT = "attendance_short"
POST_TEST_MISSING = "post_test_missing"
POST_TEST_BELOW = "post_test_below"
TEACHBACK_MISSING = "teachback_missing"
TEACHBACK_UNSCORED = "teachback_unscored"
TEACHBACK_BELOW = "teachback_below"
MEETS_RULE = "meets_rule"
WAITING_LIST_FULL = "waiting_list_full"
MOVED_UP_FROM_WAITING_LIST = "moved_up_from_waiting_list"
REOPENED = "reopened"

CATALOGUE: dict[str, ReasonKind] = {
    kind.code: kind
    for kind in (
        ReasonKind(ATTENDANCE_SHORT, ("attended", "days", "required", "share"), _attendance_short),
        ReasonKind(
            POST_TEST_MISSING,
            ("pass_mark",),
            lambda p: (
                gettext("No post-test score recorded; %(mark)s required.")
                % {"mark": p["pass_mark"]}
            ),
        ),
        ReasonKind(
            POST_TEST_BELOW,
            ("score", "pass_mark"),
            lambda p: (
                gettext("Post-test score %(score)s is below the pass mark of %(mark)s.")
                % {"score": p["score"], "mark": p["pass_mark"]}
            ),
        ),
        ReasonKind(TEACHBACK_MISSING, (), lambda p: gettext("No teach-back module recorded.")),
        ReasonKind(
            TEACHBACK_UNSCORED,
            ("title",),
            lambda p: (
                gettext("The teach-back module “%(title)s” has not been scored yet.")
                % {"title": p["title"]}
            ),
        ),
        ReasonKind(
            TEACHBACK_BELOW,
            ("score", "pass_mark"),
            lambda p: (
                gettext("Teach-back score %(score)s is below the pass mark of %(mark)s.")
                % {"score": p["score"], "mark": p["pass_mark"]}
            ),
        ),
        ReasonKind(MEETS_RULE, (), lambda p: gettext("Meets the rule.")),
        ReasonKind(WAITING_LIST_FULL, ("capacity",), _waiting_list_full),
        ReasonKind(
            MOVED_UP_FROM_WAITING_LIST,
            (),
            lambda p: gettext("A seat became free: off the waiting list."),
        ),
        ReasonKind(REOPENED, (), lambda p: gettext("The course was reopened.")),
    )
}


def reason(code: str, **params: Any) -> Reason:
    """One coded reason; refuses a code or parameters the catalogue does not know, so a typo
    fails where it is written, not when a page shows it."""
    kind = CATALOGUE.get(code)
    if kind is None:
        raise ValueError(f"Unknown reason code {code!r}.")
    if set(params) != set(kind.params):
        raise ValueError(f"Reason {code!r} takes {kind.params}, not {tuple(params)}.")
    return {"code": code, "params": dict(params)}


def attendance_short(*, attended: int, days: int, required: int, share: str) -> Reason:
    return reason(ATTENDANCE_SHORT, attended=attended, days=days, required=required, share=share)


def post_test_missing(*, pass_mark: str) -> Reason:
    return reason(POST_TEST_MISSING, pass_mark=pass_mark)


def post_test_below(*, score: str, pass_mark: str) -> Reason:
    return reason(POST_TEST_BELOW, score=score, pass_mark=pass_mark)


def teachback_missing() -> Reason:
    return reason(TEACHBACK_MISSING)


def teachback_unscored(*, title: str) -> Reason:
    return reason(TEACHBACK_UNSCORED, title=title)


def teachback_below(*, score: str, pass_mark: str) -> Reason:
    return reason(TEACHBACK_BELOW, score=score, pass_mark=pass_mark)


def meets_rule() -> Reason:
    return reason(MEETS_RULE)


def waiting_list_full(*, capacity: int | None) -> Reason:
    return reason(WAITING_LIST_FULL, capacity=capacity)


def moved_up_from_waiting_list() -> Reason:
    return reason(MOVED_UP_FROM_WAITING_LIST)


def reopened() -> Reason:
    return reason(REOPENED)


# --- In words ---------------------------------------------------------------------------------


def render(item: Mapping[str, Any]) -> str:
    """One coded reason in the active language. A code this version does not know (written by
    a newer one) shows as the code itself rather than breaking the page."""
    kind = CATALOGUE.get(str(item.get("code", "")))
    params = item.get("params") or {}
    if kind is None:
        return str(item.get("code", ""))
    try:
        return kind.words(params)
    except (KeyError, TypeError, ValueError):
        return kind.code


def render_all(codes: Iterable[Mapping[str, Any]] | None, text: str = "") -> str:
    """The coded reasons in the active language, then the text a person typed, as typed."""
    parts = [render(item) for item in codes or ()]
    if text:
        parts.append(text)
    return " ".join(parts)


def render_english(codes: Iterable[Mapping[str, Any]] | None, text: str = "") -> str:
    """The same in English: the API's compatible text field and the exports' fallback."""
    with translation.override("en"):
        return render_all(codes, text)
