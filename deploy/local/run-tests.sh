#!/usr/bin/env bash
# Lint, migration check, the storefront's type check, unit tests, build and bundle
# budget, then pytest against the services from .local/env, then the browser tests
# against a real server (deploy/local/e2e.sh).
# Usage: run-tests.sh [pytest args...]   (make test passes PYTEST_ARGS here)
# SKIP_FRONTEND=1 leaves out the storefront's stages (a quick backend-only run).
# Exits non-zero when any stage fails (pytest's 5, no tests collected, included).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [[ ! -f .local/env ]]; then
  echo "[tests] .local/env missing; run: make services" >&2
  exit 1
fi
# shellcheck source=/dev/null
source .local/env

echo "[tests] ruff check" >&2
.venv/bin/ruff check .

echo "[tests] mypy (services and selectors)" >&2
.venv/bin/mypy

echo "[tests] makemigrations --check" >&2
.venv/bin/python manage.py makemigrations --check --dry-run

if [[ ${SKIP_FRONTEND:-0} != 1 ]]; then
  echo "[tests] storefront: typecheck, vitest, build, bundle budget" >&2
  bash deploy/local/frontend.sh test
fi

echo "[tests] pytest $*" >&2
status=0
.venv/bin/python -m pytest "$@" || status=$?
if ((status == 5)); then
  echo "[tests] FAILED: pytest collected no tests (exit 5)" >&2
fi
if ((status != 0)); then
  exit "$status"
fi

if [[ ${SKIP_FRONTEND:-0} != 1 ]]; then
  echo "[tests] storefront in Chromium against a real server (e2e.sh)" >&2
  bash deploy/local/e2e.sh
fi
