"""Selling held seats and giving sold seats back: the inventory side of orders.

Seats are locked through `tenants.locking.lock_objects` (in id order, after the
payment and the order), waiting rather than skipping: a payment that has been captured
must get a definite answer. A seat can be sold to an order when it is still held by
that order's hold (even if the hold has lapsed, nobody else took it), or when it is
available (`inventory.availability`). Anything else means the seat is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.db import connection
from django.utils import timezone

from tenants.locking import lock_objects
from venue_apps.inventory.availability import seat_available
from venue_apps.inventory.holds import seats_changed
from venue_apps.inventory.models import SeatState, ShowSeat


def seats_sell(show_id: int, seat_ids: Sequence[int], *, hold_id: UUID) -> list[int]:
    """Mark the seats sold if every one of them can be; return the ones that cannot.

    All or nothing: when any seat is gone, nothing changes and the gone seats are
    returned. Must run inside the caller's transaction.
    """
    now = timezone.now()
    [seats] = lock_objects(ShowSeat.objects.filter(show_id=show_id, pk__in=list(seat_ids)))
    gone = sorted(set(seat_ids) - {seat.pk for seat in seats})
    for seat in seats:
        ours = seat.state == SeatState.HELD and seat.hold_id == hold_id
        if not (ours or seat_available(seat.state, seat.held_until, now=now)):
            gone.append(seat.pk)
    if gone:
        return sorted(gone)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_showseat SET state = 'sold', hold_id = NULL, held_until = NULL "
            "WHERE id = ANY(%s)",
            [list(seat_ids)],
        )
    seats_changed(show_id, [(seat_id, SeatState.SOLD) for seat_id in sorted(seat_ids)])
    return []


def seats_return(show_id: int, seat_ids: Sequence[int]) -> list[int]:
    """Put sold seats back on sale (a refund); return the seats that came back."""
    [seats] = lock_objects(
        ShowSeat.objects.filter(show_id=show_id, pk__in=list(seat_ids), state=SeatState.SOLD)
    )
    returned = sorted(seat.pk for seat in seats)
    if returned:
        ShowSeat.objects.filter(pk__in=returned).update(state=SeatState.AVAILABLE)
        seats_changed(show_id, [(seat_id, SeatState.AVAILABLE) for seat_id in returned])
    return returned
