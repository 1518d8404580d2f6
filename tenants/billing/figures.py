"""The platform console's figures: reads of the public schema only.

Every figure here is a fixed number of queries over public tables (tenants, MonthUsage,
invoices, sign-ups), whatever the number of chains: the console never opens a chain's
schema on a page view. MonthUsage is the console's copy of each chain's month, kept
fresh by the close's refresh task; invoices are the platform's own rows.

Money stays per currency everywhere: a sum across currencies means nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from tenants.billing.models import Invoice, MonthUsage, PlatformSettings, SignUp
from tenants.models import Tenant

# A chain suspended by dunning carries this reason (the dunning task writes it first).
UNPAID_REASON = "unpaid"
# Chains whose suspension day falls within this many days are "near suspension".
NEAR_SUSPENSION_DAYS = 7
REVENUE_MONTHS = 12


def month_first(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_back(last: datetime.date, count: int) -> list[datetime.date]:
    """The first days of `count` months ending with `last`'s month, oldest first."""
    months = [month_first(last)]
    while len(months) < count:
        previous = months[-1] - datetime.timedelta(days=1)
        months.append(previous.replace(day=1))
    return months[::-1]


def platform_settings() -> PlatformSettings:
    """The settings row, or its defaults when staff have not saved it yet (a read
    never writes)."""
    return PlatformSettings.objects.filter(pk=1).first() or PlatformSettings(pk=1)


def chains() -> QuerySet[Tenant]:
    return Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)


def chain_counts() -> dict[str, int]:
    """Chains by status, and those suspended for an unpaid invoice: one query."""
    suspended = Q(status=Tenant.Status.SUSPENDED)
    return chains().aggregate(
        active=Count("pk", filter=Q(status=Tenant.Status.ACTIVE)),
        suspended=Count("pk", filter=suspended),
        unpaid=Count("pk", filter=suspended & Q(status_reason=UNPAID_REASON)),
    )


def signups_waiting(*, limit: int = 10) -> dict[str, Any]:
    """Sign-ups that wait for staff (verified, approval waiting) and those that wait
    for their owner to verify the email."""
    counts = SignUp.objects.aggregate(
        approval=Count(
            "pk",
            filter=Q(status=SignUp.Status.VERIFIED, approval=SignUp.Approval.WAITING),
        ),
        verification=Count("pk", filter=Q(status=SignUp.Status.PENDING)),
    )
    rows = list(
        SignUp.objects.filter(status=SignUp.Status.VERIFIED, approval=SignUp.Approval.WAITING)
        .select_related("plan", "tenant")
        .order_by("verified_at", "pk")[:limit]
    )
    return {**counts, "rows": rows}


def month_usage_by_currency(month: datetime.date) -> list[dict[str, Any]]:
    """This month's tickets and gross across chains, one row per currency."""
    return list(
        MonthUsage.objects.filter(month=month_first(month), tenant__in=chains())
        .values("currency")
        .annotate(tickets=Sum("tickets"), gross=Sum("gross"), chains=Count("tenant"))
        .order_by("currency")
    )


def revenue_by_month(last: datetime.date, *, count: int = REVENUE_MONTHS) -> dict[str, Any]:
    """Invoice totals (void ones left out) per month and currency over `count` months
    ending with `last`'s: `{"months": [...], "currencies": {currency: [total, ...]}}`."""
    months = months_back(last, count)
    rows = (
        Invoice.objects.filter(month__gte=months[0], month__lte=months[-1])
        .exclude(status=Invoice.Status.VOID)
        .values("month", "currency")
        .annotate(total=Sum("total"))
        .order_by("currency", "month")
    )
    currencies: dict[str, list[int]] = {}
    for row in rows:
        totals = currencies.setdefault(row["currency"], [0] * len(months))
        totals[months.index(row["month"])] = row["total"]
    return {"months": months, "currencies": currencies}


