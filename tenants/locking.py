"""Row locks in one order, the only place that order is written down.

Every transaction that locks rows of more than one kind takes them through
`lock_objects`, so two transactions never wait for each other's rows the other way
round (the deadlock that a lock order exists to prevent). The order is `LOCK_ORDER`:

0. a platform invoice (`billing.Invoice`, public schema): charged, paid or voided
   under its lock, before its chain's row (suspended or resumed in the same
   transaction);
1. the till shift (`tills.Shift`): for share by a counter sale or refund, which
   posts to it, for update by closing it, which waits for those in flight so that
   the count it keeps is final;
2. the auditorium (`venues.Auditorium`): its schedule, taken by whatever puts a
   show on the screen or moves one, so that two such transactions wait in turn
   instead of deadlocking on the no-overlap exclusion constraint (PostgreSQL lets
   two concurrent inserts of clashing rows each wait for the other);
3. payments of the order (`payments.Payment`), by id;
4. the order (`orders.Order`);
5. its lines (`orders.OrderLine`), by id;
6. the show (`shows.Show`), for share: a show cancellation takes it for update and
   waits for the sales in flight;
7. seats (`inventory.ShowSeat`), by id;
8. the show's inventory version row (`inventory.ShowInventory`);
9. the hold (`inventory.Hold`);
10. tickets (`tickets.Ticket`), by id;
11. refunds (`payments.Refund`), only their own rows (`of=("self",)`) when they are
    read with their payment.

(A promo code is locked last of all, by `orders.selectors.hold_price` when an order is
made.)

A transaction may skip kinds, never go back up the list. Within a kind, rows are
locked in primary-key order. Each call sets `lock_timeout` for the rest of the
transaction (`SET LOCAL`), so a lock that cannot be had ends the transaction with an
error (a webhook then answers 5xx and the gateway delivers again) rather than waiting
without end. Like pretix's `lock_objects` and Saleor's `lock_objects.py`.

The apps name models by their labels here, so this module imports none of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, QuerySet

LOCK_ORDER: tuple[str, ...] = (
    "billing.Invoice",
    "tills.Shift",
    "venues.Auditorium",
    "payments.Payment",
    "orders.Order",
    "orders.OrderLine",
    "shows.Show",
    "inventory.ShowSeat",
    "inventory.ShowInventory",
    "inventory.Hold",
    "tickets.Ticket",
    "payments.Refund",
)
LOCK_TIMEOUT = "5s"
_RANK = {label: rank for rank, label in enumerate(LOCK_ORDER)}


def lock_rank(model: type[Model]) -> int:
    """Where rows of `model` come in the lock order; a model not in it is a bug."""
    label = model._meta.label
    if label not in _RANK:
        raise ValueError(f"{label} is not in tenants.locking.LOCK_ORDER")
    return _RANK[label]


def lock_timeout_set(timeout: str = LOCK_TIMEOUT) -> None:
    """`SET LOCAL lock_timeout` for the rest of the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Locks are taken inside a transaction.")
    with connection.cursor() as cursor:
        # set_config(..., true) is SET LOCAL with a parameter.
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [timeout])


def lock_objects(
    *querysets: QuerySet[Any],
    shared: Iterable[QuerySet[Any]] = (),
    timeout: str = LOCK_TIMEOUT,
    nowait: bool = False,
    skip_locked: bool = False,
    of: tuple[str, ...] = (),
) -> list[list[Any]]:
    """Lock the rows of each queryset (`FOR UPDATE`) and of each `shared` one
    (`FOR SHARE`), kind by kind in `LOCK_ORDER` and row by row by primary key.

    Returns the locked rows of each queryset in the order the querysets were given
    (the `shared` ones return nothing). `nowait`, `skip_locked` and `of` are those of
    `select_for_update`. Must run inside a transaction.
    """
    lock_timeout_set(timeout)
    shared = list(shared)
    steps: list[tuple[int, int, QuerySet[Any], bool]] = [
        (lock_rank(queryset.model), index, queryset, False)
        for index, queryset in enumerate(querysets)
    ]
    steps += [(lock_rank(queryset.model), -1, queryset, True) for queryset in shared]
    rows: list[list[Any]] = [[] for _ in querysets]
    for _, index, queryset, for_share in sorted(steps, key=lambda step: (step[0], step[1])):
        if for_share:
            _lock_shared(queryset)
            continue
        rows[index] = list(
            queryset.select_for_update(nowait=nowait, skip_locked=skip_locked, of=of).order_by("pk")
        )
    return rows


def _lock_shared(queryset: QuerySet[Any]) -> None:
    # Django has no FOR SHARE: lock the ids the queryset selects, in id order.
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE id = ANY(%s) ORDER BY id FOR SHARE",  # noqa: S608 - a model's own table
            [ids],
        )
