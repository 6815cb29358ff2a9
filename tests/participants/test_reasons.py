"""Reasons stored as codes with parameters (participants.reasons), put into words in the
reader's language, and the data migration that turns the old English sentences into codes."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.utils import translation

from participants import reasons
from participants.models import Enrolment, EnrolmentStatusChange
from tests.factories import CourseFactory, EnrolmentFactory

migration = importlib.import_module("participants.migrations.0007_reasons_as_codes")


def words(item, language: str) -> str:
    with translation.override(language):
        return reasons.render(item)


def short(attended: int, days: int) -> reasons.Reason:
    return reasons.attendance_short(attended=attended, days=days, required=days, share="80")


# --- The catalogue ------------------------------------------------------------------------------


def test_each_code_is_put_into_words_in_the_readers_language():
    below = reasons.post_test_below(score="40", pass_mark="60")
    assert words(below, "en") == "Post-test score 40 is below the pass mark of 60."
    assert words(below, "ru") == "Балл итогового теста 40 ниже проходного (60)."
    assert words(below, "ar") == "درجة الاختبار البعدي 40 أقل من درجة النجاح 60."
    assert words(reasons.meets_rule(), "ru") == "Условия выполнены."
    assert words(reasons.reopened(), "ar") == "أُعيد فتح الدورة."
    assert words(reasons.moved_up_from_waiting_list(), "ru") == (
        "Освободилось место: слушатель убран из списка ожидания."
    )


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (1, "Посещено 0 из 1 дня; требуется 1 (80%)."),
        (2, "Посещено 0 из 2 дней; требуется 2 (80%)."),
        (5, "Посещено 0 из 5 дней; требуется 5 (80%)."),
        (21, "Посещено 0 из 21 дня; требуется 21 (80%)."),
    ],
)
def test_days_take_the_russian_plural_forms(days, expected):
    assert words(short(0, days), "ru") == expected


@pytest.mark.parametrize(
    ("capacity", "seats"), [(1, "1 место"), (2, "2 места"), (5, "5 мест"), (11, "11 мест")]
)
def test_seats_take_the_russian_plural_forms(capacity, seats):
    assert words(reasons.waiting_list_full(capacity=capacity), "ru") == (
        f"Курс заполнен ({seats}): слушатель внесён в список ожидания."
    )


@pytest.mark.parametrize(
    ("days", "noun"),
    [
        (1, "1 يوم"),
        (2, "2 يومين"),
        (3, "3 أيام"),
        (10, "10 أيام"),
        (11, "11 يومًا"),
        (100, "100 يوم"),
    ],
)
def test_days_take_the_arabic_plural_forms(days, noun):
    assert words(short(0, days), "ar") == (f"حضر 0 من أصل {noun}؛ والمطلوب {days} (80%).")


def test_english_says_day_or_days():
    assert words(short(0, 1), "en") == "Attended 0 of 1 day; 1 required (80%)."
    assert words(short(7, 10), "en") == "Attended 7 of 10 days; 10 required (80%)."


def test_the_words_a_person_typed_follow_the_codes_as_typed():
    with translation.override("ar"):
        text = reasons.render_all([reasons.reopened()], "Scores were entered late <b>")
    assert text == "أُعيد فتح الدورة. Scores were entered late <b>"
    assert reasons.render_english([reasons.reopened()], "") == "The course was reopened."


def test_an_unknown_code_or_wrong_parameters_are_refused_where_they_are_written():
    with pytest.raises(ValueError, match="Unknown reason code"):
        reasons.reason("attendance_shrt")
    with pytest.raises(ValueError, match="takes"):
        reasons.reason(reasons.POST_TEST_BELOW, score="40")


def test_a_code_from_a_newer_version_shows_as_the_code_rather_than_breaking_the_page():
    assert reasons.render({"code": "certificate_expired", "params": {}}) == "certificate_expired"
    assert reasons.render({"code": "post_test_below", "params": {}}) == "post_test_below"


# --- The data migration -------------------------------------------------------------------------

OLD = {
    "Attended 7 of 10 days; 8 required (80%).": [
        {
            "code": "attendance_short",
            "params": {"attended": 7, "days": 10, "required": 8, "share": "80"},
        }
    ],
    "No post-test score recorded; 60 required.": [
        {"code": "post_test_missing", "params": {"pass_mark": "60"}}
    ],
    "Post-test score 55.5 is below the pass mark of 60.": [
        {"code": "post_test_below", "params": {"score": "55.5", "pass_mark": "60"}}
    ],
    "No teach-back module recorded.": [{"code": "teachback_missing", "params": {}}],
    "The teach-back module “Screening interviews” has not been scored yet.": [
        {"code": "teachback_unscored", "params": {"title": "Screening interviews"}}
    ],
    "Teach-back score 59 is below the pass mark of 60.": [
        {"code": "teachback_below", "params": {"score": "59", "pass_mark": "60"}}
    ],
    "Course full: on the waiting list.": [
        {"code": "waiting_list_full", "params": {"capacity": None}}
    ],
    "A seat became free: off the waiting list.": [
        {"code": "moved_up_from_waiting_list", "params": {}}
    ],
}


@pytest.mark.parametrize(("old", "codes"), list(OLD.items()))
def test_the_migration_turns_each_old_sentence_into_its_code(old, codes):
    assert migration.convert(old) == (codes, "")
    # And the code says the same in English as the old sentence did.
    assert reasons.render_english(codes) == old


def test_the_migration_turns_the_rules_joined_sentences_into_several_codes():
    old = (
        "Attended 2 of 10 days; 8 required (80%). Post-test score 10 is below the pass mark "
        "of 60. No teach-back module recorded."
    )
    codes, text = migration.convert(old)
    assert [c["code"] for c in codes] == [
        "attendance_short",
        "post_test_below",
        "teachback_missing",
    ]
    assert text == ""


def test_the_migration_also_reads_the_sentences_closing_wrote_in_russian_or_arabic():
    ru = "Дней присутствия: 7 из 10; требуется 8 (80%)."
    ar = "درجة الاختبار البعدي 40 أقل من درجة النجاح 60."
    assert migration.convert(ru)[0][0]["params"] == {
        "attended": 7,
        "days": 10,
        "required": 8,
        "share": "80",
    }
    assert migration.convert(ar) == (
        [{"code": "post_test_below", "params": {"score": "40", "pass_mark": "60"}}],
        "",
    )


@pytest.mark.parametrize(
    "typed",
    [
        "Sat the test orally: 85.",
        "Left for a posting abroad.",
        # An old sentence with a person's words after it is a person's text: kept whole.
        "Attended 7 of 10 days; 8 required (80%). But she was ill, approved by the director.",
        "",
    ],
)
def test_the_migration_keeps_text_a_person_typed(typed):
    assert migration.convert(typed) == ([], typed)


@pytest.mark.django_db
def test_the_migration_converts_stored_enrolments_and_history_and_leaves_typed_ones():
    course = CourseFactory()
    old = EnrolmentFactory(course=course, status="failed", status_reason=next(iter(OLD)))
    typed = EnrolmentFactory(course=course, status="withdrawn", status_reason="Recalled")
    EnrolmentStatusChange.objects.create(
        enrolment=old, to_status="waitlisted", reason="Course full: on the waiting list."
    )
    EnrolmentStatusChange.objects.create(enrolment=typed, to_status="withdrawn", reason="Recalled")

    migration.forwards(global_apps, None)

    old.refresh_from_db()
    typed.refresh_from_db()
    assert (old.status_reason, old.status_reason_codes) == ("", OLD[next(iter(OLD))])
    with translation.override("ru"):
        assert old.status_reason_text == "Посещено 7 из 10 дней; требуется 8 (80%)."
    assert (typed.status_reason, typed.status_reason_codes) == ("Recalled", [])
    steps = {s.enrolment_id: s for s in EnrolmentStatusChange.objects.all()}
    assert steps[old.pk].reason_codes == [
        {"code": "waiting_list_full", "params": {"capacity": None}}
    ]
    assert (steps[typed.pk].reason, steps[typed.pk].reason_codes) == ("Recalled", [])

    # Backwards puts the English words back where the previous code reads them.
    migration.backwards(global_apps, None)
    assert Enrolment.objects.get(pk=old.pk).status_reason == next(iter(OLD))
