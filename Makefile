# Käytäntöpankki: `make run` sets everything up and serves the portal; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Local development runs with DEBUG on; production sets its own environment.
DEV_ENV := DEBUG=$${DEBUG:-true}
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run setup venv install system-deps browser-deps messages migrate demo-data test \
	test-sqlite test-postgres lint format checks bench bench-load clean backup restore

help:
	@echo "make run    set up (venv, install, migrate, demo data) and serve http://$(HOST):$(PORT)"
	@echo "make test   run the whole suite on SQLite and a throwaway PostgreSQL cluster"
	@echo "make backup write the database and uploaded files to $(BACKUP_DIR)/kaytantopankki-<time>.tar"
	@echo "make restore FILE=<archive>  restore such an archive, replacing the database and uploads (YES=1: no question)"

$(PY):
	@interp=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$interp"; \
	"$$interp" -m venv $(VENV)

venv: $(PY)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

# gettext compiles the translations; libvoikko1 + voikko-fi give Finnish search its base forms
# and compound parts (search still works with Snowball stems alone where they are absent).
SYSTEM_PACKAGES := gettext libvoikko1 voikko-fi

system-deps:
	@scripts/ensure-system-packages $(SYSTEM_PACKAGES)

messages: install system-deps
	@$(DEV_ENV) $(MANAGE) compilemessages --ignore=.venv -v 0

migrate: install
	$(DEV_ENV) $(MANAGE) migrate --no-input -v 0

demo-data: migrate
	$(DEV_ENV) $(MANAGE) load_reference_data
	$(DEV_ENV) $(MANAGE) load_demo_data

setup: messages demo-data

run: setup
	@echo "Serving Käytäntöpankki at http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	@# Background tasks (large spreadsheet imports) run in a worker beside the web server.
	@$(DEV_ENV) $(MANAGE) db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(MANAGE) runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The checks run with production settings: what a deployment must set, and nothing more.
PROD_ENV = DEBUG=false SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=kaytantopankki.example.fi DATABASE_URL=sqlite:///$$(mktemp -d)/check.sqlite3

checks: messages
	$(PROD_ENV) $(MANAGE) check --deploy --fail-level WARNING
	$(PROD_ENV) $(MANAGE) makemigrations --check --dry-run
	$(PROD_ENV) STATIC_ROOT=$$(mktemp -d) $(MANAGE) collectstatic --no-input -v 0

# The browser tests (tests/browser, marker `browser`) drive Debian's headless Chromium.
browser-deps:
	@scripts/ensure-system-packages chromium

test-sqlite: messages browser-deps
	@echo "== Test suite on SQLite"
	DATABASE_URL=sqlite:///$$(mktemp -d)/test.sqlite3 $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: messages
	@scripts/ensure-system-packages postgresql
	@echo "== Test suite on PostgreSQL (the browser tests run in the SQLite pass)"
	scripts/with-postgres $(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

test: lint checks test-sqlite test-postgres

bench: setup
	$(DEV_ENV) $(PY) benchmarks/run_all.py

# The load test: gunicorn and a throwaway PostgreSQL cluster with 50,000 practices, 8 to 64
# users (about five minutes; BENCH_ARGS=--quick for a short run). wrk is its cross-check.
bench-load: messages
	@scripts/ensure-system-packages postgresql wrk
	$(PY) benchmarks/load.py $(BENCH_ARGS)

# Backups of the database configured by DATABASE_URL and of MEDIA_ROOT (docs/deployment.md).
BACKUP_DIR ?= backups

backup:
	$(DEV_ENV) $(MANAGE) backup_site --output-dir "$(BACKUP_DIR)"

restore:
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=$(BACKUP_DIR)/kaytantopankki-....tar" >&2; exit 2; }
	$(DEV_ENV) $(MANAGE) restore_site "$(FILE)" $(if $(YES),--yes)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
