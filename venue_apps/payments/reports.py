"""The chain's reports: sales from the ledger, occupancy from the show seats.

Sales read the ledger, live money only (test-mode payments never count), so every
figure matches the books to the minor unit:

- gross:   what sales took, each order's total (the `sale` journal's `customer_funds`
           debit: tickets, booking fees and tax), counted when the sale was posted
- refunds: what went back of sales (the `refund_due` journals' debits to
           `ticket_sales`, `booking_fees` and `tax`), counted when the refund was
           decided; money that never became a sale (a late or duplicate payment sent
           back) is neither gross nor a refund
- net:     gross - refunds
- tickets: seats sold by the sales posted in the range (their order lines, sold or
           refunded since); refunds do not lower it, since a refund may be an amount
           rather than seats and the ledger carries no seat counts
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q

from venue_apps.inventory.models import SeatState, ShowSeat
from venue_apps.orders.models import OrderLine
from venue_apps.payments.models import LedgerAccount, LedgerEntry
from venue_apps.shows.models import Show

GROUPS = ("day", "title", "venue", "show")
REVENUE = (LedgerAccount.TICKET_SALES, LedgerAccount.BOOKING_FEES, LedgerAccount.TAX)


def _day_bounds(first: date, last: date, zone: zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of `first` to the start of the day after `last`, in `zone`."""
    since = datetime.combine(first, time.min, tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return since, until


def _key_and_label(row: dict[str, Any], group: str, zone: zoneinfo.ZoneInfo) -> tuple[str, str]:
    if group == "day":
        day = row["created_at"].astimezone(zone).date().isoformat()
        return day, day
    if group == "title":
        return str(row["order__show__title_id"]), row["order__show__title__name"]
    if group == "venue":
        return str(row["order__show__venue_id"]), row["order__show__venue__name"]
    starts = row["order__show__starts_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M")
    label = f"{row['order__show__title__name']}, {row['order__show__venue__name']}, {starts}"
    return str(row["order__show_id"]), label


def sales_report(
    *, first: date, last: date, group: str, timezone: str, currency: str
) -> dict[str, Any]:
    """Sales from `first` to `last` (days in `timezone`, both included), grouped by the
    posting day or by the order's show, its title or its venue. Rows by day ascending,
    otherwise by net descending, then label."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    zone = zoneinfo.ZoneInfo(timezone)
    since, until = _day_bounds(first, last, zone)
    entries = (
        LedgerEntry.objects.exclude(payment__test_mode=True)
        .filter(currency=currency, created_at__gte=since, created_at__lt=until)
        .filter(
            Q(kind=LedgerEntry.Kind.SALE, account=LedgerAccount.CUSTOMER_FUNDS)
            | Q(kind=LedgerEntry.Kind.REFUND_DUE, account__in=REVENUE)
        )
        .values(
            "kind",
            "amount",
            "created_at",
            "order_id",
            "order__show_id",
            "order__show__starts_at",
            "order__show__title_id",
            "order__show__title__name",
            "order__show__venue_id",
            "order__show__venue__name",
        )
        .order_by("created_at", "id")
    )
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"tickets": 0, "gross": 0, "refunds": 0})
    sold_in: dict[Any, str] = {}
    for entry in entries:
        key, label = _key_and_label(entry, group, zone)
        row = rows[key]
        row["key"], row["label"] = key, label
        if entry["kind"] == LedgerEntry.Kind.SALE:
            row["gross"] += int(entry["amount"])
            sold_in[entry["order_id"]] = key
        else:
            row["refunds"] += int(entry["amount"])
    seats = (
        OrderLine.objects.filter(
            order_id__in=list(sold_in),
            status__in=[OrderLine.Status.SOLD, OrderLine.Status.REFUNDED],
        )
        .values("order_id")
        .annotate(seats=Count("pk"))
    )
    for line in seats:
        rows[sold_in[line["order_id"]]]["tickets"] += line["seats"]
    result = [{**row, "net": row["gross"] - row["refunds"]} for row in rows.values()]
    if group == "day":
        result.sort(key=lambda row: row["key"])
    else:
        result.sort(key=lambda row: (-row["net"], row["label"], row["key"]))
    totals = {
        name: sum(row[name] for row in result) for name in ("tickets", "gross", "refunds", "net")
    }
    return {"currency": currency, "rows": result, "totals": totals}


def occupancy_report(*, day: date, timezone: str) -> list[dict[str, Any]]:
    """Each show starting on `day` (in `timezone`), cancelled ones included, by start:
    its capacity (seats not blocked), seats sold and held now, and sold / capacity
    rounded to 4 places (0 for a show with no capacity)."""
    zone = zoneinfo.ZoneInfo(timezone)
    since, until = _day_bounds(day, day, zone)
    shows = list(
        Show.objects.filter(starts_at__gte=since, starts_at__lt=until)
        .select_related("title", "venue")
        .order_by("starts_at", "pk")
    )
    counts = {
        row["show_id"]: row
        for row in ShowSeat.objects.filter(show__in=shows)
        .values("show_id")
        .annotate(
            capacity=Count("pk", filter=~Q(state=SeatState.BLOCKED)),
            sold=Count("pk", filter=Q(state=SeatState.SOLD)),
            held=Count("pk", filter=Q(state=SeatState.HELD)),
        )
    }
    result = []
    for show in shows:
        seats = counts.get(show.pk, {"capacity": 0, "sold": 0, "held": 0})
        capacity = seats["capacity"]
        result.append(
            {
                "show": show.pk,
                "title": show.title.name,
                "venue": show.venue.name,
                "starts_at": show.starts_at,
                "capacity": capacity,
                "sold": seats["sold"],
                "held": seats["held"],
                "occupancy": round(seats["sold"] / capacity, 4) if capacity else 0.0,
            }
        )
    return result
