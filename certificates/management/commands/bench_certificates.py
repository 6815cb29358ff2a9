"""Benchmark: issue N bilingual certificates end to end with real workers, print figures.

    python manage.py bench_certificates --count 1000 --workers 2

It creates a throw-away course with N trainees (Latin and Arabic names) in the configured
database, starts a Celery worker with WORKERS pool processes on the configured broker, issues the
batch (database → PDFs in storage → ZIP and merged PDF), waits for it, then deletes everything it
made. It also measures the naive way — a fresh ``HTML(...).write_pdf()`` per certificate of the
same design in one process — for comparison. The last line is JSON.
"""

import base64
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max, Min
from weasyprint import HTML

from certificates import services
from certificates.models import BatchStatus, Certificate, CertificateBatch
from certificates.rendering import builtin_design, qr_svg_data_uri, renderer
from certificates.selectors import BUILTIN_DESIGN
from core.pdf import bundled_asset, harfbuzz_subset_available
from participants.models import Enrolment, Organisation, Participant
from trainings.models import Course, Programme, ThematicModule

NAMES = [
    ("Ahmed", "Al-Saadi", "أحمد الساعدي"),
    ("Zainab", "Al-Musawi", "زينب الموسوي"),
    ("Karwan", "Hassan", "كاروان حسن"),
    ("Noor", "Al-Jubouri", "نور الجبوري"),
    ("Mustafa", "Kareem", "مصطفى كريم"),
]


