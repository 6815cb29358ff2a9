"""Course files too large to build while a person waits, built by a worker instead.

``export_is_large`` decides (cells of a roster or attendance sheet, trainees of a sign-in sheet,
against ``EXPORT_SYNC_MAX_*``); below it nothing changes and ``course_file`` answers at once.
Above it ``course_export_request`` records who asked for what (a roster is audited then, as a
direct one is) and sends the build job after commit; ``course_export_build`` (the worker) claims
the row with a lease, builds the same bytes ``delivery.exports`` builds for a direct download,
in the requester's language, and stores them until ``EXPORT_FILE_HOURS`` have passed;
``course_exports_sweep`` (beat) sends again what a lost message or a dead worker left and
deletes expired files. A duplicate message never builds a file twice: the claim stops it.

Who may ask is the edges' check (``exports.may_export``), the same as for a direct download.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from core.actor import Actor, actor
from core.claims import claim
from core.jobs import enqueue, send
from core.storage import delete_files_after_commit
from trainings.models import Course

from .. import exports
from ..completion import course_days
from ..models import CourseExport, ExportStatus
from .files import audit_roster_export

logger = logging.getLogger(__name__)

BUILD_EXPORT = "delivery.build_course_export"
EXPORT_LEASE = dt.timedelta(minutes=15)
ROSTER_COLUMNS = 16
ATTENDANCE_FIXED_COLUMNS = 5  # name, native name, organisation, present, absent


def export_size(course: Course, export: str) -> int:
    """Cells of a roster or attendance sheet, trainees of a sign-in sheet (one count query)."""
    if export == exports.ROSTER:
        return (exports.roster_enrolments(course).count() + 1) * ROSTER_COLUMNS
    trainees = exports.trainees_in_course(course).count()
    if export == exports.ATTENDANCE_SHEET:
        return (trainees + 2) * (len(course_days(course)) + ATTENDANCE_FIXED_COLUMNS)
    return trainees


def export_is_large(course: Course, export: str) -> bool:
    """Whether ``export`` of ``course`` is built off the request (settings ``EXPORT_SYNC_*``)."""
    limit = (
        settings.EXPORT_SYNC_MAX_SIGN_IN_TRAINEES
        if export == exports.SIGN_IN_SHEET
        else settings.EXPORT_SYNC_MAX_CELLS
    )
    return export_size(course, export) > limit


@transaction.atomic
def course_export_request(
    *, course: Course, export: str, fmt: str = "", day: dt.date | None = None, by: Actor
) -> CourseExport:
    """Ask a worker for ``export`` of ``course``; the caller checked ``may_export``."""
    user = actor(by)
    if user is None:
        raise ValueError("A course file is built for a signed-in person.")
    fmt = "" if export == exports.SIGN_IN_SHEET else (fmt or exports.DEFAULT_FORMAT)
    job = CourseExport.objects.create(
        course=course,
        export=export,
        fmt=fmt,
        day=day,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        requested_by=user,
    )
    if export == exports.ROSTER:
        audit_roster_export(course=course, fmt=fmt, by=by, export_id=job.pk)
    enqueue(BUILD_EXPORT, job.pk)
    logger.info("course file %s (%s) of course %s requested by %s", job.pk, export, course.pk, by)
    return job


def course_export_build(*, export_id: int) -> bool:
    """Build and store one requested file; ``False`` when there was nothing to do (built
    already, failed, or another worker holds it)."""
    pending = CourseExport.objects.filter(
        pk=export_id, status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING)
    )
    until = claim(pending, field="claimed_until", lease=EXPORT_LEASE, status=ExportStatus.RUNNING)
    if until is None:
        return False
    job = CourseExport.objects.select_related("course__programme").get(pk=export_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        built = exports.build(
            job.course, job.export, fmt=job.fmt or exports.DEFAULT_FORMAT, day=job.day
        )
    with transaction.atomic():
        mine = CourseExport.objects.select_for_update().filter(pk=export_id, claimed_until=until)
        current = mine.first()
        if current is None:  # our lease ran out and another worker took over
            return False
        current.file.save(built.filename, ContentFile(built.content), save=False)
        current.filename = built.filename
        current.content_type = built.content_type
        current.status = ExportStatus.DONE
        current.claimed_until = None
        current.expires_at = timezone.now() + dt.timedelta(hours=settings.EXPORT_FILE_HOURS)
        current.save()
    return True


def course_export_fail(*, export_id: int, error: str) -> None:
    CourseExport.objects.filter(pk=export_id).exclude(status=ExportStatus.DONE).update(
        status=ExportStatus.FAILED, error=error[:2000], claimed_until=None
    )


def course_exports_sweep(*, stalled_after: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Send again the files whose message was lost or whose worker died, and delete the
    expired ones (row and file). Run by beat. Returns how many were sent again."""
    now = timezone.now()
    with transaction.atomic():
        expired = list(CourseExport.objects.filter(expires_at__lt=now).select_for_update())
        delete_files_after_commit(
            (job.file.storage, str(job.file.name)) for job in expired if job.file
        )
        CourseExport.objects.filter(pk__in=[job.pk for job in expired]).delete()
    stalled = CourseExport.objects.filter(
        Q(status=ExportStatus.QUEUED, updated_at__lt=now - stalled_after)
        | Q(status=ExportStatus.RUNNING, claimed_until__lt=now)
    ).values_list("pk", flat=True)
    return sum(send(BUILD_EXPORT, pk) for pk in stalled)