@dataclass(frozen=True)
class UnpaidInvoice:
    invoice: Invoice
    days_overdue: int


def unpaid_invoices(today: datetime.date, *, limit: int = 20) -> dict[str, Any]:
    """Open and failed invoices, the oldest due first, with their days past due; and
    how many there are and what they come to, per currency."""
    unpaid = Invoice.objects.filter(status__in=[Invoice.Status.OPEN, Invoice.Status.FAILED])
    totals = list(
        unpaid.values("currency")
        .annotate(count=Count("pk"), total=Sum("total"))
        .order_by("currency")
    )
    rows = [
        UnpaidInvoice(invoice, max((today - invoice.due_on).days, 0))
        for invoice in unpaid.select_related("tenant").order_by("due_on", "number")[:limit]
    ]
    return {"count": sum(row["count"] for row in totals), "totals": totals, "rows": rows}


@dataclass(frozen=True)
class NearSuspension:
    invoice: Invoice
    suspends_on: datetime.date
    days_left: int


def near_suspension(
    now: datetime.datetime, *, grace_days: int, within_days: int = NEAR_SUSPENSION_DAYS
) -> list[NearSuspension]:
    """Failed invoices of chains not yet suspended whose grace period (from the first
    failed charge) ends within `within_days`: the day each chain will be suspended,
    soonest first. Days are the platform's (UTC)."""
    grace = datetime.timedelta(days=grace_days)
    horizon = now + datetime.timedelta(days=within_days)
    invoices = (
        Invoice.objects.filter(
            status=Invoice.Status.FAILED,
            first_failed_at__isnull=False,
            first_failed_at__lte=horizon - grace,
            tenant__status=Tenant.Status.ACTIVE,
        )
        .select_related("tenant")
        .order_by("first_failed_at", "number")
    )
    today = timezone.localdate(now, timezone=datetime.UTC)
    rows = []
    for invoice in invoices:
        assert invoice.first_failed_at is not None
        suspends_on = timezone.localdate(invoice.first_failed_at + grace, timezone=datetime.UTC)
        rows.append(NearSuspension(invoice, suspends_on, (suspends_on - today).days))
    return rows


def chain_usage(tenant: Tenant, last: datetime.date, *, count: int = REVENUE_MONTHS) -> dict:
    """One chain's MonthUsage over `count` months ending with `last`'s, in its own
    currency (months copied in another currency, before a change, are left out)."""
    months = months_back(last, count)
    by_month = {
        row.month: row
        for row in MonthUsage.objects.filter(
            tenant=tenant, month__gte=months[0], month__lte=months[-1], currency=tenant.currency
        )
    }
    return {
        "months": months,
        "tickets": [by_month[m].tickets if m in by_month else 0 for m in months],
        "gross": [by_month[m].gross if m in by_month else 0 for m in months],
        "refunded": [by_month[m].refunded if m in by_month else 0 for m in months],
        "any": bool(by_month),
    }


def chain_invoices(tenant: Tenant, *, limit: int = 24) -> list[Invoice]:
    return list(Invoice.objects.filter(tenant=tenant).order_by("-month")[:limit])


def with_month_figures(queryset: QuerySet[Tenant], month: datetime.date) -> QuerySet[Tenant]:
    """Chains with this month's MonthUsage and their last invoice's number and status,
    as annotations (subqueries: one query for the whole page)."""
    usage = MonthUsage.objects.filter(tenant=OuterRef("pk"), month=month_first(month))
    last_invoice = Invoice.objects.filter(tenant=OuterRef("pk")).order_by("-month")
    return queryset.annotate(
        month_tickets=Subquery(usage.values("tickets")[:1]),
        month_gross=Subquery(usage.values("gross")[:1]),
        month_currency=Subquery(usage.values("currency")[:1]),
        last_invoice_number=Subquery(last_invoice.values("number")[:1]),
        last_invoice_status=Subquery(last_invoice.values("status")[:1]),
    )
