"""Dashboards show times in the chain's own time zone, not the server's (UTC)."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone

DASHBOARD_PREFIX = "/dashboard/"


class TenantTimezoneMiddleware:
    """Activate the tenant's time zone for dashboard pages (the API keeps ISO 8601 with
    explicit offsets whatever the zone)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        if tenant is not None and request.path.startswith(DASHBOARD_PREFIX):
            try:
                zone = zoneinfo.ZoneInfo(tenant.timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = None
            if zone is not None:
                with timezone.override(zone):
                    return self.get_response(request)
        return self.get_response(request)
