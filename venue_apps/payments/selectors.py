"""Reads of payments and the ledger (current schema)."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from tenants.selectors import tenant_current
from venue_apps.payments.models import LedgerAccount, LedgerEntry, PaymentSettings


def payments_live() -> bool:
    """Whether the chain takes real money now (live mode). From then on test-mode
    orders are worth nothing: not sold, voided by a sweep, refused at the door."""
    return PaymentSettings.current().live


# What the platform bills, read from the ledger (the same definitions everywhere):
# gross is what sales took from customers, refunded what refunds gave back of sales
# (not of payments that never became a sale), tickets the lines sold less those given
# back in full. Live money only: test-mode payments are nobody's money.
_REVENUE = [LedgerAccount.TICKET_SALES, LedgerAccount.BOOKING_FEES, LedgerAccount.TAX]
_BILLED = {
    "gross": Sum("amount", filter=Q(kind="sale", account=LedgerAccount.CUSTOMER_FUNDS)),
    "refunded": Sum("amount", filter=Q(kind="refund_due", account__in=_REVENUE)),
    "sold": Sum("tickets", filter=Q(kind="sale")),
    "tickets": Sum("tickets"),
    "platform_fees": Sum("amount", filter=Q(account=LedgerAccount.PLATFORM_FEES)),
}


def _live_entries() -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.exclude(payment__test_mode=True)


def billing_usage(start: datetime, end: datetime) -> dict[str, Any]:
    """What the platform bills this chain for between `start` and `end` (end excluded):
    `{currency, tickets, gross, refunded}` in minor units, live money only, from the
    ledger (never from orders). `tickets` is sold less refunded in full. The platform's
    monthly close calls it (settings.BILLING_USAGE_READER) in the chain's schema."""
    totals = _live_entries().filter(created_at__gte=start, created_at__lt=end).aggregate(**_BILLED)
    currencies = list(
        _live_entries()
        .filter(created_at__gte=start, created_at__lt=end)
        .values_list("currency", flat=True)
        .distinct()
    )
    return {
        "currency": currencies[0] if len(currencies) == 1 else tenant_current().currency,
        "tickets": int(totals["tickets"] or 0),
        "gross": int(totals["gross"] or 0),
        "refunded": int(totals["refunded"] or 0),
    }


def usage_by_month(*, timezone: str) -> list[dict[str, Any]]:
    """What the platform bills a chain for, per calendar month in the chain's time zone:
    tickets sold, gross sales, refunds and the platform's fees (net of fees given back
    with refunded tickets). From the ledger, so it matches the books to the minor unit
    (the definitions of `billing_usage`)."""
    zone = zoneinfo.ZoneInfo(timezone)
    months: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"tickets_sold": 0, "gross": 0, "refunded": 0, "platform_fees": 0}
    )
    entries = (
        _live_entries()
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month", "currency")
        .annotate(**_BILLED)
    )
    for row in entries:
        month = months[row["month"].strftime("%Y-%m")]
        month["currency"] = row["currency"]
        month["gross"] += int(row["gross"] or 0)
        month["refunded"] += int(row["refunded"] or 0)
        month["platform_fees"] += int(row["platform_fees"] or 0)
        month["tickets_sold"] += int(row["sold"] or 0)
    return [
        {"month": month, **values, "net": values["gross"] - values["refunded"]}
        for month, values in sorted(months.items())
    ]
