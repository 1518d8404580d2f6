#!/usr/bin/env bash
# Local demo: migrate, seed two demo tenants, run a Celery worker (with beat)
# in the background and uvicorn in the foreground. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [[ ! -f .local/env ]]; then
  echo "[demo] .local/env missing; run: make services" >&2
  exit 1
fi
# shellcheck source=/dev/null
source .local/env

PORT="${PORT:-8000}"
PY=.venv/bin/python
mkdir -p .local/logs

"$PY" manage.py migrate_platform --verbosity 0
"$PY" manage.py seed_demo

# A background job of a non-interactive shell ignores SIGINT, so Ctrl-C would
# not reach the worker: stop it ourselves on every way out.
celery_pid=""
server_pid=""
cleanup() {
  trap - EXIT INT TERM
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n $celery_pid ]] && kill -0 "$celery_pid" 2>/dev/null; then
    echo "[demo] stopping celery worker (pid $celery_pid)" >&2
    kill -TERM "$celery_pid" 2>/dev/null || true
    # Warm shutdown lets running tasks finish; don't wait forever.
    for _ in $(seq 1 20); do
      kill -0 "$celery_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "$celery_pid" 2>/dev/null || true
    wait "$celery_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

echo "[demo] starting celery worker + beat (log: .local/logs/celery.log)" >&2
.venv/bin/celery -A ticketing_platform worker -B --loglevel=INFO --concurrency=2 \
  >>.local/logs/celery.log 2>&1 </dev/null &
celery_pid=$!

cat <<BANNER

==========================================================================
 Ticketing platform demo
   Book seats (storefronts):  http://aurora.localhost:${PORT}/
                              http://bluebird.localhost:${PORT}/
   Platform admin API:        http://localhost:${PORT}/api/docs/
   Tenant "aurora" API:       http://aurora.localhost:${PORT}/api/docs/
   Tenant "bluebird" API:     http://bluebird.localhost:${PORT}/api/docs/

 *.localhost resolves to 127.0.0.1 in browsers. With curl, send the host:
   curl -H 'Host: aurora.localhost' http://127.0.0.1:${PORT}/api/docs/

 Demo logins:
BANNER
"$PY" manage.py seed_demo --print-logins || echo "   (could not print logins: seed_demo --print-logins failed)"
cat <<BANNER
==========================================================================
 Emails (printed, not sent) and the Celery log: .local/logs/celery.log
 Stop: Ctrl-C

BANNER

if ! kill -0 "$celery_pid" 2>/dev/null; then
  echo "[demo] WARNING: celery worker exited early; see .local/logs/celery.log" >&2
fi

# Loopback by default: the demo logins are public. HOST=0.0.0.0 to share on a LAN.
# In the background and waited for, so that a TERM sent to this script (not only a
# terminal's Ctrl-C, which reaches the whole process group) stops the server too.
.venv/bin/uvicorn ticketing_platform.asgi:application --host "${HOST:-127.0.0.1}" --port "$PORT" &
server_pid=$!
wait "$server_pid"
