"""Reads of payments and the ledger (current schema)."""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from venue_apps.orders.models import OrderLine
from venue_apps.payments.models import LedgerAccount, LedgerEntry, PaymentSettings


def payments_live() -> bool:
    """Whether the chain takes real money now (live mode). From then on test-mode
    orders are worth nothing: not sold, voided by a sweep, refused at the door."""
    return PaymentSettings.current().live


def usage_by_month(*, timezone: str) -> list[dict[str, Any]]:
    """What the platform bills a chain for, per calendar month in the chain's time zone:
    tickets sold, gross sales, refunds and the platform's fees (net of fees given back
    with refunded tickets). From the ledger, so it matches the books to the minor unit."""
    zone = zoneinfo.ZoneInfo(timezone)
    months: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"tickets_sold": 0, "gross": 0, "refunded": 0, "platform_fees": 0}
    )
    # Live money only: test-mode payments are nobody's money and are never billed.
    entries = (
        LedgerEntry.objects.exclude(payment__test_mode=True)
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month", "currency")
        .annotate(
            gross=Sum("amount", filter=Q(kind="sale", account=LedgerAccount.CUSTOMER_FUNDS)),
            # What went back of sales (not payments that were never a sale).
            refunded=Sum(
                "amount",
                filter=Q(
                    kind="refund_due",
                    account__in=[
                        LedgerAccount.TICKET_SALES,
                        LedgerAccount.BOOKING_FEES,
                        LedgerAccount.TAX,
                    ],
                ),
            ),
            platform_fees=Sum("amount", filter=Q(account=LedgerAccount.PLATFORM_FEES)),
        )
    )
    for row in entries:
        month = months[row["month"].strftime("%Y-%m")]
        month["currency"] = row["currency"]
        month["gross"] += int(row["gross"] or 0)
        month["refunded"] += int(row["refunded"] or 0)
        month["platform_fees"] += int(row["platform_fees"] or 0)
    sold = (
        OrderLine.objects.filter(
            status__in=[OrderLine.Status.SOLD, OrderLine.Status.REFUNDED],
            order__paid_at__isnull=False,
            order__payments__paid_order=True,
            order__payments__test_mode=False,
        )
        .annotate(month=TruncMonth("order__paid_at", tzinfo=zone))
        .values("month")
        # Not `tickets`: that name is the lines' reverse relation to their tickets.
        .annotate(sold_lines=Count("pk"))
    )
    for row in sold:
        months[row["month"].strftime("%Y-%m")]["tickets_sold"] += row["sold_lines"]
    return [
        {"month": month, **values, "net": values["gross"] - values["refunded"]}
        for month, values in sorted(months.items())
    ]
