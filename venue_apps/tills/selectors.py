"""Reads of tills and shifts, and a shift's report from the ledger.

The report sums the ledger's entries that carry the shift (`LedgerEntry.shift_id`):
what the counter took (`capture` into `funds:cash` and `funds:card`) and handed back
(`refund_sent` out of them, less any `refund_returned`), so it matches the books to
the minor unit. Orders and tickets are those of the sales posted on the shift.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.orders.models import OrderLine
from venue_apps.payments.models import LedgerAccount, LedgerEntry
from venue_apps.tills.models import Shift, Till

Kind = LedgerEntry.Kind


def tills_with_open_shifts() -> list[tuple[Till, int | None]]:
    """Every till in use, with the id of its open shift (or None)."""
    tills = list(Till.objects.filter(is_active=True).select_related("venue"))
    open_ids = dict(Shift.objects.filter(status=Shift.Status.OPEN).values_list("till_id", "pk"))
    return [(till, open_ids.get(till.pk)) for till in tills]


def shift_current(user: Any) -> Shift | None:
    return (
        Shift.objects.filter(opened_by_id=getattr(user, "pk", None), status=Shift.Status.OPEN)
        .select_related("till__venue", "opened_by")
        .first()
    )


def shifts_visible(user: Any) -> QuerySet[Shift]:
    """Every shift for those who manage the tills; a cashier's own otherwise."""
    shifts = Shift.objects.select_related("till__venue", "opened_by", "closed_by")
    if has_capability(user, Capability.MANAGE_TILLS):
        return shifts
    return shifts.filter(opened_by_id=getattr(user, "pk", None))


def shift_report(shift: Shift) -> dict[str, Any]:
    """The shift's money in minor units (see the module's docstring)."""
    entries = LedgerEntry.objects.filter(shift_id=shift.pk)
    counter = (LedgerAccount.FUNDS_CASH, LedgerAccount.FUNDS_CARD)
    sums = {
        (row["account"], row["kind"]): int(row["total"])
        for row in entries.filter(account__in=counter)
        .values("account", "kind")
        .annotate(total=Sum("amount"))
    }

    def taken(account: str) -> int:
        return sums.get((account, Kind.CAPTURE), 0)

    def handed_back(account: str) -> int:
        return -sums.get((account, Kind.REFUND_SENT), 0) - sums.get(
            (account, Kind.REFUND_RETURNED), 0
        )

    cash_sales, cash_refunds = (
        taken(LedgerAccount.FUNDS_CASH),
        handed_back(LedgerAccount.FUNDS_CASH),
    )
    card_sales, card_refunds = (
        taken(LedgerAccount.FUNDS_CARD),
        handed_back(LedgerAccount.FUNDS_CARD),
    )
    order_ids = list(
        entries.filter(kind=Kind.SALE, account=LedgerAccount.CUSTOMER_FUNDS)
        .values_list("order_id", flat=True)
        .distinct()
    )
    tickets = OrderLine.objects.filter(
        order_id__in=order_ids,
        status__in=[OrderLine.Status.SOLD, OrderLine.Status.REFUNDED],
    ).aggregate(count=Count("pk", filter=Q(pk__isnull=False)))["count"]
    expected = shift.float + cash_sales - cash_refunds
    if shift.status == Shift.Status.CLOSED and shift.expected_cash is not None:
        # What the ledger said at the close (nothing posts to a closed shift).
        expected = shift.expected_cash
    return {
        "id": shift.pk,
        "status": shift.status,
        "currency": shift.currency,
        "float": shift.float,
        "cash_sales": cash_sales,
        "cash_refunds": cash_refunds,
        "card_sales": card_sales,
        "card_refunds": card_refunds,
        "expected_cash": expected,
        "counted": shift.counted,
        "variance": None if shift.counted is None else shift.counted - expected,
        "orders": len(order_ids),
        "tickets": tickets,
    }
