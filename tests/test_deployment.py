"""The production topology stays valid and in step with the code, without a Docker engine."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_is_valid_for_docker_compose():
    # docker-compose v1 (Debian package, installed by `make system-deps`) validates offline.
    assert shutil.which("docker-compose"), "docker-compose is missing: run `make system-deps`"
    result = subprocess.run(
        [
            "docker-compose",
            "-f",
            str(COMPOSE),
            "--env-file",
            str(ROOT / ".env.example"),
            "config",
            "-q",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_compose_runs_web_worker_beat_postgres_and_redis_with_documented_commands():
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert services["web"]["command"][0] == "gunicorn"
    # Redis must keep queued messages across a restart and never evict them.
    redis_command = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis_command
    assert "--maxmemory-policy noeviction" in redis_command
    for name in ("web", "worker", "postgres", "redis"):
        if name != "worker":
            assert "healthcheck" in services[name], name


def test_every_variable_compose_sets_is_read_by_the_settings():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z0-9_]+)"', settings_source))
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    for variable in services["web"]["environment"]:
        assert variable in read, f"{variable} is set in docker-compose.yml but never read"


def test_the_image_installs_fast_font_subsetting_and_arabic_fonts():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("libharfbuzz-subset0", "fonts-noto-core", "fonts-hosny-amiri"):
        assert package in dockerfile


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("import django; django.setup()", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_secret_key():
    result = run_python(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        DEBUG="false",
        SECRET_KEY="x" * 50,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_production_settings_pass_the_deploy_checks_at_warning_level():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
            **{
                k: v
                for k, v in os.environ.items()
                if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
            },
            "DEBUG": "false",
            "SECRET_KEY": "k3#Vq9!zL" * 7,  # long and varied, as check --deploy asks
            "ALLOWED_HOSTS": "training.example.org",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_health_check_reports_the_database(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True}
