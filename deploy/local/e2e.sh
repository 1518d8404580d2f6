#!/usr/bin/env bash
# The storefront's browser tests against the real server, the way a customer meets it:
# a database of their own (<database>_e2e, made afresh), migrated and seeded with the
# demo chains plus `quickstep` (holds of 20 seconds), Redis database 5, a Celery worker
# with beat, and the ASGI server on E2E_PORT; then Playwright in Debian's Chromium.
# Everything started here is stopped on the way out. Screenshots, the seat map's
# render time and the bundle sizes are left in frontend/e2e/artifacts/.
#
#   e2e.sh [playwright args...]       e.g. e2e.sh e2e/live.spec.ts
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

log() { printf '[e2e] %s\n' "$*" >&2; }

[[ -f .local/env ]] || { log ".local/env missing; run: make services"; exit 1; }
# shellcheck source=/dev/null
source .local/env
PY=.venv/bin/python

bash deploy/local/chromium.sh
bash deploy/local/frontend.sh build

E2E_PORT="${E2E_PORT:-$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
export E2E_PORT
# The links in the emails the server sends point at the port it serves on.
export PORT="$E2E_PORT"
DATABASE_URL="$("$PY" - <<'PY'
import os, urllib.parse as u
url = u.urlsplit(os.environ["DATABASE_URL"])
print(u.urlunsplit(url._replace(path=url.path.rstrip("/") + "_e2e")))
PY
)"
export DATABASE_URL
REDIS_URL="${E2E_REDIS_URL:-${REDIS_URL%/*}/5}"
export REDIS_URL
export DJANGO_ENV=development DEBUG=false
export CELERY_BEAT_SCHEDULE_FILENAME=.local/e2e-celerybeat-schedule
# Many customers from one address in a few minutes: the per-address ceilings would be
# what the tests measure otherwise. The per-account limits stay as they are.
export THROTTLE_REGISTER_ADDRESS=5000/hour THROTTLE_LOGIN_ADDRESS=5000/min \
  THROTTLE_HOLD_ADDRESS=5000/min THROTTLE_CHECKOUT_ADDRESS=5000/min HOLDS_PER_ADDRESS=500
mkdir -p .local/logs

log "fresh database ${DATABASE_URL##*/}, Redis ${REDIS_URL##*/}"
"$PY" - <<'PY'
import os, urllib.parse as u
import psycopg, redis
url = u.urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
admin = u.urlunsplit(url._replace(path="/postgres"))
with psycopg.connect(admin, autocommit=True) as connection:
    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.execute(f'CREATE DATABASE "{name}"')
redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
PY
"$PY" manage.py migrate_platform --verbosity 0
"$PY" manage.py seed_demo --e2e >.local/logs/e2e-seed.log

server_pid=""
celery_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in $server_pid $celery_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $server_pid $celery_pid; do
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

.venv/bin/celery -A ticketing_platform worker -B --loglevel=WARNING --concurrency=2 \
  >.local/logs/e2e-celery.log 2>&1 </dev/null &
celery_pid=$!
.venv/bin/uvicorn ticketing_platform.asgi:application --host 127.0.0.1 --port "$E2E_PORT" \
  --log-level warning >.local/logs/e2e-server.log 2>&1 </dev/null &
server_pid=$!

for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$E2E_PORT/healthz/" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { log "the server did not start; see .local/logs/e2e-server.log"; exit 1; }
  sleep 0.2
done
log "server on port $E2E_PORT; Playwright"

rm -rf frontend/e2e/artifacts
mkdir -p frontend/e2e/artifacts
cp frontend/dist/bundle-size.json frontend/e2e/artifacts/ 2>/dev/null || true
cd frontend
status=0
if (($#)); then
  npx --no-install playwright test "$@" </dev/null || status=$?
else
  # Everything but the drawing-time figures, two browsers at a time; then those figures
  # alone, so that no other test shares the two cores while they are measured.
  npx --no-install playwright test --grep-invert "drawing time" </dev/null || status=$?
  npx --no-install playwright test e2e/render.spec.ts --workers=1 --reporter=list \
    --output e2e/artifacts/results-render </dev/null || status=$?
fi
log "artifacts (screenshots, render times, report): frontend/e2e/artifacts/"
exit "$status"