class Command(BaseCommand):
    help = "Issue N bilingual certificates end to end with real workers and print throughput."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=200)
        parser.add_argument("--workers", type=int, default=2, help="Worker pool processes.")
        parser.add_argument("--naive-sample", type=int, default=30)
        parser.add_argument("--timeout", type=float, default=3600)

    def handle(self, *args, count, workers, naive_sample, timeout, **options):
        if not harfbuzz_subset_available():
            self.stderr.write("WARNING: libharfbuzz-subset0 missing: rendering will be slow.")
        course = self._make_course(count)
        worker = self._start_worker(workers)
        try:
            self._wait_until_ready(worker)
            started = time.perf_counter()
            batch = services.batch_create(course=course, by=None, language="ar-en")
            peak, merge_peak = self._wait(batch.pk, worker, timeout)
            seconds = time.perf_counter() - started
            batch.refresh_from_db()
            sample = Certificate.objects.filter(batch=batch).select_related("design").first()
            assert sample is not None  # the batch has ``count`` certificates
            naive = self._naive_per_second(sample, min(naive_sample, count))
            phases = self._phases(batch)
        finally:
            self._stop(worker)
            self._cleanup(course)
        result = {
            "count": count,
            "workers": workers,
            "status": batch.status,
            "issued": batch.done,
            "failed": batch.failed,
            "seconds": round(seconds, 2),
            "per_second": round(batch.done / seconds, 2),
            "peak_rss_mb": round(peak / 1024, 1),
            "merge_peak_rss_mb": round(merge_peak / 1024, 1),
            "naive_per_second": round(naive, 2),
            **phases,
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "broker": settings.CELERY_BROKER_URL.split(":", 1)[0],
        }
        self.stdout.write(json.dumps(result))

    # --- setup and teardown --------------------------------------------------------------

    @transaction.atomic
    def _make_course(self, count: int) -> Course:
        programme, _ = Programme.objects.get_or_create(
            acronym="BENCH", defaults={"name": "Benchmark programme"}
        )
        stamp = dt.datetime.now().strftime("%H%M%S")
        course = Course.objects.create(
            programme=programme,
            code=f"B{stamp}",
            title="Training of Trainers on Migration Management",
            city="Erbil",
            country="IQ",
            start_date=dt.date(2016, 5, 15),
            end_date=dt.date(2016, 5, 24),
            languages=["en", "ar"],
            hours=60,
            status="completed",
        )
        course.modules.set(ThematicModule.objects.all()[:8])
        organisation, _ = Organisation.objects.get_or_create(name="Benchmark ministry")
        people = Participant.objects.bulk_create(
            Participant(
                first_name=NAMES[i % 5][0],
                last_name=f"{NAMES[i % 5][1]} {i}",
                native_name=NAMES[i % 5][2],
                organisation=organisation,
                country="IQ",
            )
            for i in range(count)
        )
        Enrolment.objects.bulk_create(
            Enrolment(participant=p, course=course, status="completed") for p in people
        )
        return course

    def _cleanup(self, course: Course) -> None:
        batches = CertificateBatch.objects.filter(course=course)
        certificates = Certificate.objects.filter(enrolment__course=course)
        for name in certificates.exclude(pdf="").values_list("pdf", flat=True):
            default_storage.delete(name)
        for batch in batches:
            for field in (batch.zip_file, batch.merged_pdf):
                if field.name:
                    default_storage.delete(field.name)
        participants = list(course.enrolments.values_list("participant", flat=True))
        certificates.delete()
        batches.delete()
        course.enrolments.all().delete()
        Participant.objects.filter(pk__in=participants).delete()
        course.delete()

    # --- workers ---------------------------------------------------------------------------

    def _start_worker(self, workers: int) -> subprocess.Popen:
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            f"--concurrency={workers}", "--without-mingle", "--without-gossip",
            "--loglevel=error", "--hostname=bench@%h",
        ]  # fmt: skip
        return subprocess.Popen(  # noqa: S603
            command, cwd=settings.BASE_DIR, env=os.environ.copy(), start_new_session=True
        )

    def _wait_until_ready(self, worker: subprocess.Popen) -> None:
        """Start the clock only once the pool processes exist: boot time is not throughput."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(_children(worker.pid)) < 1:
            time.sleep(0.2)
        time.sleep(2)

    def _phases(self, batch: CertificateBatch) -> dict:
        stamps = Certificate.objects.filter(batch=batch).aggregate(
            first=Min("issued_at"), last=Max("issued_at")
        )
        if not stamps["first"]:
            return {}
        return {
            "first_pdf_after_s": round((stamps["first"] - batch.created_at).total_seconds(), 2),
            "render_span_s": round((stamps["last"] - stamps["first"]).total_seconds(), 2),
            "finalize_s": round((batch.finished_at - stamps["last"]).total_seconds(), 2),
        }

    def _stop(self, worker: subprocess.Popen) -> None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()

    def _wait(self, batch_id: int, worker: subprocess.Popen, timeout: float) -> tuple[int, int]:
        """Wait for the batch; return the peak resident memory (KiB) of one pool process, and of
        the merge child processes they start."""
        peak = merge_peak = 0
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for pid in _children(worker.pid):
                peak = max(peak, _peak_rss_kib(pid))
                merge_peak = max(merge_peak, *(_peak_rss_kib(c) for c in _children(pid)), 0)
            batch = CertificateBatch.objects.get(pk=batch_id)
            if batch.status in (BatchStatus.DONE, BatchStatus.FAILED):
                return peak, merge_peak
            if worker.poll() is not None:
                raise RuntimeError("The benchmark worker died.")
            time.sleep(0.1)
        raise RuntimeError(f"Batch {batch_id} not finished after {timeout} s")

    # --- the naive way ---------------------------------------------------------------------

    def _naive_per_second(self, certificate: Certificate, sample: int) -> float:
        html, css = builtin_design(BUILTIN_DESIGN)
        body = renderer().render_html(
            html,
            {"c": certificate.snapshot, "qr": qr_svg_data_uri(certificate.snapshot["verify_url"])},
        )
        emblem = (
            "data:image/svg+xml;base64," + base64.b64encode(bundled_asset("emblem.svg")).decode()
        )
        page = body.replace("</head>", f"<style>{css}</style></head>").replace(
            "asset:emblem.svg", emblem
        )
        started = time.perf_counter()
        for _ in range(sample):
            HTML(string=page).write_pdf()
        return sample / (time.perf_counter() - started)


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def _peak_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
