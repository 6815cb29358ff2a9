#!/usr/bin/env python
"""Run the benchmarks on a database of their own and print their figures.

    .venv/bin/python bench/run.py certificates --count 1000 --workers 2
    .venv/bin/python bench/run.py import --rows 10000
    .venv/bin/python bench/run.py all

Uses ``DATABASE_URL`` when set (e.g. PostgreSQL), otherwise ``var/bench.sqlite3``; the broker is
whatever ``CELERY_BROKER_URL`` says (the file broker by default). The demo data is loaded first
so the benchmarks have the thematic modules; everything a benchmark creates it deletes again.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = {
    "certificates": ["bench_certificates"],
    "import": ["bench_import"],
}


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def main(argv: list[str]) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
    (ROOT / "var").mkdir(exist_ok=True)
    name, rest = (argv[0], argv[1:]) if argv else ("all", [])
    manage("migrate", "--no-input", "-v0")
    manage("seed_demo", "--force")
    chosen = BENCHMARKS if name == "all" else {name: BENCHMARKS[name]}
    for command in chosen.values():
        manage(*command, *rest)


if __name__ == "__main__":
    main(sys.argv[1:])
