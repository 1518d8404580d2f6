"""Reads of tenants and domains (public schema)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from tenants.error_codes import NotFound, TenantErrorCode
from tenants.models import Domain, Tenant


def tenant_list() -> QuerySet[Tenant]:
    """Every chain (not the platform's own row), with its domains in one extra query."""
    return (
        Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
        .prefetch_related("domains")
        .order_by("name")
    )


def tenant_get(slug: str) -> Tenant:
    try:
        return tenant_list().get(slug=slug)
    except Tenant.DoesNotExist as error:
        raise NotFound(TenantErrorCode.TENANT_NOT_FOUND, f"No chain with slug {slug!r}.") from error


def tenant_for_host(host: str) -> Tenant | None:
    """The tenant serving a host name, or None. One indexed query."""
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    return domain.tenant if domain else None


def tenant_primary_domain(tenant: Tenant) -> str | None:
    # Uses the prefetched domains where the caller loaded them.
    for domain in tenant.domains.all():
        if domain.is_primary:
            return domain.domain
    return None
