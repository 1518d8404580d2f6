"""Dashboards show times in the chain's own time zone, not the server's (UTC); their
messages are made only for requests that use them."""

from __future__ import annotations

import zoneinfo

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty

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


class LazyMessageMiddleware(MessageMiddleware):
    """Django's MessageMiddleware with the message storage made on first use. Only the
    dashboards show messages; making the storage (a cookie and a session store) for
    every API and storefront request cost 5% of a cached seat map's CPU. A request that
    never touched its messages has nothing to store in the response."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = request.__dict__.get("_messages")
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
