#!/bin/sh
# The web role's server: ticketing_platform.wsgi:application on granian (WSGI), the
# faster of the two measured with the same processes and load (tests/benchmarks/
# bench_flash_sale.py --servers wsgi,granian: about 1.3x gunicorn's hold requests/s and
# 1.2-1.8x its minimal-view requests/s on 2 cores). WEB_SERVER=gunicorn runs gunicorn with
# deploy/gunicorn.conf.py instead (its access log carries the proxy's X-Request-ID;
# granian's does not, the app's own lines do on both).
#
# The same knobs for both: WEB_CONCURRENCY processes (default 4), PORT (default 8000),
# WEB_THREADS threads running Django in each (granian; default 2), GUNICORN_GRACEFUL_TIMEOUT
# seconds for in-flight requests at shutdown (default 25).
#
# Two threads per process: while one waits on PostgreSQL or Redis the other runs, and
# two contend little for the GIL. With as many processes as cores, the on-sale's hold
# requests/s on 2 cores were about 770 with 1 thread, 900-1,000 with 2, 850 with 4 and
# 790 with 8 (tests/benchmarks/bench_flash_sale.py --servers granian --workers 2
# --threads N). Raise it for a chain whose requests wait long on outside calls.
set -eu

if [ "${WEB_SERVER:-granian}" = "gunicorn" ]; then
    exec gunicorn --config deploy/gunicorn.conf.py ticketing_platform.wsgi:application
fi

exec granian \
    --interface=wsgi \
    --host=0.0.0.0 \
    --port="${PORT:-8000}" \
    --workers="${WEB_CONCURRENCY:-4}" \
    --blocking-threads="${WEB_THREADS:-2}" \
    --no-ws \
    --respawn-failed-workers \
    --workers-kill-timeout="${GUNICORN_GRACEFUL_TIMEOUT:-25}" \
    --log-level="${WEB_LOG_LEVEL:-info}" \
    ticketing_platform.wsgi:application
