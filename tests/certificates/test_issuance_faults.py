"""Issuance with real worker processes and a real Redis, under the faults production sees.

Each test starts its own redis-server (with AOF, as docker-compose.yml runs it) on a free port
and its own workers on the test database; nothing touches the shared services. Each ends with
the same check: every eligible trainee holds exactly one valid certificate, and the batch's ZIP
holds exactly one PDF per certificate.
"""

import io
import zipfile

import pytest
from django.db.models import Count

from certificates import services
from certificates.models import BatchStatus, Certificate, CertificateBatch, CertificateStatus
from tests.factories import CourseFactory, EnrolmentFactory, ThematicModuleFactory
from tests.workers import (
    RedisServer,
    kill_worker,
    start_worker,
    stop_worker,
    use_broker,
    wait_for,
    worker_env,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]

TRAINEES = 40


@pytest.fixture(autouse=True)
def _small_chunks(settings):
    # Many messages, as in a real batch: more chunks than worker processes can prefetch, so a
    # fault in the middle really interrupts the work.
    settings.CERTIFICATE_CHUNK_SIZE = 2


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    with use_broker(server.url):
        yield server
    server.stop()


@pytest.fixture
def course(db):
    course = CourseFactory(code="ERB", programme__acronym="SRP", languages=["en", "ar"])
    course.modules.set(ThematicModuleFactory.create_batch(4))
    EnrolmentFactory.create_batch(TRAINEES, course=course, status="completed")
    EnrolmentFactory(course=course, status="failed")
    return course


def batch_state(batch_id: int) -> CertificateBatch:
    return CertificateBatch.objects.get(pk=batch_id)


def assert_exactly_one_valid_certificate_each(course, batch_id: int) -> None:
    per_enrolment = (
        Certificate.objects.filter(enrolment__course=course)
        .values("enrolment")
        .annotate(n=Count("pk"))
    )
    assert len(per_enrolment) == TRAINEES
    assert {row["n"] for row in per_enrolment} == {1}
    assert Certificate.objects.filter(status=CertificateStatus.VALID).count() == TRAINEES
    batch = batch_state(batch_id)
    assert (batch.status, batch.done, batch.failed, batch.total) == ("done", TRAINEES, 0, TRAINEES)
    with batch.zip_file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert len(names) == len(set(names)) == TRAINEES


def progress(batch_id: int, worker=None) -> str:
    """What a failed wait reports: the batch, its certificates, and the worker's log."""
    batch = batch_state(batch_id)
    states = dict(
        Certificate.objects.filter(batch_id=batch_id)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    log = stop_worker(worker)[-3000:] if worker else ""
    return f"{batch.status} {batch.done}/{batch.total} failed={batch.failed} rows={states}\n{log}"


def finished(batch_id: int) -> bool:
    return batch_state(batch_id).status in (BatchStatus.DONE, BatchStatus.FAILED)


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(course, carol, redis, tmp_path):
    env = worker_env(CELERY_BROKER_URL=redis.url, BEAT_SCHEDULE=str(tmp_path / "beat"))
    worker = start_worker(env, concurrency=2, beat=True)
    try:
        batch = services.batch_create(course=course, by=carol)
        assert wait_for(lambda: batch_state(batch.pk).done >= 1, timeout=90, interval=0.05)
        kill_worker(worker)
        assert not finished(batch.pk), "the batch finished before the worker could be killed"

        worker = start_worker(env, concurrency=2, beat=True, name="w2")
        assert wait_for(lambda: finished(batch.pk), timeout=180), progress(batch.pk, worker)
    finally:
        log = stop_worker(worker)
    assert_exactly_one_valid_certificate_each(course, batch.pk)
    assert "Traceback" not in log, log


def test_redis_stopped_mid_batch_and_restarted_loses_nothing(course, carol, redis, tmp_path):
    env = worker_env(CELERY_BROKER_URL=redis.url, BEAT_SCHEDULE=str(tmp_path / "beat"))
    worker = start_worker(env, concurrency=2, beat=True)
    try:
        batch = services.batch_create(course=course, by=carol)
        assert wait_for(lambda: batch_state(batch.pk).done >= 1, timeout=90, interval=0.05)
        redis.stop()
        assert not finished(batch.pk), "the batch finished before Redis could be stopped"
        redis.start()  # same port, same AOF file

        assert wait_for(lambda: finished(batch.pk), timeout=180), progress(batch.pk, worker)
    finally:
        stop_worker(worker)
    assert_exactly_one_valid_certificate_each(course, batch.pk)


def test_every_message_delivered_twice_issues_each_certificate_once(course, carol, redis):
    batch = services.batch_create(course=course, by=carol)  # dispatched once on commit
    services.batch_dispatch(batch_id=batch.pk)  # ... and every chunk once more
    workers = [start_worker(worker_env(CELERY_BROKER_URL=redis.url), name=f"w{n}") for n in (1, 2)]
    try:
        assert wait_for(lambda: finished(batch.pk), timeout=180), progress(batch.pk)
    finally:
        for worker in workers:
            stop_worker(worker)
    assert_exactly_one_valid_certificate_each(course, batch.pk)
