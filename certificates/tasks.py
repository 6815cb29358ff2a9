"""Celery wrappers around the certificate pipeline: ids in, one service call, a retry policy.

Each task is registered under the name the services send it by (``services.RENDER_CHUNK``...;
see ``core.jobs``), so the services never import this module. Late acknowledgement plus
``reject_on_worker_lost`` gives a message back to the queue when a worker dies; the services make
the redelivery harmless (see ``services.pipeline`` for the claims and the bounded attempts).
"""

import datetime as dt
import logging
from typing import TypedDict

from celery import shared_task
from celery.signals import worker_init, worker_ready
from django.db import DatabaseError

from core.pdf import harfbuzz_subset_available

from . import services

logger = logging.getLogger(__name__)


class RetryPolicy(TypedDict):
    """The keyword arguments of ``shared_task`` every task below shares."""

    acks_late: bool
    reject_on_worker_lost: bool
    autoretry_for: tuple[type[BaseException], ...]
    retry_backoff: int
    retry_backoff_max: int
    retry_jitter: bool
    max_retries: int


RETRY: RetryPolicy = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError, OSError, ConnectionError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name=services.RENDER_CHUNK, soft_time_limit=300, time_limit=360, **RETRY)
def render_chunk(batch_id: int | None, certificate_ids: list[int]) -> int:
    return services.chunk_render(batch_id=batch_id, certificate_ids=certificate_ids)


# Writing the ZIP and merging the print PDF of a large batch takes minutes: its own time limit.
@shared_task(name=services.FINALIZE_BATCH, soft_time_limit=900, time_limit=960, **RETRY)
def finalize_batch(batch_id: int) -> bool:
    return services.batch_finalize(batch_id=batch_id)


@shared_task(name=services.EMAIL_CERTIFICATE, soft_time_limit=60, time_limit=90, **RETRY)
def email_certificate(certificate_id: int) -> bool:
    return services.certificate_email(certificate_id=certificate_id)


@shared_task(name="certificates.sweep_batches", soft_time_limit=120, time_limit=150, **RETRY)
def sweep_batches(stalled_seconds: float | None = None) -> int:
    stalled_after = None if stalled_seconds is None else dt.timedelta(seconds=stalled_seconds)
    return services.batches_sweep(stalled_after=stalled_after)


@worker_init.connect
def check_fast_font_subsetting(**kwargs) -> None:
    if not harfbuzz_subset_available():
        logger.error(
            "libharfbuzz-subset0 is missing: every certificate will render about 10x slower. "
            "Install it with `apt-get install libharfbuzz-subset0`."
        )


@worker_ready.connect
def resume_unfinished_batches(sender=None, **kwargs) -> None:
    """A (re)started worker picks up what a dead one left pending, without waiting for beat."""
    try:
        sweep_batches.delay(stalled_seconds=0)
    except Exception:  # the broker may still be starting; beat's sweep will come
        logger.exception("Could not schedule the start-up sweep")
