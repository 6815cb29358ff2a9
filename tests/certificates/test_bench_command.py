"""The benchmark command measures a real run: it issues, times, reports and cleans up."""

import json

import pytest
from django.core.management import call_command

from certificates.models import Certificate, CertificateBatch
from tests.workers import RedisServer, broker_folder, database_url, use_broker
from trainings.models import Course

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


@pytest.fixture
def isolated_broker(tmp_path, settings, monkeypatch):
    """The command starts its own worker from the environment: point it at this test's
    database, media folder and a private broker."""
    monkeypatch.setenv("DATABASE_URL", database_url())
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        with broker_folder(tmp_path / "broker") as broker_env:
            for name, value in broker_env.items():
                monkeypatch.setenv(name, value)
            yield
        return
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        with use_broker(server.url):
            yield
    finally:
        server.stop()


def test_the_benchmark_issues_measures_and_cleans_up(isolated_broker, capsys):
    call_command("bench_certificates", count=4, workers=1, naive_sample=2)

    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (result["count"], result["issued"], result["failed"], result["status"]) == (
        4,
        4,
        0,
        "done",
    )
    assert result["seconds"] > 0 and result["per_second"] > 0 and result["naive_per_second"] > 0
    assert result["peak_rss_mb"] > 0
    assert not Certificate.objects.exists() and not CertificateBatch.objects.exists()
    assert not Course.objects.filter(programme__acronym="BENCH").exists()
