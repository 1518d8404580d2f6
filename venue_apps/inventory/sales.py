"""Selling held seats and giving sold seats back: the inventory side of orders.

Seats are locked in id order (the order every writer of seats uses), waiting rather
than skipping: a payment that has been captured must get a definite answer. A seat can
be sold to an order when it is still held by that order's hold (even if the hold has
lapsed, nobody else took it), when it is free, or when someone else's hold on it has
lapsed. Anything else means the seat is gone.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.db import connection
from django.utils import timezone

from venue_apps.inventory.holds import seats_changed
from venue_apps.inventory.models import SeatState


def seats_sell(show_id: int, seat_ids: Sequence[int], *, hold_id: UUID) -> list[int]:
    """Mark the seats sold if every one of them can be; return the ones that cannot.

    All or nothing: when any seat is gone, nothing changes and the gone seats are
    returned. Must run inside the caller's transaction.
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, state, hold_id, held_until FROM inventory_showseat "
            "WHERE show_id = %s AND id = ANY(%s) ORDER BY id FOR UPDATE",
            [show_id, list(seat_ids)],
        )
        rows = cursor.fetchall()
        found = {row[0] for row in rows}
        gone = sorted(set(seat_ids) - found)
        for seat_id, state, seat_hold, held_until in rows:
            ours = state == SeatState.HELD and seat_hold == hold_id
            free = state == SeatState.AVAILABLE or (
                state == SeatState.HELD and held_until is not None and held_until <= now
            )
            if not (ours or free):
                gone.append(seat_id)
        if gone:
            return sorted(gone)
        cursor.execute(
            "UPDATE inventory_showseat SET state = 'sold', hold_id = NULL, held_until = NULL "
            "WHERE id = ANY(%s)",
            [list(seat_ids)],
        )
    seats_changed(show_id, [(seat_id, SeatState.SOLD) for seat_id in sorted(seat_ids)])
    return []


def seats_return(show_id: int, seat_ids: Sequence[int]) -> list[int]:
    """Put sold seats back on sale (a refund); return the seats that came back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_showseat SET state = 'available' WHERE id IN ("
            "  SELECT id FROM inventory_showseat WHERE show_id = %s AND id = ANY(%s) "
            "  AND state = 'sold' ORDER BY id FOR UPDATE"
            ") RETURNING id",
            [show_id, list(seat_ids)],
        )
        returned = sorted(row[0] for row in cursor.fetchall())
    if returned:
        seats_changed(show_id, [(seat_id, SeatState.AVAILABLE) for seat_id in returned])
    return returned
