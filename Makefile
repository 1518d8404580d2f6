# GNU make. Run `make` alone for the list of targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Interpreter used to create .venv: python3.11 (the project pins 3.11) if it
# actually runs (a pyenv shim may exist without the version), else python3.
PYTHON ?= $(shell for p in python3.11 python3; do $$p -c '' >/dev/null 2>&1 && { echo $$p; break; }; done)

.PHONY: help venv fonts services stop test demo lint clean-services

help:
	@echo "Targets:"
	@echo "  venv            create .venv and pip install -e '.[dev]' (again only when pyproject.toml changes)"
	@echo "  fonts           the Noto fonts the e-ticket needs for non-Latin names (apt-get as root)"
	@echo "  services        start/reuse PostgreSQL + Redis, write .local/env (deploy/local/services.sh up)"
	@echo "  stop            stop the private PostgreSQL + Redis (services.sh down)"
	@echo "  test            ruff, makemigrations --check, pytest (extra args: PYTEST_ARGS='-k foo -x')"
	@echo "  demo            migrate, seed demo tenants, run celery + uvicorn on PORT (default 8000)"
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

test: venv fonts services
	bash deploy/local/run-tests.sh $(PYTEST_ARGS)

demo: venv fonts services
	bash deploy/local/demo.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean-services:
	bash deploy/local/services.sh clean
