# Two commands matter: `make run` (demo site + worker) and `make test` (the whole suite).
# Everything else here is a step they depend on.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first interpreter that is Python 3.12+ (Django 6.1 needs it). pyenv shims honour
# .python-version, so python3.12 resolves inside this folder.
PYTHON ?= $(shell for p in python3.12 python3.13 python3.14 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages: WeasyPrint's libraries and fast font subsetting, fonts for Latin, Cyrillic
# and Arabic, gettext for the translation catalogues, Chromium for the browser tests,
# docker-compose (v1, offline) to validate docker-compose.yml, poppler-utils to inspect PDFs.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core \
	fonts-hosny-amiri gettext chromium docker-compose poppler-utils redis-server

.PHONY: help system-deps venv setup run worker test test-fast lint format lock clean bench

help:
	@echo "make run    - install, migrate, load the demo course, serve http://$(HOST):$(PORT)/ with a worker"
	@echo "make test   - install and run the whole test suite"
	@echo "make lint   - ruff check and format check, the import layers (import-linter), mypy"

system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12+ not found (pyenv install 3.12, or apt install python3.12)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@touch $@

venv: $(VENV)/.installed

setup: system-deps venv
	$(MANAGE) compilemessages --ignore=.venv --ignore=var -v0

run: setup
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) seed_demo
	bin/run-dev $(HOST) $(PORT)

worker: setup
	$(MANAGE) migrate --no-input -v0
	$(BIN)/celery -A config worker --loglevel=info

test: setup
	$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-resolve dependencies (needs `uv`: pip install uv). Commit the three files it writes.
lock:
	uv lock --python 3.12
	uv export --frozen --all-groups --no-emit-project --format requirements-txt -o requirements-dev.lock
	uv export --frozen --no-dev --no-emit-project --format requirements-txt -o requirements.lock

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var db.sqlite3 test-results
