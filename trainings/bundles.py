"""The course ZIP job of the manual library, one service per step: ``bundle_create`` (a
person asks; sent to a worker after commit), ``bundle_build`` (the worker: claim the row with a
lease, write the ZIP through a temporary file, store it), ``bundle_fail`` (retries ran out),
``bundles_sweep`` (beat sends again what a lost message or a killed worker left), and
``bundle_download_record`` (one download row per file it holds).

A duplicate message or a second worker never builds a ZIP twice: ``bundle_build`` claims the
row, and a worker that died leaves a lease that runs out. The build job is sent by name
(``core.jobs``): this module never imports the task that calls it.
"""

import datetime as dt
import logging
import shutil
import tempfile
import zipfile

from django.core.files import File
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actor import Actor, actor
from core.claims import claim
from core.errors import DomainError
from core.jobs import send

from .languages import Language
from .library import BundleEntry, bundle_entries
from .models import BundleStatus, Course, Manual, ManualAttachment, ManualBundle, ManualDownload

logger = logging.getLogger(__name__)

BUILD_BUNDLE = "trainings.build_manual_bundle"


def bundle_create(*, course: Course, language: str = "", by: Actor) -> ManualBundle:
    """Ask for one ZIP of ``course``'s current manuals (in ``language``, or all) with their
    attachments; a worker builds it after commit. A second request by the same person for the
    same course and language while one is queued or running returns that one instead of
    queueing a duplicate (double clicks, impatient reloads)."""
    if language and language not in Language.values:
        raise DomainError(
            _("Unknown language %(code)s: use one of %(codes)s.")
            % {"code": language, "codes": ", ".join(Language.values)},
            field="language",
        )
    user = actor(by)
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=course.pk).first()
        pending = ManualBundle.objects.filter(
            course=course,
            language=language,
            requested_by=user,
            status__in=(BundleStatus.QUEUED, BundleStatus.RUNNING),
        ).first()
        if pending is not None and user is not None:
            if pending.status == BundleStatus.QUEUED or (
                pending.claimed_until is not None and pending.claimed_until < timezone.now()
            ):
                # Asking again re-sends a message that may have been lost (broker down at
                # the first request, a worker killed mid-build); the claim stops doubles.
                transaction.on_commit(lambda: bundle_dispatch(pending.pk))
            return pending
        total = len(bundle_entries(course=course, language=language))
        if not total:
            raise DomainError(_("This course has no manual to download yet (in this language)."))
        bundle = ManualBundle.objects.create(
            course=course, language=language, requested_by=user, total=total
        )
        transaction.on_commit(lambda: bundle_dispatch(bundle.pk))
    logger.info("manual ZIP %s of course %s requested by %s", bundle.pk, course.pk, by)
    return bundle


def bundle_dispatch(bundle_id: int) -> bool:
    """Send the build job; a broker that is down is logged (the sweep, or asking again, sends
    it later)."""
    return send(BUILD_BUNDLE, bundle_id)


def bundle_download_record(*, bundle: ManualBundle, by: Actor) -> list[ManualDownload]:
    """Log the download of a course ZIP as one row per manual and per attachment it holds
    (each marked with the bundle), so the log answers "who has this manual" however it was
    taken. Files deleted since the ZIP was built are skipped."""
    manual_ids = bundle.contents.get("manuals", [])
    attachment_ids = bundle.contents.get("attachments", [])
    manuals = set(Manual.objects.filter(pk__in=manual_ids).values_list("pk", flat=True))
    attachments = dict(
        ManualAttachment.objects.filter(pk__in=attachment_ids).values_list("pk", "manual_id")
    )
    user = actor(by)
    rows = [
        ManualDownload(manual_id=pk, bundle=bundle, user=user) for pk in manual_ids if pk in manuals
    ]
    rows += [
        ManualDownload(manual_id=attachments[pk], attachment_id=pk, bundle=bundle, user=user)
        for pk in attachment_ids
        if pk in attachments
    ]
    created = ManualDownload.objects.bulk_create(rows)
    logger.info("manual ZIP %s downloaded by %s (%s files)", bundle.pk, by, len(created))
    return created


BUNDLE_LEASE = dt.timedelta(minutes=15)


def bundles_sweep(*, stalled_after: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Send again the bundles whose message was lost (broker down when it was asked for, a
    worker killed mid-build): queued for longer than ``stalled_after``, or running with a lease
    that ran out. Run by beat; a duplicate message is harmless, ``bundle_build`` claims the row.
    Returns how many were sent."""
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
        bundle_dispatch(bundle_id)
    if stalled:
        logger.warning("re-sent %s stalled manual ZIP(s): %s", len(stalled), stalled)
    return len(stalled)


def bundle_build(*, bundle_id: int) -> bool:
    """Build the ZIP of one bundle; True when this call built it. Safe to run twice: a bundle
    that is done, failed or claimed by a live worker is left alone."""
    now = timezone.now()
    lease = claim(
        ManualBundle.objects.filter(
            pk=bundle_id, status__in=(BundleStatus.QUEUED, BundleStatus.RUNNING)
        ),
        field="claimed_until",
        lease=BUNDLE_LEASE,
        now=now,
        status=BundleStatus.RUNNING,
        done=0,
        updated_at=now,
    )
    if lease is None:
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
