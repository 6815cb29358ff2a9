"""The reasons closing, the waiting list and reopening store show in the reader's language on
every page that shows them, and through the API as codes with parameters; a reason a
coordinator typed stays as typed."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from delivery import selectors
from delivery import services as delivery_services
from participants import services
from participants.models import Enrolment
from tests.factories import (
    AttendanceFactory,
    CourseFactory,
    EnrolmentFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

TYPED = "Plagiarised the <b>teach-back</b>"
ENGLISH = "Attended 7 of 10 days; 8 required (80%)."
WORDS = {
    "ru": [
        "Посещено 7 из 10 дней; требуется 8 (80%).",
        "Балл итогового теста 40 ниже проходного (60).",
        "Условия выполнены.",
    ],
    "ar": [
        "حضر 7 من أصل 10 أيام؛ والمطلوب 8 (80%).",
        "درجة الاختبار البعدي 40 أقل من درجة النجاح 60.",
        "يستوفي الشروط.",
    ],
}


def attend(enrolment, present_days: int) -> None:
    course = enrolment.course
    for day in range(course.days):
        AttendanceFactory(
            enrolment=enrolment,
            date=course.start_date + dt.timedelta(days=day),
            present=day < present_days,
        )


@pytest.fixture
def closed(carol):
    """A ten-day course closed by the rule: Layla completed, Omar failed on two counts, Sara
    failed by a coordinator's decision with a typed reason."""
    course = CourseFactory(min_post_test_score=60)
    people = {}
    for name, present, score in (("Layla", 10, 82), ("Omar", 7, 40), ("Sara", 10, 82)):
        people[name] = EnrolmentFactory(
            course=course, participant__first_name=name, post_test_score=score
        )
        attend(people[name], present)
    delivery_services.enrolment_override(
        enrolment=people["Sara"], status="failed", reason=TYPED, by=carol
    )
    delivery_services.course_close(course=course, by=carol)
    return course, people


def page(client, user, language: str, url: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def assert_in_words(html: str, language: str) -> None:
    for words in WORDS[language]:
        assert words in html, words
    assert ENGLISH not in html
    # Typed by a person: as typed, and escaped.
    assert "Plagiarised the &lt;b&gt;teach-back&lt;/b&gt;" in html
    assert TYPED not in html


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_the_trainees_tab_shows_the_reasons_and_history_in_the_readers_language(
    client, carol, closed, language
):
    course, _people = closed
    html = page(client, carol, language, reverse("course-trainees", args=[course.pk]))
    assert_in_words(html, language)


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_the_completion_tab_shows_the_stored_reasons_in_the_readers_language(
    client, carol, closed, language
):
    course, _people = closed
    html = page(client, carol, language, reverse("course-completion", args=[course.pk]))
    assert_in_words(html, language)


@pytest.mark.parametrize("language", ["ru", "ar"])
def test_the_trainees_page_and_personal_data_show_the_reason_in_the_readers_language(
    client, carol, closed, language
):
    _course, people = closed
    omar = people["Omar"].participant
    for url in (
        reverse("participant-detail", args=[omar.pk]),
        reverse("participant-personal-data", args=[omar.pk]),
    ):
        html = page(client, carol, language, url)
        assert WORDS[language][0] in html and WORDS[language][1] in html, url
        assert ENGLISH not in html, url


def test_the_admins_enrolment_history_is_in_the_readers_language(client, root, closed):
    _course, people = closed
    url = reverse("admin:participants_enrolment_change", args=[people["Omar"].pk])
    html = page(client, root, "ru", url)
    # The reason shown and each step of the history, in Russian.
    assert html.count(WORDS["ru"][0]) == 2
    assert ENGLISH not in html
    # The codes are the services' to write: no field edits them.
    assert 'name="status_reason_codes"' not in html


def test_the_waiting_list_and_reopening_are_in_the_readers_language(client, carol):
    course = CourseFactory(capacity=2, upcoming=True)
    first, second, third = (ParticipantFactory() for _ in range(3))
    services.enrolments_bulk_create(course=course, participants=[first, second, third], by=carol)
    services.enrolment_set_status(
        enrolment=Enrolment.objects.get(participant=first),
        status="withdrawn",
        reason="Recalled to Baghdad",
        by=carol,
    )
    html = page(client, carol, "ar", reverse("course-trainees", args=[course.pk]))
    assert "الدورة مكتملة العدد (2 مقعدان): في قائمة الانتظار." in html
    assert "شغر مقعد: نُقل من قائمة الانتظار." in html
    assert "Recalled to Baghdad" in html
    assert "waiting list." not in html


def test_reopening_shows_its_code_in_words_and_the_coordinators_reason_as_typed(
    client, carol, closed
):
    course, _people = closed
    delivery_services.course_reopen(course=course, reason="Scores entered late", by=carol)
    html = page(client, carol, "ru", reverse("course-trainees", args=[course.pk]))
    assert "Курс открыт снова. Scores entered late" in html


def test_the_history_api_carries_codes_and_english_words_by_default(api_as, carol, closed):
    _course, people = closed
    client = api_as(carol)
    url = f"/api/v1/enrolments/{people['Omar'].pk}/history/"
    step = client.get(url).json()[-1]
    assert step["to_status"] == "failed"
    assert step["reason"] == ENGLISH + " Post-test score 40 is below the pass mark of 60."
    assert step["reason_codes"] == [
        {
            "code": "attendance_short",
            "params": {"attended": 7, "days": 10, "required": 8, "share": "80"},
        },
        {"code": "post_test_below", "params": {"score": "40", "pass_mark": "60"}},
    ]
    russian = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").json()[-1]
    assert russian["reason"] == " ".join(WORDS["ru"][:2])
    assert russian["reason_codes"] == step["reason_codes"]


def test_the_enrolment_and_completion_api_carry_codes_and_typed_text(api_as, carol, closed):
    course, people = closed
    client = api_as(carol)
    omar = client.get(f"/api/v1/enrolments/{people['Omar'].pk}/").json()
    assert omar["status_reason"].startswith(ENGLISH)
    assert [c["code"] for c in omar["status_reason_codes"]] == [
        "attendance_short",
        "post_test_below",
    ]
    sara = client.get(f"/api/v1/enrolments/{people['Sara'].pk}/").json()
    assert (sara["status_reason"], sara["status_reason_codes"]) == (TYPED, [])
    rows = {
        row["enrolment"]: row
        for row in client.get(
            f"/api/v1/courses/{course.pk}/completion/", HTTP_ACCEPT_LANGUAGE="ar"
        ).json()
    }
    layla = rows[people["Layla"].pk]
    assert layla["status_reason"] == "يستوفي الشروط."
    assert layla["status_reason_codes"] == [{"code": "meets_rule", "params": {}}]
    assert rows[people["Omar"].pk]["reason_codes"][1]["code"] == "post_test_below"


def test_a_preview_seen_in_arabic_confirms_a_closing_posted_in_english(client, carol):
    course = CourseFactory(min_post_test_score=60)
    attend(EnrolmentFactory(course=course, post_test_score=40), 7)
    with translation.override("ar"):
        token = selectors.close_preview(course).token
        assert selectors.close_preview(course).rows[0].reasons == WORDS["ar"][:2]
    result = delivery_services.course_close(course=course, by=carol, token=token)
    assert len(result.failed) == 1
