"""Turn the sentences the system wrote as reasons (the completion rule's, the waiting list's) into
codes with their parameters, so they show in the reader's language.

A reason is converted only when the whole text is made of the old sentences (the rule joined
several with a space), in English or in the Russian or Arabic a coordinator's page was in when
closing wrote it; anything else was typed by a person and stays as typed. The sentences are
copied here, not imported, so this migration keeps doing what it did when the code moves on.
"""

import re
from typing import Any

from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

# The old sentences and the code each one becomes: (format, code, {format key: (param, type)}).
OLD_SENTENCES: list[tuple[str, str, dict[str, tuple[str, type]]]] = [
    (
        "Attended %(present)s of %(total)s days; %(required)s required (%(share)s%%).",
        "attendance_short",
        {
            "present": ("attended", int),
            "total": ("days", int),
            "required": ("required", int),
            "share": ("share", str),
        },
    ),
    (
        "No post-test score recorded; %(mark)s required.",
        "post_test_missing",
        {"mark": ("pass_mark", str)},
    ),
    (
        "Post-test score %(score)s is below the pass mark of %(mark)s.",
        "post_test_below",
        {"score": ("score", str), "mark": ("pass_mark", str)},
    ),
    ("No teach-back module recorded.", "teachback_missing", {}),
    (
        "The teach-back module “%(title)s” has not been scored yet.",
        "teachback_unscored",
        {"title": ("title", str)},
    ),
    (
        "Teach-back score %(score)s is below the pass mark of %(mark)s.",
        "teachback_below",
        {"score": ("score", str), "mark": ("pass_mark", str)},
    ),
    ("Course full: on the waiting list.", "waiting_list_full", {}),
    ("A seat became free: off the waiting list.", "moved_up_from_waiting_list", {}),
]
# The old sentences did not say the capacity: the course's may have changed since.
DEFAULT_PARAMS: dict[str, dict[str, Any]] = {"waiting_list_full": {"capacity": None}}
LANGUAGES = ("en", "ru", "ar")
_NUMBER = r"-?\d+(?:[.,]\d+)?"


def _pattern(fmt: str, keys: dict[str, tuple[str, type]]) -> str:
    """A format string as a regular expression: each ``%(key)s`` a named group."""
    out, pos = [], 0
    for match in re.finditer(r"%\((\w+)\)s|%%", fmt):
        out.append(re.escape(fmt[pos : match.start()]))
        key = match.group(1)
        if key is None:
            out.append("%")
        else:
            out.append(f"(?P<{key}>{'.+?' if keys.get(key, ('', str))[0] == 'title' else _NUMBER})")
        pos = match.end()
    out.append(re.escape(fmt[pos:]))
    return "".join(out)


def _patterns() -> list[tuple[re.Pattern[str], str, dict[str, tuple[str, type]]]]:
    patterns, seen = [], set()
    for language in LANGUAGES:
        with translation.override(language):
            for fmt, code, keys in OLD_SENTENCES:
                text = fmt if language == "en" else gettext(fmt)
                if (text, code) in seen:
                    continue
                seen.add((text, code))
                patterns.append((re.compile(_pattern(text, keys) + r"\s*"), code, keys))
    return patterns


def convert(text: str, patterns=None) -> tuple[list[dict[str, Any]], str]:
    """``(codes, text)``: the codes of an old system-written reason and an empty text, or no
    codes and the text unchanged when any part of it is not one of the old sentences."""
    rest = (text or "").strip()
    if not rest:
        return [], text or ""
    patterns = patterns if patterns is not None else _patterns()
    codes: list[dict[str, Any]] = []
    while rest:
        for pattern, code, keys in patterns:
            match = pattern.match(rest)
            if match:
                params = dict(DEFAULT_PARAMS.get(code, {}))
                for key, (param, kind) in keys.items():
                    value = match.group(key)
                    params[param] = kind(value) if kind is int else value
                codes.append({"code": code, "params": params})
                rest = rest[match.end() :]
                break
        else:
            return [], text
    return codes, ""


def forwards(apps, schema_editor):
    Enrolment = apps.get_model("participants", "Enrolment")
    Change = apps.get_model("participants", "EnrolmentStatusChange")
    patterns = _patterns()
    for model, text_field, codes_field in (
        (Enrolment, "status_reason", "status_reason_codes"),
        (Change, "reason", "reason_codes"),
    ):
        changed = []
        for row in model.objects.exclude(**{text_field: ""}).iterator(chunk_size=2000):
            codes, rest = convert(getattr(row, text_field), patterns)
            if codes:
                setattr(row, codes_field, codes)
                setattr(row, text_field, rest)
                changed.append(row)
        model.objects.bulk_update(changed, [text_field, codes_field], batch_size=500)


def backwards(apps, schema_editor):
    """Put the English words back in the text fields, which the previous code shows."""
    from participants.reasons import render_english

    Enrolment = apps.get_model("participants", "Enrolment")
    Change = apps.get_model("participants", "EnrolmentStatusChange")
    for model, text_field, codes_field in (
        (Enrolment, "status_reason", "status_reason_codes"),
        (Change, "reason", "reason_codes"),
    ):
        changed = []
        for row in model.objects.exclude(**{codes_field: []}).iterator(chunk_size=2000):
            setattr(row, text_field, render_english(getattr(row, codes_field), getattr(row, text_field))[:500])
            changed.append(row)
        model.objects.bulk_update(changed, [text_field], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("participants", "0006_enrolment_reason_codes")]

    operations = [migrations.RunPython(forwards, backwards)]
