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
OPEN_PREFIXES = ("/dashboard/billing/", "/api/v1/billing/")
# Any other page of the dashboard sends the owner to the billing page.
BILLING_PAGE = "/dashboard/billing/"


def served_while_unpaid(path: str) -> bool:
    """Whether `path` is served to a chain suspended for an unpaid invoice."""
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def suspended_for_unpaid(tenant) -> bool:
    return bool(tenant.is_suspended and tenant.status_reason == UNPAID_REASON)
