"""The trainers' library, read: which manual version is current, the library page's cards, the
history of a module's manual, the download log, and what a course ZIP holds and is called.

Reads run a fixed number of queries whatever the number of rows; nothing here writes (the ZIP
job is ``trainings.bundles``). This module must not know about HTTP.
"""

import datetime as dt
import logging
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import User
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.fields.files import FieldFile
from django.utils.functional import Promise

from .languages import Language
from .models import (
    Course,
    Manual,
    ManualAttachment,
    ManualBundle,
    ManualDownload,
    ThematicModule,
)

if TYPE_CHECKING:  # django-stubs-ext is a development dependency: for the type checker only
    from django_stubs_ext import WithAnnotations

logger = logging.getLogger(__name__)

# --- Current versions ------------------------------------------------------------------------


class IsCurrent(TypedDict):
    """What ``with_is_current`` annotates a manual with."""

    is_current: bool


def with_is_current(
    manuals: QuerySet[Manual],
) -> "QuerySet[WithAnnotations[Manual, IsCurrent]]":
    """Annotate ``is_current``: not withdrawn, and no newer version of the same module and
    language that is not withdrawn either."""
    newer = Manual.objects.filter(
        module=OuterRef("module"),
        language=OuterRef("language"),
        version__gt=OuterRef("version"),
        withdrawn_at__isnull=True,
    )
    is_current = Q(withdrawn_at__isnull=True) & ~Exists(newer)
    return manuals.annotate(is_current=ExpressionWrapper(is_current, output_field=BooleanField()))


def current_manuals(language: str = "") -> QuerySet[Manual]:
    """The current version of every module's manual (in ``language``, or in each language),
    with its attachments."""
    manuals = with_is_current(Manual.objects.all()).filter(is_current=True)
    if language:
        manuals = manuals.filter(language=language)
    attachments = ManualAttachment.objects.order_by("kind", "title", "pk")
    return manuals.prefetch_related(Prefetch("attachments", queryset=attachments))


# --- The library page ------------------------------------------------------------------------


@dataclass
class LanguageSlot:
    code: str
    label: str | Promise
    manual: Manual | None = None


@dataclass
class ModuleCard:
    """One module of the library: one slot per language shown, each with its current manual
    (or none yet) and that manual's attachments."""

    module: ThematicModule
    slots: list[LanguageSlot] = field(default_factory=list)


def library_cards(
    *,
    module: ThematicModule | None = None,
    language: str = "",
    course: Course | None = None,
    user_modules: QuerySet | None = None,
) -> list[ModuleCard]:
    """The cards of the library page, filtered by module, language, course (the modules that
    course teaches) and ``user_modules`` (ids, see ``selectors.modules_taught_by``). Three queries."""
    modules = ThematicModule.objects.all()
    if module is not None:
        modules = modules.filter(pk=module.pk)
    if course is not None:
        modules = modules.filter(pk__in=course.modules.values("pk"))
    if user_modules is not None:
        modules = modules.filter(pk__in=user_modules)
    current = current_manuals(language).select_related("uploaded_by")
    modules = modules.order_by("order", "code").prefetch_related(
        Prefetch("manuals", queryset=current, to_attr="current_manuals")
    )
    languages = [(language, Language(language).label)] if language else Language.choices
    cards = []
    for item in modules:
        by_language = {manual.language: manual for manual in item.current_manuals}
        slots = [LanguageSlot(code, label, by_language.get(code)) for code, label in languages]
        cards.append(ModuleCard(module=item, slots=slots))
    return cards


def manual_history(module: ThematicModule, language: str) -> list[Manual]:
    """Every version of a module's manual in one language, newest first, withdrawn ones too,
    each with ``is_current`` and its attachments."""
    attachments = ManualAttachment.objects.order_by("kind", "title", "pk")
    return list(
        with_is_current(Manual.objects.filter(module=module, language=language))
        .select_related("uploaded_by", "withdrawn_by")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
        .order_by("-version")
    )


def download_log(
    *,
    module: ThematicModule | None = None,
    user: User | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[ManualDownload]:
    """Who downloaded what and when, newest first, with everything a row shows joined in."""
    rows = ManualDownload.objects.select_related(
        "manual__module", "attachment", "user", "bundle__course"
    ).order_by("-downloaded_at", "-pk")
    if module is not None:
        rows = rows.filter(manual__module=module)
    if user is not None:
        rows = rows.filter(user=user)
    if since is not None:
        rows = rows.filter(downloaded_at__date__gte=since)
    if until is not None:
        rows = rows.filter(downloaded_at__date__lte=until)
    return rows


# --- The course ZIP --------------------------------------------------------------------------


@dataclass
class BundleEntry:
    """One file of a course ZIP and the name it gets inside."""

    name: str
    file: FieldFile
    manual_id: int
    attachment_id: int | None = None


def _safe_part(text: str, fallback: str) -> str:
    """One path component that cannot climb out of its folder or hide its extension: the last
    part of a path, no control or invisible formatting characters, no leading dots."""
    text = unicodedata.normalize("NFC", text or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if ch.isprintable() and ch != ":")
    text = text.strip().lstrip(".").strip()
    return text[:150] or fallback


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 2
    stem, dot, ext = name.rpartition(".")
    if not dot or "/" in ext:
        stem, dot, ext = name, "", ""
    while candidate.casefold() in taken:
        candidate = f"{stem} ({counter}){dot}{ext}"
        counter += 1
    taken.add(candidate.casefold())
    return candidate


def bundle_entries(*, course: Course, language: str = "") -> list[BundleEntry]:
    """What a course ZIP holds: the current manual of each of the course's modules (in
    ``language``, or in each language) and its attachments, named
    ``<module code>/<language>/<display name>`` (attachments in an ``attachments`` folder
    below), unique without regard to case."""
    manuals = (
        current_manuals(language)
        .filter(module__in=course.modules.values("pk"))
        .select_related("module")
        .order_by("module__order", "module__code", "language")
    )
    entries: list[BundleEntry] = []
    taken: set[str] = set()
    for manual in manuals:
        folder = (
            f"{_safe_part(manual.module.code, f'module-{manual.module_id}')}/"
            f"{_safe_part(manual.language, 'xx')}"
        )
        name = _safe_part(manual.original_name, f"manual-{manual.pk}")
        entries.append(BundleEntry(_unique(f"{folder}/{name}", taken), manual.file, manual.pk))
        for attachment in manual.attachments.all():
            name = _safe_part(attachment.original_name, f"attachment-{attachment.pk}")
            entries.append(
                BundleEntry(
                    _unique(f"{folder}/attachments/{name}", taken),
                    attachment.file,
                    manual.pk,
                    attachment.pk,
                )
            )
    return entries


def bundle_filename(bundle: ManualBundle) -> str:
    """The name a course ZIP is offered under: ``manuals-ERB-en.zip`` (``-all`` for every
    language)."""
    code = _safe_part(bundle.course.code, f"course-{bundle.course_id}").replace(" ", "-")
    return f"manuals-{code}-{bundle.language or 'all'}.zip"
