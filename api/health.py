"""Health endpoints for load balancers, Docker and Kubernetes probes.

- `/healthz/live/` (liveness): this process answers HTTP. It touches neither
  PostgreSQL nor Redis, so an outage of either never makes Kubernetes restart every
  pod at once (which only slows recovery: the new pods find the same outage).
- `/healthz/ready/` (readiness): the services a request needs. PostgreSQL must answer,
  or the pod leaves the load balancer until it does; Redis is reported but may be down
  (the platform degrades without it, it does not stop: ARCHITECTURE.md).
- `/healthz/` is the readiness check under its old name, for probes not yet moved.

All three answer on any Host (probes address pods by IP: tenants.middleware.HEALTH_PATHS)
and skip the HTTPS redirect (SECURE_REDIRECT_EXEMPT).
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django_redis import get_redis_connection


@never_cache
def live(request: HttpRequest) -> JsonResponse:
    """The process serves requests; nothing outside it is asked."""
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    """PostgreSQL must answer; Redis may be down (the platform degrades, it does not stop)."""
    checks = {"database": "ok", "redis": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        checks["database"] = "down"
    try:
        get_redis_connection("default").ping()
    except Exception:
        checks["redis"] = "down"
    is_ready = checks["database"] == "ok"
    return JsonResponse(
        {"status": "ok" if is_ready else "down", **checks}, status=200 if is_ready else 503
    )


# The old name: readiness.
healthz = ready
