#!/usr/bin/env bash
# Lint, migration check, then pytest against the services from .local/env.
# Usage: run-tests.sh [pytest args...]   (make test passes PYTEST_ARGS here)
# Exits with pytest's status (5 = no tests collected, which is a failure).
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

echo "[tests] pytest $*" >&2
status=0
.venv/bin/python -m pytest "$@" || status=$?
if ((status == 5)); then
  echo "[tests] FAILED: pytest collected no tests (exit 5)" >&2
fi
exit "$status"
