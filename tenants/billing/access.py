"""What a chain suspended for not paying the platform may still open: enough for its
owner to sign in and pay. Its storefront and the rest of its API and dashboard stay
refused (403 `tenant_suspended` / the unavailable page), and its data is kept.

Read by `tenants.middleware` on every request, so this module imports nothing heavy.
"""

from __future__ import annotations

# `Tenant.status_reason` of a chain the dunning schedule suspended. Staff who suspend a
# chain give their own reason, and a payment never resumes such a chain.
UNPAID_REASON = "unpaid"

# Exact paths and path prefixes served to a chain suspended as unpaid.
OPEN_PATHS = frozenset(
    {
        "/dashboard/login/",
        "/dashboard/logout/",
        "/dashboard/two-factor/",
        "/dashboard/jsi18n/",
        "/api/v1/auth/token/",
        "/api/v1/auth/token/refresh/",
        "/api/v1/auth/logout/",
    }
)
# The project's own static files (the dashboard's CSS and scripts) are no chain's data.
OPEN_PREFIXES = ("/dashboard/billing/", "/api/v1/billing/", "/static/")
# Any other page of the dashboard sends the owner to the billing page.
BILLING_PAGE = "/dashboard/billing/"


def served_while_unpaid(path: str, tenant=None) -> bool:
    """Whether `path` is served to a chain suspended for an unpaid invoice: the paths
    above, and the chain's logo (the dashboard's header shows it)."""
    if path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return True
    logo = getattr(tenant, "logo", None)
    return logo is not None and bool(logo) and path == logo.url


def suspended_for_unpaid(tenant) -> bool:
    return bool(tenant.is_suspended and tenant.status_reason == UNPAID_REASON)
