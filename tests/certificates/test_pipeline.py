"""The certificate pipeline as its tasks run it: each task is one service call, the render task
sends what follows by name, repeating a task changes nothing, and a certificate that no attempt
can finish is failed with its reason after the last one, so its batch still finishes.

These call the tasks in this process (eagerly); ``test_issuance_faults`` runs the same tasks in
real worker processes and kills them."""

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from certificates import services, tasks
from certificates.models import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateDesign,
    CertificateStatus,
)
from config.celery import app
from tests.factories import CourseFactory, EnrolmentFactory, ThematicModuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = CourseFactory(code="ERB", programme__acronym="SRP", languages=["en"], hours=60)
    course.modules.set(ThematicModuleFactory.create_batch(2))
    return course


@pytest.fixture
def batch(course, carol, django_capture_on_commit_callbacks):
    for _ in range(3):
        EnrolmentFactory(course=course, status="completed")
    with django_capture_on_commit_callbacks(execute=False):  # no broker: the test sends
        return services.batch_create(course=course, by=carol, send_email=True)


@pytest.fixture
def sent(monkeypatch):
    """What the services send to the workers, by job name, instead of a broker."""
    messages = []
    monkeypatch.setattr(
        "certificates.services.pipeline.send", lambda name, *args: messages.append((name, args))
    )
    return messages


def ids_of(batch):
    return list(batch.certificates.order_by("pk").values_list("pk", flat=True))


def test_the_render_task_issues_its_chunk_then_sends_the_emails_and_the_finalize_job(batch, sent):
    ids = ids_of(batch)

    assert tasks.render_chunk.run(batch.pk, ids) == 3

    assert set(Certificate.objects.values_list("status", flat=True)) == {CertificateStatus.VALID}
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.status) == (3, 0, BatchStatus.RUNNING)
    assert sent == [
        *[(services.EMAIL_CERTIFICATE, (pk,)) for pk in ids],
        (services.FINALIZE_BATCH, (batch.pk,)),
    ]


def test_the_finalize_task_writes_the_files_once(batch, sent):
    tasks.render_chunk.run(batch.pk, ids_of(batch))

    assert tasks.finalize_batch.run(batch.pk) is True
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.zip_file and batch.merged_pdf
    # A second finalize message (each chunk that ends with nothing pending sends one) builds
    # nothing again.
    assert tasks.finalize_batch.run(batch.pk) is False
    _folders, files = default_storage.listdir(f"batches/{batch.pk}")
    assert sorted(name.rsplit(".", 1)[1] for name in files) == ["pdf", "zip"]
    assert CertificateBatch.objects.get(pk=batch.pk).zip_file.name == batch.zip_file.name


def test_running_the_render_task_twice_issues_nothing_the_second_time(batch, sent):
    ids = ids_of(batch)
    tasks.render_chunk.run(batch.pk, ids)
    stored = dict(Certificate.objects.values_list("pk", "pdf"))

    assert tasks.render_chunk.run(batch.pk, ids) == 0
    assert dict(Certificate.objects.values_list("pk", "pdf")) == stored
    assert Certificate.objects.count() == 3


def test_the_finalize_job_waits_while_a_certificate_is_pending(batch, sent):
    _first, *rest = ids_of(batch)
    tasks.render_chunk.run(batch.pk, rest)

    assert (services.FINALIZE_BATCH, (batch.pk,)) not in sent
    assert tasks.finalize_batch.run(batch.pk) is False
    assert CertificateBatch.objects.get(pk=batch.pk).status != BatchStatus.DONE


