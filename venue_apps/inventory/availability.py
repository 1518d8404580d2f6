"""The one rule for whether a seat of a show can be taken right now.

A seat is available when it is `available`, or when it is `held` by a hold whose time
has run out (`held_until` passed): readers and writers treat a lapsed hold's seats as
free at once, before any sweeper runs, so expiry is exact. Holding, picking the best
seats, selling and the seat map all ask this rule, in Python (`seat_available`, on rows
already read or locked) or in SQL (`seats_available_q`).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from venue_apps.inventory.models import SeatState


def seat_available(state: str, held_until: datetime | None, *, now: datetime) -> bool:
    """May a seat in `state`, held until `held_until`, be taken at `now`?"""
    return state == SeatState.AVAILABLE or (
        state == SeatState.HELD and held_until is not None and held_until <= now
    )


def seats_available_q(now: datetime) -> Q:
    """`seat_available` as a filter on `ShowSeat` rows."""
    return Q(state=SeatState.AVAILABLE) | Q(state=SeatState.HELD, held_until__lte=now)
