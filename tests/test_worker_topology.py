"""The same topology as docker-compose.yml, with this machine's services: a real worker process
takes a task from the configured broker (a folder on the embedded default, Redis in CI)."""

from config.celery import app, ping
from tests.workers import broker_folder, start_worker, stop_worker


def test_a_real_worker_answers_a_task_through_the_configured_broker(tmp_path):
    with broker_folder(tmp_path) as worker_env:
        worker = start_worker(worker_env)
        try:
            result = ping.delay()
            assert result.get(timeout=60) == "pong"
        finally:
            log = stop_worker(worker)
        assert "Traceback" not in log, log


def test_tasks_are_acknowledged_late_and_rejected_when_a_worker_dies():
    # A killed worker must give its message back to the queue rather than lose it.
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
