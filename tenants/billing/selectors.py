"""Reads of plans, subscriptions and invoices (public schema)."""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet

from tenants.billing.error_codes import BillingErrorCode
from tenants.billing.models import Invoice, InvoiceLine, Plan, PlanPrice, Subscription
from tenants.error_codes import NotFound
from tenants.models import Tenant


def plan_list() -> QuerySet[Plan]:
    return Plan.objects.prefetch_related(
        Prefetch("prices", queryset=PlanPrice.objects.order_by("currency"))
    ).order_by("name", "code")


def plan_get(code: str) -> Plan:
    """A plan by code, with its prices; NotFound `plan_not_found`."""
    plan = plan_list().filter(code=code).first()
    if plan is None:
        raise NotFound(BillingErrorCode.PLAN_NOT_FOUND, f"There is no plan {code!r}.")
    return plan


def subscription_of(tenant: Tenant) -> Subscription | None:
    return Subscription.objects.select_related("plan", "next_plan").filter(tenant=tenant).first()


def invoice_list(
    *,
    tenant: Tenant | None = None,
    tenant_slug: str | None = None,
    month: date | None = None,
    status: str | None = None,
) -> QuerySet[Invoice]:
    """Invoices newest month first, with their chain and lines; filtered by chain (or
    its slug: none for a slug of no chain), month (its first day) and status."""
    invoices = Invoice.objects.select_related("tenant").prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("position"))
    )
    if tenant is not None:
        invoices = invoices.filter(tenant=tenant)
    if tenant_slug is not None:
        invoices = invoices.filter(tenant__slug=tenant_slug)
    if month is not None:
        invoices = invoices.filter(month=month)
    if status:
        invoices = invoices.filter(status=status)
    return invoices.order_by("-month", "number")


def invoice_get(number: str, *, tenant: Tenant | None = None) -> Invoice:
    """An invoice by number (of `tenant` only, when given); NotFound
    `invoice_not_found` otherwise, the same for another chain's as for none."""
    invoice = invoice_list(tenant=tenant).filter(number=number).first()
    if invoice is None:
        raise NotFound(BillingErrorCode.INVOICE_NOT_FOUND, f"There is no invoice {number}.")
    return invoice
