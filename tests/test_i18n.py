"""The Russian and Arabic catalogues: complete, well-formed, compiled, and used by the pages."""

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from certificates.models import BatchStatus
from experts.models import AssignmentRole
from participants.models import EnrolmentStatus
from trainings.languages import Language
from trainings.models import CourseKind, CourseStatus

LOCALES = ("ru", "ar")
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
TEMPLATES = Path(settings.BASE_DIR) / "templates"
# The site's own templates; certificate designs and admin overrides are checked by their owners.
PAGE_TEMPLATES = [
    "*.html",
    "includes/*.html",
    "accounts/*.html",
    "portal/*.html",
    "trainings/*.html",
    "participants/*.html",
    "delivery/*.html",
    "privacy/*.html",
    "experts/*.html",
]
PAGE_MODULES = [
    "accounts/views.py",
    "portal/views.py",
    "trainings/selectors.py",
    "trainings/library_views.py",
    "participants/views.py",
    "delivery/views.py",
    "privacy/views.py",
    "delivery/completion.py",
    "delivery/selectors.py",
    "experts/views.py",
    "experts/conflicts.py",
]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def read_catalogue(language: str) -> list[dict]:
    """Entries of a .po file as dicts: flags, msgid, msgid_plural, msgstr / msgstr[n]."""
    text = (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        entry: dict = {"flags": set()}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#~"):
                entry["obsolete"] = True
            elif match := re.match(r"^(msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")$", line):
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


@pytest.mark.parametrize("language", LOCALES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    entries = read_catalogue(language)

    assert len(entries) > 100
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in entries if e.get("obsolete")] == []
    assert [e["msgid"] for e in entries if not all(translations(e))] == []


@pytest.mark.parametrize("language", LOCALES)
def test_placeholders_survive_translation(language):
    wrong = []
    for entry in read_catalogue(language):
        expected = set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        for text in translations(entry):
            if set(PLACEHOLDER.findall(text)) != expected:
                wrong.append((entry["msgid"], text))

    assert wrong == []


@pytest.mark.parametrize("language", LOCALES)
def test_the_catalogue_compiles_with_format_checks(language):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed to compile the catalogues (apt install gettext)"
    po = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"

    result = subprocess.run(
        [msgfmt, "--check-format", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}


def _python_msgids(source: str) -> set[str]:
    """First string arguments of gettext calls, read with ``ast`` so adjacent literals split
    over lines count as one message, as xgettext reads them."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in GETTEXT_NAMES
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def page_msgids() -> set[str]:
    """msgids used by the page templates and the page modules, as makemessages would find."""
    found = set()
    call = re.compile(r"\b(?:n?gettext|_)\(\s*u?('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")
    for pattern in PAGE_TEMPLATES:
        for path in TEMPLATES.glob(pattern):
            source = templatize(path.read_text(encoding="utf-8"))
            found.update(ast.literal_eval(literal) for literal in call.findall(source))
    for module in PAGE_MODULES:
        found |= _python_msgids((Path(settings.BASE_DIR) / module).read_text())
    return found


@pytest.mark.parametrize("language", LOCALES)
def test_every_page_string_is_in_the_catalogue(language):
    catalogue = {e["msgid"]: e for e in read_catalogue(language)}
    msgids = page_msgids()

    assert len(msgids) > 100
    assert sorted(msgids - set(catalogue)) == [], "run makemessages and translate the new strings"


CHOICES_ON_PAGES = [
    CourseStatus,
    CourseKind,
    EnrolmentStatus,
    BatchStatus,
    AssignmentRole,
    Language,
]


@pytest.mark.parametrize("language", LOCALES)
def test_choice_labels_shown_on_pages_are_translated(language):
    with translation.override("en"):
        english = {str(label) for choices in CHOICES_ON_PAGES for label in choices.labels}
    with translation.override(language):
        translated = {str(label) for choices in CHOICES_ON_PAGES for label in choices.labels}

    # Fails too when the .mo files are missing: run `manage.py compilemessages`.
    assert not translated & english


def test_the_login_page_in_arabic_is_right_to_left(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"

    page = client.get(reverse("login")).content.decode()

    assert '<html lang="ar" dir="rtl">' in page
    assert "تسجيل الدخول" in page  # "Log in"
    assert "انتقل إلى المحتوى الرئيسي" in page  # the skip link


def test_the_login_page_in_russian_is_left_to_right(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"

    page = client.get(reverse("login")).content.decode()

    assert '<html lang="ru" dir="ltr">' in page
    assert "Войти" in page
