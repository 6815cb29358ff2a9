"""Start real Celery worker processes for tests, with the broker the settings name.

On the embedded defaults the broker is a folder, so each test gets its own folder; on Redis the
worker uses the configured URL. Nothing here skips: if the broker is down, the test fails.
"""

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from config.celery import app

BASE_DIR = Path(settings.BASE_DIR)


@contextmanager
def broker_folder(tmp_path: Path):
    """Point this process's Celery app at a private file broker (embedded mode only)."""
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        yield {}
        return
    queue, processed, results, control = (
        tmp_path / name for name in ("queue", "processed", "results", "control")
    )
    for folder in (queue, processed, results, control):
        folder.mkdir(parents=True, exist_ok=True)
    saved = app.conf.broker_transport_options, app.conf.result_backend
    app.conf.broker_transport_options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "control_folder": str(control),
    }
    app.conf.result_backend = f"file://{results}"
    _reset_connections()
    try:
        yield {"CELERY_QUEUE_DIR": str(tmp_path), "CELERY_RESULT_BACKEND": f"file://{results}"}
    finally:
        app.conf.broker_transport_options, app.conf.result_backend = saved
        _reset_connections()


def _reset_connections() -> None:
    """Drop cached broker connections and the result backend so new settings take effect."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


def start_worker(extra_env: dict[str, str], *, concurrency: int = 1, name: str = "w1"):
    env = {**os.environ, **extra_env, "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        f"--concurrency={concurrency}", "--without-mingle", "--without-gossip",
        "--loglevel=warning", f"--hostname={name}@%h",
    ]  # fmt: skip
    return subprocess.Popen(  # noqa: S603
        command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def stop_worker(process: subprocess.Popen, timeout: float = 15) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


def wait_for(predicate, timeout: float = 60, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
