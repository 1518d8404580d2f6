"""Picks the tenant for each HTTP request from its Host header, before anything else runs.

Unknown hosts get 404 and suspended tenants 403, both answered from the public schema:
a suspended tenant's own schema is never touched. API clients (`/api/`, `/ws/`, and any
request that does not ask for HTML by name) get JSON with a reason; a browser opening a
page gets an HTML page: for a suspended chain, in its name and colours (from its
public-schema row), saying it is temporarily unavailable and bookings are safe. A chain
suspended for an unpaid platform invoice (reason `unpaid`) keeps only what its owner
needs to pay: the dashboard's sign-in and billing page, `/api/v1/billing/` and the
token endpoints (`tenants.billing.access`); its other dashboard pages send a browser
to the billing page.
"""

from __future__ import annotations

import sentry_sdk
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.loader import render_to_string
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import remove_www

from tenants.billing.access import BILLING_PAGE, served_while_unpaid, suspended_for_unpaid
from tenants.error_codes import TenantErrorCode
from tenants.models import Tenant
from tenants.schemas import serving_schema_set
from tenants.selectors import tenant_for_host

# The probes (api/health.py): liveness, readiness and readiness's old name, with or
# without the trailing slash. Probes address pods by IP, which is no chain's host.
HEALTH_PATHS = frozenset(
    {"/healthz/", "/healthz/live", "/healthz/live/", "/healthz/ready", "/healthz/ready/"}
)


def refusal_for(tenant: Tenant | None, host: str, path: str = "") -> tuple[int, dict] | None:
    """The status and body with which a host is refused, or None when it may be served.

    A chain suspended for an unpaid platform invoice is still served the few paths its
    owner needs to sign in and pay (`tenants.billing.access`)."""
    if tenant is None:
        return 404, {
            "detail": f"No chain is served at {host!r}.",
            "code": TenantErrorCode.TENANT_NOT_FOUND,
        }
    if tenant.is_suspended and not (
        suspended_for_unpaid(tenant) and served_while_unpaid(path, tenant)
    ):
        return 403, {
            "detail": f"{tenant.brand_name} is suspended on this platform.",
            "code": TenantErrorCode.TENANT_SUSPENDED,
        }
    return None


# The refusal pages are all inline: nothing may be loaded from a host we refuse.
REFUSAL_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
_API_PREFIXES = ("/api/", "/ws/")


def wants_html_page(request: HttpRequest) -> bool:
    """A browser opening a page: not an API or socket path, and an Accept header that
    names text/html (browsers do; API clients and probes send */* or JSON)."""
    if request.path.startswith(_API_PREFIXES) or request.path in ("/api", "/ws"):
        return False
    accept = request.headers.get("Accept", "")
    return any(
        part.split(";", 1)[0].strip().lower() in ("text/html", "application/xhtml+xml")
        for part in accept.split(",")
    )


def refusal_page(tenant: Tenant | None, status: int) -> HttpResponse:
    from tenants.colours import readable_text_on

    if tenant is None:
        html = render_to_string("tenants/unknown_host.html")
    else:
        html = render_to_string(
            "tenants/unavailable.html",
            {
                "brand": tenant.brand_name,
                "primary": tenant.primary_colour,
                "accent": tenant.accent_colour,
                "on_primary": readable_text_on(tenant.primary_colour),
                "on_accent": readable_text_on(tenant.accent_colour),
                "lang": tenant.locale,
            },
        )
    response = HttpResponse(html, status=status)
    response["Content-Security-Policy"] = REFUSAL_PAGE_CSP
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "DENY"
    return response


def unpaid_owner_redirect(tenant: Tenant, request: HttpRequest) -> bool:
    """A browser opening another dashboard page of a chain suspended as unpaid goes to
    the billing page (after signing in, Django's admin lands on its index)."""
    return (
        suspended_for_unpaid(tenant)
        and request.method in ("GET", "HEAD")
        and request.path.startswith("/dashboard/")
        and wants_html_page(request)
    )


def hostname_of(raw_host: str) -> str:
    return remove_www(raw_host.split(":")[0].lower().rstrip("."))


def serving_schema_forget(**kwargs) -> None:
    """`request_finished` receiver: the request is over, and so is its chain's name."""
    serving_schema_set(None)


class TenantResolutionMiddleware(TenantMainMiddleware):
    def process_request(self, request: HttpRequest):
        serving_schema_set(settings.PUBLIC_SCHEMA_NAME)
        if request.path in HEALTH_PATHS:
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
        # Log lines name the chain the host belongs to, refusals included (a suspended
        # chain's 403 is about that chain, though its schema is never entered).
        if tenant is not None:
            serving_schema_set(tenant.schema_name)
        refusal = refusal_for(tenant, host, request.path)
        if refusal is not None:
            connection.set_schema_to_public()
            status, body = refusal
            if tenant is not None and unpaid_owner_redirect(tenant, request):
                return HttpResponseRedirect(BILLING_PAGE)
            if wants_html_page(request):
                return refusal_page(tenant, status)
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
