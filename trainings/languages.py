"""The three working languages of the programme and how translated columns are picked.

Translated text lives in plain columns (``title_en``, ``title_ru``, ``title_ar``): three fixed
languages do not justify a translation framework, and explicit columns keep queries, the admin and
the API obvious. ``localized(obj, "title")`` picks the active language and falls back to English.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", _("English")
    RU = "ru", _("Russian")
    AR = "ar", _("Arabic")


RTL_LANGUAGES = frozenset({"ar"})


def localized(obj, field: str, language: str | None = None) -> str:
    language = (language or get_language() or "en")[:2]
    value = getattr(obj, f"{field}_{language}", "") if language in Language.values else ""
    return value or getattr(obj, f"{field}_en", "")


# The languages a certificate (or any printed course document) can be in: each working language,
# or Arabic and English side by side. Labels are in their own language, never translated.
DOCUMENT_LANGUAGE_CHOICES = [
    ("en", "English"),
    ("ru", "Русский"),
    ("ar", "العربية"),
    ("ar-en", "العربية + English"),
]
