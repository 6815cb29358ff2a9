"""Freeze everything a certificate prints into a plain dict (its snapshot).

The snapshot is taken once, when the certificate is created, and is what gets rendered, signed
and shown on the verification page; later edits of a name or a course never change an issued
certificate (a correction is a re-issue). It must hold plain JSON data only: the sandboxed design
templates see nothing else.
"""

import datetime as dt

from django.conf import settings
from django.utils import formats, translation
from django_countries import countries

from participants.models import Enrolment
from trainings.languages import localized
from trainings.models import Course

from .labels import FOOTER_LABELS, SIDE_LABELS, sides_of

# Russian month names take the genitive after a day number ("24 мая"): Django's "E" format.
_DAY_MONTH = {"ru": "j E", "en": "j F", "ar": "j F"}


def date_range_text(start: dt.date, end: dt.date, language: str) -> str:
    with translation.override(language):
        day_month = _DAY_MONTH.get(language, "j F")
        if start == end:
            return formats.date_format(end, f"{day_month} Y")
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}–{formats.date_format(end, f'{day_month} Y')}"
        if start.year == end.year:
            return f"{formats.date_format(start, day_month)} – {formats.date_format(end, f'{day_month} Y')}"
        return f"{formats.date_format(start, f'{day_month} Y')} – {formats.date_format(end, f'{day_month} Y')}"


def _place(course: Course, language: str) -> str:
    with translation.override(language):
        country = str(countries.name(course.country.code)) if course.country else ""
    comma = "، " if language == "ar" else ", "
    return comma.join(part for part in (course.city, country) if part)


def _hours_text(course: Course, language: str) -> str:
    if not course.hours:
        return ""
    hours = f"{course.hours:g}" if course.hours % 1 else str(int(course.hours))
    return SIDE_LABELS[language]["hours"].format(hours=hours)


def _side(course: Course, modules: list, language: str) -> dict:
    labels = SIDE_LABELS[language]
    return {
        "lang": language,
        "dir": "rtl" if language == "ar" else "ltr",
        "title": labels["title"],
        "intro": labels["intro"],
        "completed": labels["completed"],
        "course_title": _course_title(course, language),
        "place_dates": ("، " if language == "ar" else ", ").join(
            (
                _place(course, language),
                date_range_text(course.start_date, course.end_date, language),
            )
        ),
        "hours": _hours_text(course, language),
        "modules_label": labels["modules_label"],
        "modules": [localized(module, "title", language) for module in modules],
    }


def _course_title(course: Course, language: str) -> str:
    """The course's title in the side's language; without one, the course kind in that language
    (an English title on an Arabic side would read backwards in the middle of the text)."""
    if language == "en":
        return course.title
    if title := getattr(course, f"title_{language}", ""):
        return title
    with translation.override(language):
        return str(course.get_kind_display())


def verify_url(code: str) -> str:
    return f"{settings.SITE_URL}/verify/{code}/"


def build_snapshot(
    *,
    enrolment: Enrolment,
    course: Course,
    modules: list,
    signatories: list[dict],
    language: str,
    serial: str,
    code: str,
    issued_on: dt.date,
    design: dict,
) -> dict:
    participant = enrolment.participant
    footer_language = "ar" if language == "ar" else sides_of(language)[0]
    return {
        "serial": serial,
        "verification_code": code,
        "verify_url": verify_url(code),
        "language": language,
        "issued_on": issued_on.isoformat(),
        "issued_on_text": date_range_text(issued_on, issued_on, footer_language),
        "holder": {
            "name": participant.full_name,
            "native_name": participant.native_name,
        },
        "course": {
            "id": course.pk,
            "title": course.title,
            "kind": course.kind,
            "code": course.code,
            "city": course.city,
            "country": course.country.code if course.country else "",
            "venue": course.venue,
            "start_date": course.start_date.isoformat(),
            "end_date": course.end_date.isoformat(),
            "hours": str(course.hours) if course.hours is not None else "",
        },
        "programme": {"name": course.programme.name, "acronym": course.programme.acronym},
        "sides": [_side(course, modules, side) for side in sides_of(language)],
        "labels": FOOTER_LABELS[footer_language],
        "signatories": signatories,
        "design": design,
    }
