"""Reads of tenants and domains (public schema)."""

from __future__ import annotations

import threading
import time

from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet
from django_tenants.utils import schema_context

from tenants.error_codes import NotFound, TenantErrorCode
from tenants.models import Domain, Tenant
from tenants.schemas import use_public_schema


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


# Where a chain's sales leave rows, in its own schema: orders (priced in its currency)
# and the ledger. Named by label: the tenants app sits below the chains' apps and never
# imports them.
SALES_MODELS = ("orders.Order", "payments.LedgerEntry")


def tenant_has_sales(tenant: Tenant) -> bool:
    """Whether the chain has sold anything: any order (paid or not) or ledger entry."""
    with schema_context(tenant.schema_name):
        return any(apps.get_model(label)._default_manager.exists() for label in SALES_MODELS)


class _HostCache:
    """Host name -> tenant, kept in this process for `TENANT_HOST_CACHE_SECONDS`.

    Every request resolves its host; under a flash sale that is one query (and a
    search_path switch to `public` and back) per request for an answer that almost
    never changes. Changes made in this process (suspension, new domains) clear it at
    once; other processes see them within the TTL.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Tenant | None]] = {}
        self._lock = threading.Lock()

    def get(self, host: str) -> tuple[bool, Tenant | None]:
        entry = self._entries.get(host)
        if entry is None or entry[0] < time.monotonic():
            return False, None
        return True, entry[1]

    def put(self, host: str, tenant: Tenant | None, ttl: float) -> None:
        with self._lock:
            if len(self._entries) > 10_000:  # unknown hosts must not grow it forever
                self._entries.clear()
            self._entries[host] = (time.monotonic() + ttl, tenant)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


host_cache = _HostCache()


def tenant_for_host(host: str) -> Tenant | None:
    """The tenant serving a host name, or None: one indexed query, or none when cached."""
    ttl = settings.TENANT_HOST_CACHE_SECONDS
    if ttl:
        found, tenant = host_cache.get(host)
        if found:
            return tenant
    use_public_schema()
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    tenant = domain.tenant if domain else None
    if ttl:
        host_cache.put(host, tenant, ttl)
    return tenant


def tenant_primary_domain(tenant: Tenant) -> str | None:
    # Uses the prefetched domains where the caller loaded them.
    for domain in tenant.domains.all():
        if domain.is_primary:
            return domain.domain
    return None


def tenant_current() -> Tenant:
    """The tenant whose schema this connection is in (tasks have no request.tenant)."""
    from tenants.schemas import current_schema_name

    return Tenant.objects.get(schema_name=current_schema_name())
