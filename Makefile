# Two commands matter: `make run` (everything, served on 127.0.0.1:8000) and `make test` (all checks).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
export DJANGO_SETTINGS_MODULE ?= pmo.settings.local
APT_PACKAGES := chromium poppler-utils gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install system-deps python-deps assets messages db run worker beat web test lint check-deploy lock clean

help:
	@echo "make run    install, migrate, load the demo and serve web + worker + beat on 127.0.0.1:8000"
	@echo "make test   lint, layering, migrations, translations, API schema, deploy check, pytest (incl. e2e)"
	@echo "make lock   re-resolve requirements.lock from pyproject.toml"

install: system-deps python-deps assets messages

# Debian packages: Chromium (e2e tests, chart export), poppler (PDF checks), gettext (catalogues),
# and WeasyPrint's libraries. Installed only when one is missing.
system-deps:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/.installed: requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r requirements.lock
	touch $@

python-deps: $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.copied: node_modules/.package-lock.json $(VENV)/.installed bin/vendor-assets
	bin/vendor-assets
	touch $@

assets: static/vendor/.copied

messages: python-deps
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

db: install
	$(PY) bin/ensure-database
	$(PY) manage.py migrate --no-input -v 0

run: db
	$(PY) manage.py seed_demo --if-empty
	$(VENV)/bin/honcho -f Procfile start

lint: python-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run -v 1 --settings=pmo.settings.test
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null --settings=pmo.settings.test

# pytest on every core (pytest-xdist; `make test PYTEST_WORKERS=0` runs it in one process). Each worker
# has its own test database, Redis database and media directory (pmo/settings/test.py).
PYTEST_WORKERS ?= auto
test: install lint
	$(PY) bin/ensure-database
	DJANGO_SETTINGS_MODULE=pmo.settings.test $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --maxprocesses=4 --dist loadgroup --durations=25

lock:
	$(PY) -m pip install -q uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -q -o requirements.lock

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles

# Area makefiles (benchmarks, security, reliability...): their targets, and extra prerequisites of
# `lint`/`test` declared as `test: <target>`.
include $(wildcard mk/*.mk)
