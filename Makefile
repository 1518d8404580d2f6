# GNU make. Run `make` alone for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Interpreter used to create .venv: python3.11 (the project pins 3.11) if it
# actually runs (a pyenv shim may exist without the version), else python3.
PYTHON ?= $(shell for p in python3.11 python3; do $$p -c '' >/dev/null 2>&1 && { echo $$p; break; }; done)

.PHONY: help venv fonts services stop test demo lint clean-services frontend chromium e2e

help:
	@echo "Targets:"
	@echo "  venv            create .venv and pip install -e '.[dev]' (again only when pyproject.toml changes)"
	@echo "  fonts           the Noto fonts the e-ticket needs for non-Latin names (apt-get as root)"
	@echo "  services        start/reuse PostgreSQL + Redis, write .local/env (deploy/local/services.sh up)"
	@echo "  stop            stop the private PostgreSQL + Redis (services.sh down)"
	@echo "  frontend        npm ci (when the lockfile changed) and build the storefront into frontend/dist"
	@echo "  chromium        Debian's Chromium for the browser tests (apt-get as root)"
	@echo "  test            ruff, mypy, migrations check, storefront unit tests and build, pytest, browser tests"
	@echo "                  (pytest args: PYTEST_ARGS='-k foo -x'; SKIP_FRONTEND=1 for the backend alone)"
	@echo "  e2e             only the browser tests (Playwright in Chromium against a real server)"
	@echo "  demo            build the storefront, migrate, seed demo chains, run celery + uvicorn on PORT (default 8000)"
	@echo "  lint            ruff check + ruff format --check"
	@echo "  clean-services  stop services and delete .local/"

venv: $(STAMP)

$(VENV)/bin/python:
	@test -n "$(PYTHON)" || { echo "no working python3.11/python3 found" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# The stamp is newer than pyproject.toml once the install succeeded, so the
# install only re-runs when dependencies change.
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --disable-pip-version-check -e '.[dev]'
	touch $@

fonts:
	bash deploy/local/fonts.sh

services:
	bash deploy/local/services.sh up

stop:
	bash deploy/local/services.sh down

frontend:
	bash deploy/local/frontend.sh build

chromium:
	bash deploy/local/chromium.sh

test: venv fonts services
	bash deploy/local/run-tests.sh $(PYTEST_ARGS)

e2e: venv fonts services
	bash deploy/local/e2e.sh $(E2E_ARGS)

demo: venv fonts services frontend
	bash deploy/local/demo.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean-services:
	bash deploy/local/services.sh clean
