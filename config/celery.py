"""The Celery app. Start a worker with ``celery -A config worker``, the scheduler with
``celery -A config beat``; both read the Django settings prefixed ``CELERY_``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping", ignore_result=False)
def ping() -> str:
    """Round trip through the broker; used by health checks and the topology tests."""
    return "pong"
