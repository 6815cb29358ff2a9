"""Real Celery worker processes and private Redis servers for tests.

Workers get the test database (a file on SQLite, ``test_*`` on PostgreSQL), the test's
MEDIA_ROOT and whichever broker the test chose. Nothing here skips: a missing ``redis-server``
or a broker that does not answer fails the test.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import kombu.pools
from django.conf import settings
from django.db import connection

from config.celery import app

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _reset_connections() -> None:
    """Drop cached broker connections and the result backend so new settings take effect."""
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    kombu.pools.reset()  # kombu caches producer pools per connection, globally
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextmanager
def use_broker(url: str, transport_options: dict | None = None, result_backend: str | None = None):
    """Point this process's Celery app at another broker for the duration.

    Celery reads ``CELERY_BROKER_URL`` from the environment before its own configuration, so the
    variable is switched too (CI sets it for the whole suite)."""
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.result_backend)
    saved_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.broker_transport_options = transport_options or {}
    app.conf.result_backend = result_backend or url
    _reset_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options, app.conf.result_backend = saved
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        _reset_connections()


@contextmanager
def broker_folder(tmp_path: Path):
    """On the embedded default, a private file broker; on Redis, the configured one."""
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        yield {}
        return
    folders = {name: tmp_path / name for name in ("queue", "processed", "results", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
    }
    results = f"file://{folders['results']}"
    with use_broker(settings.CELERY_BROKER_URL, options, results):
        yield {"CELERY_QUEUE_DIR": str(tmp_path), "CELERY_RESULT_BACKEND": results}


class RedisServer:
    """A private redis-server on a free port, with AOF like production."""

    def __init__(self, folder: Path):
        assert shutil.which("redis-server"), "redis-server is not installed"
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
            "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no",
            "--maxmemory-policy", "noeviction",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        assert wait_for(self.ping, timeout=20), "private redis-server did not start"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


def database_url() -> str:
    """The URL of the database the tests use right now (pytest-django's test database)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def worker_env(**extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CERTIFICATE_LEASE_SECONDS": "5",
        "CERTIFICATE_SWEEP_SECONDS": "2",
        "CELERY_VISIBILITY_TIMEOUT": "10",
        "CERTIFICATE_CHUNK_SIZE": str(settings.CERTIFICATE_CHUNK_SIZE),
        **extra,
    }


def start_worker(
    extra_env: dict[str, str], *, concurrency: int = 1, name: str = "w1", beat: bool = False
) -> subprocess.Popen:
    env = {**os.environ, **extra_env, "PYTHONUNBUFFERED": "1"}
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker",
        f"--concurrency={concurrency}", "--without-mingle", "--without-gossip",
        "--loglevel=warning", f"--hostname={name}@%h",
    ]  # fmt: skip
    if beat:
        command += ["--beat", f"--schedule={extra_env.get('BEAT_SCHEDULE', '/tmp/beat-' + name)}"]
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so kill -9 reaches the pool too
    )


def kill_worker(process: subprocess.Popen) -> None:
    """kill -9 the worker and every child it forked, as a crash would."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def stop_worker(process: subprocess.Popen, timeout: float = 20) -> str:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    return output or ""


def wait_for(predicate, timeout: float = 60, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
