"""Liveness and readiness for load balancers and Kubernetes probes."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django_redis import get_redis_connection


def healthz(request: HttpRequest) -> JsonResponse:
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
    ready = checks["database"] == "ok"
    return JsonResponse(
        {"status": "ok" if ready else "down", **checks}, status=200 if ready else 503
    )
