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

from django.db.models import Count, Q, QuerySet

from venue_apps.inventory.models import SeatState, ShowSeat
from venue_apps.orders.models import OrderLine
from venue_apps.payments.models import LedgerAccount, LedgerEntry, Provider, Refund
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


def _money(test_mode: bool) -> QuerySet[LedgerEntry]:
    """The ledger of live money (entries of test-mode payments left out), or with
    `test_mode` that of test-mode payments only (a chain trying the product out)."""
    if test_mode:
        return LedgerEntry.objects.filter(payment__test_mode=True)
    return LedgerEntry.objects.exclude(payment__test_mode=True)


def _ledger(
    *, first: date, last: date, timezone: str, currency: str, test_mode: bool
) -> tuple[QuerySet[LedgerEntry], zoneinfo.ZoneInfo]:
    """The entries in `currency` of live (or test-mode) money posted from `first` to
    `last`, days in `timezone`; and that zone."""
    zone = zoneinfo.ZoneInfo(timezone)
    since, until = _day_bounds(first, last, zone)
    entries = _money(test_mode).filter(
        currency=currency, created_at__gte=since, created_at__lt=until
    )
    return entries, zone


def sales_report(
    *,
    first: date,
    last: date,
    group: str,
    timezone: str,
    currency: str,
    test_mode: bool = False,
) -> dict[str, Any]:
    """Sales from `first` to `last` (days in `timezone`, both included), grouped by the
    posting day or by the order's show, its title or its venue. Rows by day ascending,
    otherwise by net descending, then label. Live money, or test-mode money only."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    ledger, zone = _ledger(
        first=first, last=last, timezone=timezone, currency=currency, test_mode=test_mode
    )
    entries = (
        ledger.filter(
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


def shows_occupancy(*, first: date, last: date, timezone: str) -> list[dict[str, Any]]:
    """Each show starting from `first` to `last` (days in `timezone`, both included),
    cancelled ones too, by start: its capacity (seats not blocked), seats sold and held
    now, and sold / capacity rounded to 4 places (0 for a show with no capacity)."""
    zone = zoneinfo.ZoneInfo(timezone)
    since, until = _day_bounds(first, last, zone)
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
                "occupancy": _share(seats["sold"], capacity),
            }
        )
    return result


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def occupancy_report(*, day: date, timezone: str) -> list[dict[str, Any]]:
    """The shows starting on `day` (in `timezone`): see `shows_occupancy`."""
    return shows_occupancy(first=day, last=day, timezone=timezone)


def occupancy_by_hour(*, first: date, last: date, timezone: str) -> list[dict[str, Any]]:
    """The shows of the range bucketed by the hour they start at (in `timezone`): how
    many, their capacity, seats sold and held, and sold / capacity. Hours with shows
    only, ascending; `key` is the hour (0-23), `label` "18:00"."""
    zone = zoneinfo.ZoneInfo(timezone)
    hours: dict[int, dict[str, int]] = defaultdict(
        lambda: {"shows": 0, "capacity": 0, "sold": 0, "held": 0}
    )
    for show in shows_occupancy(first=first, last=last, timezone=timezone):
        bucket = hours[show["starts_at"].astimezone(zone).hour]
        bucket["shows"] += 1
        for name in ("capacity", "sold", "held"):
            bucket[name] += show[name]
    return [
        {
            "key": hour,
            "label": f"{hour:02d}:00",
            **figures,
            "occupancy": _share(figures["sold"], figures["capacity"]),
        }
        for hour, figures in sorted(hours.items())
    ]


def _day_of(moment: datetime, zone: zoneinfo.ZoneInfo) -> str:
    return moment.astimezone(zone).date().isoformat()


def refunds_report(
    *, first: date, last: date, timezone: str, currency: str, test_mode: bool = False
) -> dict[str, Any]:
    """Refunds decided in the range, from the ledger (each `refund_due` journal's credit
    to `refunds_payable`: the whole refund, sales and money that never became one):
    per day (ascending) and per reason (by amount descending), a count and an amount."""
    ledger, zone = _ledger(
        first=first, last=last, timezone=timezone, currency=currency, test_mode=test_mode
    )
    entries = (
        ledger.filter(
            kind=LedgerEntry.Kind.REFUND_DUE,
            account=LedgerAccount.REFUNDS_PAYABLE,
        )
        .values("amount", "created_at", "refund_id", "refund__reason")
        .order_by("created_at", "id")
    )
    days: dict[str, dict[str, Any]] = {}
    reasons: dict[str, dict[str, Any]] = {}
    labels = dict(Refund.Reason.choices)
    for entry in entries:
        amount = -int(entry["amount"])
        day = _day_of(entry["created_at"], zone)
        reason = entry["refund__reason"] or ""
        for table, key, label in (
            (days, day, day),
            (reasons, reason, labels.get(reason, reason or "Not given")),
        ):
            row = table.setdefault(key, {"key": key, "label": label, "count": 0, "amount": 0})
            row["count"] += 1
            row["amount"] += amount
    by_reason = sorted(reasons.values(), key=lambda row: (-row["amount"], row["label"]))
    rows = sorted(days.values(), key=lambda row: row["key"])
    totals = {name: sum(row[name] for row in rows) for name in ("count", "amount")}
    return {"currency": currency, "rows": rows, "by_reason": by_reason, "totals": totals}


def promo_codes_report(
    *, first: date, last: date, timezone: str, currency: str, test_mode: bool = False
) -> dict[str, Any]:
    """Promo codes on the sales posted in the range (the ledger's `sale` journals): per
    code the orders, their discount and their gross; by discount descending."""
    ledger, _zone = _ledger(
        first=first, last=last, timezone=timezone, currency=currency, test_mode=test_mode
    )
    entries = (
        ledger.filter(
            kind=LedgerEntry.Kind.SALE,
            account=LedgerAccount.CUSTOMER_FUNDS,
            order__promo_code__isnull=False,
        )
        .values("amount", "order_id", "order__discount", "order__promo_code__code")
        .order_by("created_at", "id")
    )
    codes: dict[str, dict[str, Any]] = {}
    for entry in entries:
        code = entry["order__promo_code__code"]
        row = codes.setdefault(
            code, {"key": code, "label": code, "orders": 0, "discount": 0, "gross": 0}
        )
        row["orders"] += 1
        row["discount"] += int(entry["order__discount"])
        row["gross"] += int(entry["amount"])
    rows = sorted(codes.values(), key=lambda row: (-row["discount"], row["label"]))
    totals = {name: sum(row[name] for row in rows) for name in ("orders", "discount", "gross")}
    return {"currency": currency, "rows": rows, "totals": totals}


FUNDS_PREFIX = "funds:"


def payment_methods_report(
    *, first: date, last: date, timezone: str, currency: str, test_mode: bool = False
) -> dict[str, Any]:
    """Money in and out per provider, from the ledger's `funds:<provider>` accounts (so a
    new provider needs nothing here): payments captured in the range and their amount
    (gross), refunds sent in the range less those that came back, and net."""
    ledger, _zone = _ledger(
        first=first, last=last, timezone=timezone, currency=currency, test_mode=test_mode
    )
    entries = (
        ledger.filter(
            account__startswith=FUNDS_PREFIX,
            kind__in=[
                LedgerEntry.Kind.CAPTURE,
                LedgerEntry.Kind.REFUND_SENT,
                LedgerEntry.Kind.REFUND_RETURNED,
            ],
        )
        .values("kind", "account", "amount")
        .order_by("created_at", "id")
    )
    names = dict(Provider.choices)
    providers: dict[str, dict[str, Any]] = {}
    for entry in entries:
        provider = entry["account"].removeprefix(FUNDS_PREFIX)
        row = providers.setdefault(
            provider,
            {
                "key": provider,
                "label": names.get(provider, provider.replace("_", " ").capitalize()),
                "payments": 0,
                "gross": 0,
                "refunds": 0,
            },
        )
        amount = int(entry["amount"])
        if entry["kind"] == LedgerEntry.Kind.CAPTURE:
            row["payments"] += 1
            row["gross"] += amount
        else:  # refund sent: a credit; came back: a debit
            row["refunds"] -= amount
    rows = [{**row, "net": row["gross"] - row["refunds"]} for row in providers.values()]
    rows.sort(key=lambda row: (-row["gross"], row["label"]))
    totals = {
        name: sum(row[name] for row in rows) for name in ("payments", "gross", "refunds", "net")
    }
    return {"currency": currency, "rows": rows, "totals": totals}
