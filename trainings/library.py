"""The trainers' library: which manual version is current, what a trainer's modules are, the
history of a module's manual, the download log, and the course ZIP (what goes in, and building it).

Reads run a fixed number of queries whatever the number of rows. The only write here is the
building of a ZIP (``bundle_build``), run by a Celery worker: it claims the bundle row with a
conditional update, so a duplicate message or a second worker never builds it twice, and a
worker that died leaves a lease that runs out. Requests and download logging live in
``services``; this module must not know about HTTP.
"""

import datetime as dt
import logging
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
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
from django.utils import timezone
from django.utils.translation import gettext as _

from .languages import Language
from .models import (
    BundleStatus,
    Course,
    Manual,
    ManualAttachment,
    ManualBundle,
    ManualDownload,
    ThematicModule,
)

logger = logging.getLogger(__name__)

# --- Current versions ------------------------------------------------------------------------


def with_is_current(manuals: QuerySet[Manual]) -> QuerySet[Manual]:
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
    label: str
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
    user: AbstractBaseUser | None = None,
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


BUNDLE_LEASE = dt.timedelta(minutes=15)


def bundles_sweep(*, stalled_after: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Send again the bundles whose message was lost (broker down when it was asked for, a
    worker killed mid-build): queued for longer than ``stalled_after``, or running with a lease
    that ran out. Run by beat; a duplicate message is harmless, ``bundle_build`` claims the row.
    Returns how many were sent."""
    from .services import _dispatch_bundle

    now = timezone.now()
    stalled = list(
        ManualBundle.objects.filter(
            Q(status=BundleStatus.QUEUED, updated_at__lt=now - stalled_after)
            | Q(status=BundleStatus.RUNNING, claimed_until__lt=now)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:100]
    )
    for bundle_id in stalled:
        _dispatch_bundle(bundle_id)
    if stalled:
        logger.warning("re-sent %s stalled manual ZIP(s): %s", len(stalled), stalled)
    return len(stalled)


def bundle_build(*, bundle_id: int) -> bool:
    """Build the ZIP of one bundle; True when this call built it. Safe to run twice: a bundle
    that is done, failed or claimed by a live worker is left alone."""
    now = timezone.now()
    lease = now + BUNDLE_LEASE
    claimed = (
        ManualBundle.objects.filter(
            pk=bundle_id, status__in=(BundleStatus.QUEUED, BundleStatus.RUNNING)
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(status=BundleStatus.RUNNING, claimed_until=lease, done=0, updated_at=now)
    )
    if not claimed:
        return False
    bundle = ManualBundle.objects.select_related("course").get(pk=bundle_id)
    entries = bundle_entries(course=bundle.course, language=bundle.language)
    mine = ManualBundle.objects.filter(pk=bundle_id, claimed_until=lease)
    mine.update(total=len(entries))
    try:
        written, missing = _write_zip(bundle, entries, mine)
    except Exception:
        mine.update(claimed_until=None)  # let a retry claim it at once
        raise
    fields = {
        "status": BundleStatus.DONE,
        "claimed_until": None,
        "finished_at": timezone.now(),
        "updated_at": timezone.now(),
        "file": bundle.file.name,
        "size": bundle.file.size,
        "contents": {
            "manuals": [e.manual_id for e in written if e.attachment_id is None],
            "attachments": [e.attachment_id for e in written if e.attachment_id is not None],
        },
        "error": (
            _("Missing from storage, left out: %s") % ", ".join(e.name for e in missing)
            if missing
            else ""
        ),
    }
    if not written:
        fields.update(status=BundleStatus.FAILED, file="", size=0)
        fields["error"] = _("None of the course's manuals could be read from storage.")
    if not mine.update(**fields):  # our lease ran out and another worker took over
        bundle.file.delete(save=False)
        return False
    if not written:
        bundle.file.delete(save=False)
    logger.info("manual ZIP %s built: %s files", bundle_id, len(written))
    return True


def _write_zip(
    bundle: ManualBundle, entries: list[BundleEntry], mine: QuerySet[ManualBundle]
) -> tuple[list[BundleEntry], list[BundleEntry]]:
    """Copy each file into a ZIP in a temporary file (memory stays flat), then store the ZIP
    under a generated name. Progress is written after each file."""
    written, missing = [], []
    with tempfile.TemporaryFile(prefix=f"manual-bundle-{bundle.pk}-") as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for index, entry in enumerate(entries, start=1):
                try:
                    source = entry.file.open("rb")
                except (FileNotFoundError, ValueError):
                    logger.error("manual ZIP %s: %r missing from storage", bundle.pk, entry.name)
                    missing.append(entry)
                else:
                    with source, archive.open(entry.name, "w", force_zip64=True) as target:
                        shutil.copyfileobj(source, target, length=1024 * 1024)
                    written.append(entry)
                mine.update(done=index, updated_at=timezone.now())
        spool.seek(0)
        bundle.file.save(f"{bundle.course.code}.zip", File(spool), save=False)
    return written, missing


def bundle_fail(*, bundle_id: int, error: str) -> None:
    """Give up on a bundle (the worker ran out of retries): the page stops polling."""
    ManualBundle.objects.filter(
        pk=bundle_id, status__in=(BundleStatus.QUEUED, BundleStatus.RUNNING)
    ).update(
        status=BundleStatus.FAILED,
        claimed_until=None,
        error=error[:2000],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def bundle_filename(bundle: ManualBundle) -> str:
    """The name a course ZIP is offered under: ``manuals-ERB-en.zip`` (``-all`` for every
    language)."""
    code = _safe_part(bundle.course.code, f"course-{bundle.course_id}").replace(" ", "-")
    return f"manuals-{code}-{bundle.language or 'all'}.zip"
