"""Celery wrappers around building a large course file (``services.large_exports``).

Ids in, one idempotent call (``course_export_build`` claims the row), a retry policy out. Once
no retry is left the file is marked failed, so the page stops polling and says why.
"""

import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils.translation import gettext as _

from .services import large_exports

logger = logging.getLogger(__name__)

RETRYABLE = (DatabaseError, OSError, ConnectionError)


@shared_task(
    bind=True,
    name=large_exports.BUILD_EXPORT,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRYABLE,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=840,
    time_limit=900,
)
def build_course_export(self, export_id: int) -> bool:
    try:
        return large_exports.course_export_build(export_id=export_id)
    except Exception as exc:
        if not isinstance(exc, RETRYABLE) or self.request.retries >= self.max_retries:
            logger.exception("course file %s failed", export_id)
            large_exports.course_export_fail(
                export_id=export_id, error=_("The file could not be built. Please ask again.")
            )
        raise


@shared_task(name="delivery.sweep_course_exports", soft_time_limit=60, time_limit=90)
def sweep_course_exports() -> int:
    return large_exports.course_exports_sweep()
