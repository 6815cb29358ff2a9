"""Issue a course's certificates from a shell, with a progress bar.

python manage.py issue_certificates ERB            # workers render; this command watches
python manage.py issue_certificates 12 --here      # render in this process (no worker needed)
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from certificates import services
from certificates.labels import LANGUAGE_CODES
from certificates.models import BatchStatus, Certificate, CertificateBatch, CertificateStatus
from core.errors import DomainError
from trainings.models import Course


class Command(BaseCommand):
    help = "Issue certificates to every trainee of COURSE (id or code) who met the completion rule."

    def add_arguments(self, parser):
        parser.add_argument("course", help="Course id or code, e.g. ERB")
        parser.add_argument("--language", choices=LANGUAGE_CODES, default="")
        parser.add_argument("--email", action="store_true", help="E-mail each trainee the PDF.")
        parser.add_argument("--here", action="store_true", help="Render in this process.")
        parser.add_argument("--no-wait", action="store_true", help="Dispatch and return.")
        parser.add_argument("--timeout", type=float, default=3600)

    def handle(self, *args, course, language, email, here, no_wait, timeout, **options):
        course_obj = self._course(course)
        try:
            batch = services.batch_create(
                course=course_obj, by=None, language=language, send_email=email and not here
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Batch {batch.pk}: {batch.total} certificates for {course_obj}.")
        if here:
            pending = Certificate.objects.filter(batch=batch, status=CertificateStatus.PENDING)
            for done, pk in enumerate(pending.values_list("pk", flat=True).order_by("pk"), 1):
                services.certificate_render(certificate_id=pk)
                self._bar(done, 0, batch.total)
            services.batch_finalize(batch_id=batch.pk)
            batch = CertificateBatch.objects.get(pk=batch.pk)
        elif not no_wait:
            batch = self._watch(batch.pk, timeout)
        self._report(batch)

    def _course(self, value: str) -> Course:
        matches = Course.objects.filter(code__iexact=value)
        if value.isdigit():
            matches = Course.objects.filter(pk=int(value)) | matches
        found = list(matches[:2])
        if len(found) != 1:
            raise CommandError(f"No single course has the id or code {value!r}.")
        return found[0]

    def _watch(self, batch_id: int, timeout: float):
        started = time.monotonic()
        while True:
            batch = CertificateBatch.objects.get(pk=batch_id)
            self._bar(batch.done, batch.failed, batch.total)
            if batch.status in (BatchStatus.DONE, BatchStatus.FAILED):
                return batch
            waited = time.monotonic() - started
            if waited > timeout:
                raise CommandError(f"Batch {batch_id} still running after {timeout:.0f} s.")
            if waited > 30 and not (batch.done or batch.failed):
                self.stderr.write(
                    "\nNo progress yet: is a worker running (`celery -A config worker`)? "
                    "Or re-run with --here."
                )
                started = time.monotonic()
            time.sleep(0.5)

    def _bar(self, done: int, failed: int, total: int) -> None:
        width = 40
        filled = int(width * (done + failed) / total) if total else width
        sys.stdout.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} done, {failed} failed"
        )
        sys.stdout.flush()

    def _report(self, batch) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Batch {batch.pk}: {batch.status}, {batch.done} issued, {batch.failed} failed."
            )
        )
        if batch.zip_file:
            self.stdout.write(f"ZIP: {batch.zip_file.name}\nMerged PDF: {batch.merged_pdf.name}")