@override_settings(CERTIFICATE_MAX_ATTEMPTS=3)
def test_a_certificate_whose_storage_keeps_failing_is_failed_after_the_last_attempt(
    batch, sent, monkeypatch
):
    first, *rest = ids_of(batch)

    def full_disk(certificate, pdf):
        if certificate.pk == first:
            raise OSError("No space left on device")
        return real_store(certificate, pdf)

    real_store = services.pipeline.certificate_store
    monkeypatch.setattr(services.pipeline, "certificate_store", full_disk)
    for _attempt in range(3):  # what the task's retries do
        with pytest.raises(OSError):
            tasks.render_chunk.run(batch.pk, [first, *rest])
        pending = Certificate.objects.get(pk=first)
        assert pending.status == CertificateStatus.PENDING and pending.claimed_until is None
    # The others of the chunk were issued at the first try: one bad apple holds nobody up.
    assert set(Certificate.objects.filter(pk__in=rest).values_list("status", flat=True)) == {
        CertificateStatus.VALID
    }

    tasks.render_chunk.run(batch.pk, [first])  # the next delivery (or the sweep) gives up

    failed = Certificate.objects.get(pk=first)
    assert failed.status == CertificateStatus.FAILED
    assert failed.error == "Gave up after 3 attempts. OSError: No space left on device"
    assert (services.FINALIZE_BATCH, (batch.pk,)) in sent
    assert tasks.finalize_batch.run(batch.pk) is True
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.status) == (2, 1, BatchStatus.DONE)


def test_a_retried_certificate_starts_its_attempts_again(batch, sent, carol, monkeypatch):
    first = ids_of(batch)[0]
    Certificate.objects.filter(pk=first).update(
        status=CertificateStatus.FAILED, attempts=5, error="Gave up after 5 attempts."
    )
    with override_settings(CERTIFICATE_MAX_ATTEMPTS=5):
        services.certificate_retry(certificate=Certificate.objects.get(pk=first), by=carol)
        assert Certificate.objects.get(pk=first).attempts == 0
        assert services.certificate_render(certificate_id=first) is True


def test_a_design_error_fails_the_certificate_at_once_with_the_reason(batch, sent, monkeypatch):
    first = ids_of(batch)[0]

    def broken(certificate):
        raise services.pipeline.RenderError("The design has an error: unclosed tag")

    monkeypatch.setattr(services.pipeline, "certificate_pdf", broken)
    tasks.render_chunk.run(batch.pk, [first])

    failed = Certificate.objects.get(pk=first)
    assert (failed.status, failed.attempts) == (CertificateStatus.FAILED, 1)
    assert failed.error == "The design has an error: unclosed tag"


def test_the_sweep_sends_a_stalled_batch_again(batch, sent):
    CertificateBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING)

    assert tasks.sweep_batches.run(stalled_seconds=0) == 1
    assert sent == [(services.RENDER_CHUNK, (batch.pk, ids_of(batch)))]


@pytest.fixture
def eager():
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


def test_eagerly_one_click_runs_the_whole_pipeline(
    course, carol, eager, django_capture_on_commit_callbacks
):
    """With eager tasks (no broker) the jobs the services send by name run in this process:
    from ``batch_create`` to the files in storage."""
    for _ in range(2):
        EnrolmentFactory(course=course, status="completed")
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create(course=course, by=carol)

    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == (BatchStatus.DONE, 2, 2)
    assert batch.zip_file and batch.merged_pdf


def test_a_design_slow_only_for_real_trainees_fails_its_certificate_at_once(
    batch, sent, monkeypatch
):
    """A loop guarded by the sample's serial passes the preview; in the batch it meets the
    render deadline, and the certificate fails with the reason on its first attempt."""
    slow = "{% if c.serial != 'SRP-2016-ERB-0007' %}" + "{% for a in '0123456789' %}" * 7
    slow += "." + "{% endfor %}" * 7 + "{% endif %}"
    design = services.design_save(design=CertificateDesign(name="Slow", html=slow, css=""))
    Certificate.objects.filter(batch=batch).update(design=design)
    monkeypatch.setattr("certificates.rendering.RENDER_SECONDS", 0.2)
    first, *_rest = ids_of(batch)

    tasks.render_chunk.run(batch.pk, [first])

    failed = Certificate.objects.get(pk=first)
    assert (failed.status, failed.attempts) == (CertificateStatus.FAILED, 1)
    assert "took more than 0.2 seconds" in failed.error
