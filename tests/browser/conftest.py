"""Playwright against Debian's chromium (no `playwright install` on these machines).

Playwright's sync API runs an event loop in the test thread, so Django's guard against database
access from async code must be lifted for the live_server tests. A missing chromium makes the
tests fail with the launch error: they are never skipped silently.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from accounts.roles import ALL_ROLES
from tests.workers import (
    RedisServer,
    broker_folder,
    start_worker,
    stop_worker,
    use_broker,
    worker_env,
)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-results/ and return its path."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def page(page):
    # Pages here answer in milliseconds: fail in seconds rather than after the default 30 s.
    page.set_default_timeout(10_000)
    return page


@pytest.fixture(autouse=True)
def _role_groups(transactional_db):
    """Live-server tests run as TransactionTestCase: the flush that ends each of them also deletes
    the role groups made by a data migration. Put them back before the actors are created.

    (Not ``serialized_rollback``: with an in-memory SQLite database set up before Playwright's
    event loop started, the test thread gets a fresh connection object without the serialized
    copy, and the groups silently stay missing.)
    """
    for name in ALL_ROLES:
        Group.objects.get_or_create(name=name)


@pytest.fixture
def axe():
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now; return the serious
    and critical violations as readable lines, so ``assert axe(page) == []`` shows what broke."""
    from axe_playwright_python.sync_playwright import Axe

    engine = Axe()

    def audit(page) -> list[str]:
        options = {
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        }
        results = engine.run(page, options=options).response
        return [
            f"{violation['id']} ({violation['impact']}): "
            + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            for violation in results["violations"]
            if violation["impact"] in ("serious", "critical")
        ]

    return audit


@pytest.fixture
def worker(tmp_path, settings):
    """A real worker on a broker of this test's own: a private folder on the embedded default,
    a private redis-server when the suite runs against Redis (never the shared one)."""
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        with broker_folder(tmp_path / "broker") as broker_env:
            process = start_worker(worker_env(**broker_env), concurrency=2)
            yield process
            stop_worker(process)
        return
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        with use_broker(server.url):
            process = start_worker(worker_env(CELERY_BROKER_URL=server.url), concurrency=2)
            yield process
            stop_worker(process)
    finally:
        server.stop()
