"""Celery wrapper around the library's one background job: building a course's manual ZIP.

Ids in, one idempotent call (``bundles.bundle_build`` claims the bundle row), a retry policy
out. Late acknowledgement plus ``reject_on_worker_lost`` hands the message back when a worker
dies; the claim makes the redelivery harmless. Once no retry is left the bundle is marked
failed, so the library page stops polling and says why.
"""

import logging

from celery import shared_task
from django.db import DatabaseError
from django.utils.translation import gettext as _

from . import bundles

logger = logging.getLogger(__name__)

RETRYABLE = (DatabaseError, OSError, ConnectionError)


@shared_task(
    bind=True,
    name=bundles.BUILD_BUNDLE,
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
def build_manual_bundle(self, bundle_id: int) -> bool:
    try:
        return bundles.bundle_build(bundle_id=bundle_id)
    except Exception as exc:
        if not isinstance(exc, RETRYABLE) or self.request.retries >= self.max_retries:
            logger.exception("manual ZIP %s failed", bundle_id)
            # The details go to the log; the page tells the reader what to do.
            bundles.bundle_fail(
                bundle_id=bundle_id, error=_("The ZIP could not be built. Please ask again.")
            )
        raise


@shared_task(name="trainings.sweep_manual_bundles", soft_time_limit=60, time_limit=90)
def sweep_manual_bundles() -> int:
    return bundles.bundles_sweep()
