"""Picks the tenant for each HTTP request from its Host header, before anything else runs.

Unknown hosts get 404 and suspended tenants 403, both as JSON with a reason, and both
answered from the public schema: a suspended tenant's own schema is never touched.
"""

from __future__ import annotations

import sentry_sdk
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www

from tenants.error_codes import TenantErrorCode
from tenants.models import Tenant
from tenants.selectors import tenant_for_host

HEALTH_PATH = "/healthz/"


def refusal_for(tenant: Tenant | None, host: str) -> tuple[int, dict] | None:
    """The status and body with which a host is refused, or None when it may be served."""
    if tenant is None:
        return 404, {
            "detail": f"No chain is served at {host!r}.",
            "code": TenantErrorCode.TENANT_NOT_FOUND,
        }
    if tenant.is_suspended:
        return 403, {
            "detail": f"{tenant.brand_name} is suspended on this platform.",
            "code": TenantErrorCode.TENANT_SUSPENDED,
        }
    return None


def hostname_of(raw_host: str) -> str:
    return remove_www(raw_host.split(":")[0].lower().rstrip("."))


class TenantResolutionMiddleware(TenantMainMiddleware):
    def process_request(self, request: HttpRequest):
        if request.path == HEALTH_PATH:
            # Probes address pods by IP, which is no tenant's host; the check reads no
            # tenant data, so it is served from the public URL conf.
            connection.set_schema_to_public()
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            return None
        try:
            host = hostname_of(request.get_host())
        except DisallowedHost:
            return JsonResponse(
                {"detail": "Invalid Host header.", "code": "host_invalid"}, status=400
            )
        tenant = tenant_for_host(host)
        refusal = refusal_for(tenant, host)
        if refusal is not None:
            connection.set_schema_to_public()
            status, body = refusal
            return JsonResponse(body, status=status)
        tenant.domain_url = host
        request.tenant = tenant
        if connection.schema_name != tenant.schema_name or connection.tenant is not tenant:
            # Switching schema: django-tenants sends the new path before the next query.
            connection.set_tenant(tenant)
        self.setup_url_routing(request)
        if settings.SENTRY_DSN:
            sentry_sdk.set_tag("tenant", tenant.schema_name)
        return None
