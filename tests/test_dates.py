"""Dates on pages are unambiguous in every language: day, month by name, full year, 24-hour time."""

import datetime as dt
import re

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import CourseFactory, EnrolmentFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

AFTERNOON = dt.datetime(2016, 5, 24, 16, 5, tzinfo=dt.UTC)


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "24 May 2016", "24 May 2016, 16:05"),
        ("ru", "24 мая 2016", "24 мая 2016, 16:05"),
        ("ar", "24 أيار 2016", "24 أيار 2016، 16:05"),
    ],
)
def test_every_named_format_reads_the_same_way_in_each_language(language, day, moment):
    with translation.override(language):
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT"):
            assert render(f'{{{{ d|date:"{name}" }}}}', d=AFTERNOON.date()) == day
        for name in ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
            assert render(f'{{{{ t|date:"{name}" }}}}', t=AFTERNOON) == moment
        assert render("{{ d|date }}", d=AFTERNOON.date()) == day


def test_arabic_uses_the_month_names_of_iraq():
    with translation.override("ar"):
        months = [render('{{ d|date:"F" }}', d=dt.date(2016, m, 1)) for m in range(1, 13)]

    assert months[0] == "كانون الثاني"
    assert months[4] == "أيار"
    assert months[11] == "كانون الأول"
    assert "مايو" not in months


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "15 May 2016"), ("ru", "15 мая 2016"), ("ar", "15 أيار 2016")],
)
def test_course_dates_on_the_dashboard(client, alice, language, expected):
    CourseFactory(status="running", start_date=dt.date(2016, 5, 15), end_date=dt.date(2016, 5, 24))
    client.force_login(alice)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get(reverse("dashboard")).content.decode()

    assert expected in page
    assert "May 15, 2016" not in page
    assert "05/15/2016" not in page


def test_the_personal_data_page_shows_no_raw_timestamps_or_codes(client, carol):
    participant = ParticipantFactory(consent_given=True, consent_date=dt.date(2016, 5, 1))
    EnrolmentFactory(participant=participant, status="completed")
    participant.__class__.objects.filter(pk=participant.pk).update(created_at=AFTERNOON)
    client.force_login(carol)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ru"

    page = client.get(f"/participants/{participant.pk}/personal-data/").content.decode()

    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", page.split("<time")[0])
    assert "1 мая 2016" in page
    assert timezone.localtime(AFTERNOON).strftime("%H:%M") in page
    assert "<td>completed" not in page and "<td>Завершён" in page


def test_lists_in_sentences_use_the_readers_separator():
    from core.text import joined

    with translation.override("en"):
        assert joined(["Layla Hassan", "Omar Karimi"]) == "Layla Hassan, Omar Karimi"
    with translation.override("ar"):
        assert joined(["Layla Hassan", "Omar Karimi"]) == (
            "\u2068Layla Hassan\u2069، \u2068Omar Karimi\u2069"
        )
