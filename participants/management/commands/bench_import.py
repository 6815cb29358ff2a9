"""Benchmark: import a generated nomination list of N rows (XLSX) and print figures.

    python manage.py bench_import --rows 10000

The list looks like a ministry's: Latin and Arabic names, six ministries, a few per cent of
repeated people and of bad e-mails. It is validated once (dry run, under tracemalloc for the
Python memory peak) and imported once with ``skip_invalid`` inside a transaction that is rolled
back, so the database is left as it was. The last line is JSON.
"""

import io
import json
import resource
import time
import tracemalloc

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from openpyxl import Workbook

from participants.services import participants_import

GIVEN = [
    ("Ahmed", "أحمد"),
    ("Zainab", "زينب"),
    ("Karwan", "كاروان"),
    ("Noor", "نور"),
    ("Ali", "علي"),
]
FAMILY = [("Al-Saadi", "الساعدي"), ("Hassan", "حسن"), ("Al-Jubouri", "الجبوري"), ("Kareem", "كريم")]
MINISTRIES = [
    "Ministry of Migration and Displacement",
    "Ministry of Interior — Kurdistan Regional Government",  # as registered: a ministry and its parent
    "Ministry of Foreign Affairs",
    "Ministry of Labour and Social Affairs",
    "Ministry of Justice",
    "Border Ports Commission",
]


class _Rollback(Exception):
    pass


def nomination_list(rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Nominations")
    sheet.append(["First Name", "Family Name", "Name (Arabic)", "Gender", "E-Mail", "Phone",
                  "Ministry", "Position", "Country"])  # fmt: skip
    for n in range(rows):
        if n and n % 20 == 0:  # a person nominated twice
            n -= 7
        given, family = GIVEN[n % 5], FAMILY[(n // 5) % 4]
        email = f"official{n}@example.iq" if n % 50 else "not-an-email"
        sheet.append([given[0], f"{family[0]} {n}", f"{given[1]} {family[1]} {n}", "FM"[n % 2],
                      email, f"0750 {n:07d}", MINISTRIES[n % 6], "Officer", "Iraq"])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Import a generated N-row XLSX nomination list and print rows per second and memory."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)

    def handle(self, *args, rows: int, **options):
        data = nomination_list(rows)

        def upload():
            return SimpleUploadedFile("nominations.xlsx", data)

        started = time.perf_counter()
        dry = participants_import(file=upload(), by=None, dry_run=True)
        dry_seconds = time.perf_counter() - started

        started = time.perf_counter()
        report, import_seconds = self._import_rolled_back(upload, started)

        # Memory in a pass of its own: tracemalloc slows Python down too much to time with it.
        tracemalloc.start()
        self._import_rolled_back(upload, time.perf_counter())
        python_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        result = {
            "rows": rows,
            "file_mb": round(len(data) / 2**20, 2),
            "dry_run_seconds": round(dry_seconds, 2),
            "import_seconds": round(import_seconds, 2),
            "rows_per_second": round(rows / import_seconds, 1),
            "created": report.created,
            "updated": report.updated,
            "skipped": report.skipped,
            "errors": len(dry.errors),
            "python_peak_mb": round(python_peak / 2**20, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        self.stdout.write(json.dumps(result))

    @staticmethod
    def _import_rolled_back(upload, started: float):
        """Import for real inside a transaction that is then rolled back, so the database is
        left as it was; returns the report and the seconds the import took."""
        try:
            with transaction.atomic():
                report = participants_import(file=upload(), by=None, skip_invalid=True)
                seconds = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
        return report, seconds
