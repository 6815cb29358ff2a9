"""Celery wrappers around the certificate services: ids in, one service call, a retry policy.

Late acknowledgement plus ``reject_on_worker_lost`` gives a message back to the queue when a
worker dies; the services make the redelivery harmless (see ``services`` for the claims).
"""

import datetime as dt
import logging

from celery import shared_task
from celery.signals import worker_init, worker_ready
from django.db import DatabaseError

from core.pdf import harfbuzz_subset_available

from . import services

logger = logging.getLogger(__name__)

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError, OSError, ConnectionError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="certificates.render_chunk", soft_time_limit=300, time_limit=360, **RETRY)
def render_chunk(batch_id: int | None, certificate_ids: list[int]) -> int:
    issued = services.certificates_render(certificate_ids=certificate_ids)
    if batch_id is not None:
        batch = services.batch_refresh(batch_id=batch_id)
        if batch is not None and batch.send_email:
            for certificate_id in certificate_ids:
                email_certificate.delay(certificate_id)
    return issued


@shared_task(name="certificates.finalize_batch", soft_time_limit=900, time_limit=960, **RETRY)
def finalize_batch(batch_id: int) -> None:
    services.batch_refresh(batch_id=batch_id)


@shared_task(name="certificates.email_certificate", soft_time_limit=60, time_limit=90, **RETRY)
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
