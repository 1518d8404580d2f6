"""gunicorn settings of the web (WSGI) role; every value can be overridden from the env.

Sync workers: Django views here are synchronous and the proxy in front (nginx in compose,
ingress-nginx in Kubernetes) buffers requests and responses, so a slow client never ties
up a worker. Scale by adding pods (Kubernetes HPA), not by giant worker counts: each
worker holds one persistent PostgreSQL connection (DB_CONN_MAX_AGE), so
pods x WEB_CONCURRENCY must fit the database's (or PgBouncer's) connection budget.
"""

import os

from ticketing_platform.log_format import gunicorn_logging

# In containers os.cpu_count() reports the node's CPUs, not the pod's limit, so the
# worker count is set explicitly: WEB_CONCURRENCY (image default 4).
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"

# A request slower than this is killed (the worker restarts); keep it above the slowest
# legitimate request and below the proxy's read timeout (60 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (rolling update, scale-in), in-flight requests get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = 5

# Recycle workers now and then, so a slow leak never reaches the memory limit; the jitter
# keeps them from all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))

# Heartbeat files on tmpfs: /tmp may be disk-backed and the root filesystem is read-only.
worker_tmp_dir = "/dev/shm"  # noqa: S108

# gunicorn's own lines as JSON, like the app's (LOG_FORMAT=json): errors to stderr. No
# access log by default, the proxy logs every request already (with its request id);
# GUNICORN_ACCESS_LOG=- turns it on, one JSON line per request with the X-Request-ID the
# proxy sent, and the path without its query string (one-use tokens travel there).
errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = "%(m)s %(U)s %(s)s"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logconfig_dict = gunicorn_logging(access_log=bool(accesslog))

# Import the app once in the master, then fork: less memory per worker, faster restarts.
# Safe here: settings import opens no database or Redis connection.
preload_app = True
