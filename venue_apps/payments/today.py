"""The dashboard's home page: the chain's day at a glance, in its zone and currency.

Money comes from the ledger through `reports.sales_report` (so the home page and the
sales report never differ); seats from the show seats; the rest (holds, refunds waiting,
failed payments) from their own tables, as they are now.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from venue_apps.inventory.models import Hold
from venue_apps.payments.models import Payment, PaymentSettings, Refund
from venue_apps.payments.reports import occupancy_report, sales_report

# Failed payments older than this no longer need a look.
FAILED_PAYMENTS_DAYS = 7
# Rows listed of the refunds waiting and of the failed payments (the counts are of all).
LISTED = 10


def figures_of_test_money() -> bool:
    """Do the dashboard's figures show test-mode money? While the chain takes test
    payments only, its live figures would all be zero; once live, only live money."""
    return not PaymentSettings.current().live


@dataclass(frozen=True)
class Period:
    """Sales of some days, against the same days a week before."""

    first: date
    last: date
    tickets: int
    gross: int
    tickets_before: int
    gross_before: int

    @staticmethod
    def _change(now: int, before: int) -> float | None:
        """The change in percent, one decimal; None when there was nothing before."""
        return round((now - before) * 100 / before, 1) if before else None

    @property
    def tickets_change(self) -> float | None:
        return self._change(self.tickets, self.tickets_before)

    @property
    def gross_change(self) -> float | None:
        return self._change(self.gross, self.gross_before)


def _period(first: date, last: date, **chain: Any) -> Period:
    week = timedelta(days=7)
    now = sales_report(first=first, last=last, group="day", **chain)["totals"]
    before = sales_report(first=first - week, last=last - week, group="day", **chain)["totals"]
    return Period(first, last, now["tickets"], now["gross"], before["tickets"], before["gross"])


def home_figures(
    *, now: datetime, timezone: str, currency: str, test_mode: bool = False
) -> dict[str, Any]:
    """Today's and this week's sales (weeks start on Monday in the chain's zone), each
    against the same days a week before; today's and tomorrow's shows with their seats;
    holds active now; refunds waiting (on their way, or failed and not sent again); and
    the payments that failed in the last `FAILED_PAYMENTS_DAYS` days."""
    today = now.astimezone(zoneinfo.ZoneInfo(timezone)).date()
    chain = {"timezone": timezone, "currency": currency, "test_mode": test_mode}
    monday = today - timedelta(days=today.weekday())

    holds = Hold.objects.filter(status=Hold.Status.ACTIVE, expires_at__gt=now)
    waiting = Refund.objects.filter(
        Q(status=Refund.Status.PENDING) | Q(status=Refund.Status.FAILED, retry__isnull=True),
        currency=currency,
        payment__test_mode=test_mode,
    ).select_related("order")
    failed = Payment.objects.filter(
        status=Payment.Status.FAILED,
        test_mode=test_mode,
        created_at__gte=now - timedelta(days=FAILED_PAYMENTS_DAYS),
    ).select_related("order")
    return {
        "today": today,
        "tomorrow": today + timedelta(days=1),
        "day": _period(today, today, **chain),
        "week": _period(monday, today, **chain),
        "shows_today": occupancy_report(day=today, timezone=timezone),
        "shows_tomorrow": occupancy_report(day=today + timedelta(days=1), timezone=timezone),
        "holds": {
            "count": holds.count(),
            "seats": sum(len(seats) for seats in holds.values_list("seat_ids", flat=True)),
        },
        "refunds_waiting": {
            "count": waiting.count(),
            "amount": waiting.aggregate(total=Coalesce(Sum("amount"), 0))["total"],
            "rows": list(waiting.order_by("created_at")[:LISTED]),
        },
        "failed_payments": {
            "count": failed.count(),
            "rows": list(failed.order_by("-created_at")[:LISTED]),
        },
    }
