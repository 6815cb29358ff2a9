"""`make run`'s script: a SIGTERM stops the web server and the worker together, and nothing it
started is left running (it used to leave the worker, with its beat, running for minutes)."""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(pid: int) -> set[int]:
    found = set()
    for child in subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True
    ).stdout.split():
        found |= {int(child), *descendants(int(child))}
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def accepts(port: int) -> bool:
    with socket.socket() as client:
        return client.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.services
def test_a_sigterm_stops_the_site_and_the_worker_and_leaves_nothing_running(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        # A database and a broker of its own: nothing shared with the suite's services.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run-dev.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://localhost/",
        "CELERY_QUEUE_DIR": str(tmp_path / "celery"),
        "CELERY_RESULT_BACKEND": f"file://{tmp_path / 'results'}",
    }
    (tmp_path / "results").mkdir()
    script = subprocess.Popen(
        ["bin/run-dev", "127.0.0.1", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert wait_for(lambda: accepts(port), 60), "the site never started"
        assert wait_for(lambda: len(descendants(script.pid)) >= 2, 30), "no worker"
        started = descendants(script.pid)

        script.send_signal(signal.SIGTERM)
        script.wait(timeout=30)  # the warm shutdown is capped at 10 s

        assert wait_for(lambda: not any(alive(pid) for pid in started), 5)
        assert not accepts(port)
    finally:
        if script.poll() is None:
            os.killpg(script.pid, signal.SIGKILL)
