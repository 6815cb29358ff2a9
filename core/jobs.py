"""Sending background work to the workers, from services, without importing the tasks.

A service names the job it wants (``"certificates.render_chunk"``, the task's registered name:
the message contract) and ``enqueue`` sends it once the current transaction commits, so a worker
never looks for rows that are not there yet, and a rolled-back request sends nothing. Tasks are
the edge that calls services; services never import them, so the dependency runs one way. Each
app's ``AppConfig.ready`` imports its ``tasks`` module, which registers the names.

Sending never raises: when the broker is down the rows are already committed, and each job's
sweep (run by beat) sends them again. The database, not the broker, is the source of truth.
"""

import logging
from typing import Any

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def send(name: str, *args: Any) -> bool:
    """Send job ``name`` now; ``False`` (logged) when the broker refused it. Honours
    ``CELERY_TASK_ALWAYS_EAGER`` (the task runs in this process)."""
    try:
        current_app.tasks[name].apply_async(args=args)
    except Exception:  # broker down: kombu raises OperationalError and friends
        logger.exception("Could not send %s%r; the sweep will send it again", name, args)
        return False
    return True


def enqueue(name: str, *args: Any) -> None:
    """Send job ``name`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send(name, *args))
