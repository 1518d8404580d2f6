"""Reads of a show's seats: the seat map customers pick from."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenants.cache import body_etag, cached_for
from venue_apps.catalog.models import Kind
from venue_apps.inventory.availability import seat_available
from venue_apps.inventory.models import SeatState, ShowInventory, ShowSeat
from venue_apps.inventory.services import show_seats_cache_namespace
from venue_apps.shows.models import Show

SEAT_FIELDS = (
    "id",
    "label",
    "section",
    "row",
    "number",
    "category",
    "x",
    "y",
    "width",
    "is_wheelchair",
    "companion_id",
    "state",
)


def screen_label(title_kind: str) -> str:
    """What the front of the auditorium is called on a seat map: films are shown on a
    screen; plays, concerts, dance and every other kind are performed on a stage."""
    return "Screen" if title_kind == Kind.FILM else "Stage"


def show_seat_map_uncached(show_id: int) -> dict[str, Any]:
    """`{"version", "seats": [...], "screen": {"y", "label"}}` in two queries, whatever
    the number of seats. `screen.y` is the auditorium's screen (or stage) line in the
    seats' coordinates, so the map can draw it where it is.

    A held seat whose hold has lapsed is reported available; `_next_expiry` says when
    the first remaining hold lapses (callers drop it before serving the map)."""
    row = (
        ShowInventory.objects.filter(show_id=show_id, show__status="on_sale")
        .values_list("version", "show__auditorium__screen_y", "show__title__kind")
        .first()
    )
    if row is None:  # unknown, not yet on sale, or cancelled
        return {"version": 0, "seats": []}
    version, screen_y, title_kind = row
    seats = list(
        ShowSeat.objects.filter(show_id=show_id)
        .order_by("y", "x")
        .values(*SEAT_FIELDS, "held_until")
    )
    now = timezone.now()
    next_expiry = None
    for seat in seats:
        seat["companion"] = seat.pop("companion_id")
        seat["wheelchair"] = seat.pop("is_wheelchair")
        held_until = seat.pop("held_until")
        if seat["state"] == SeatState.HELD and held_until is not None:
            if seat_available(seat["state"], held_until, now=now):
                seat["state"] = SeatState.AVAILABLE  # lapsed: free before any sweeper runs
            elif next_expiry is None or held_until < next_expiry:
                next_expiry = held_until
    return {
        "version": version,
        "seats": seats,
        "screen": {"y": screen_y, "label": screen_label(title_kind)},
        "_next_expiry": next_expiry,
    }


def show_seat_map_json(show_id: int) -> bytes | None:
    """The seat map as JSON, cached per tenant until its next change; None if the show
    has no inventory (unknown, or not on sale)."""
    answer = show_seat_map_answer(show_id)
    return answer[0] if answer else None


def show_seat_map_answer(show_id: int) -> tuple[bytes, str] | None:
    """The seat map as JSON and its ETag (a digest of the JSON, made once per change
    rather than per read: 80 us for a 65 KB map), cached per tenant until its next
    change and copied in each process (`cached_for(local=True)`); None if the show has
    no inventory (unknown, or not on sale)."""

    def render() -> tuple[tuple[bytes, str] | None, int]:
        seat_map = show_seat_map_uncached(show_id)
        next_expiry = seat_map.pop("_next_expiry", None)
        # Cached until the next change, or until the first hold on the map lapses, so a
        # lapsed hold shows as free at once; and never long, in case a change's cache
        # bump was lost while Redis was unreachable.
        timeout = 60
        if next_expiry is not None:
            left = (next_expiry - timezone.now()).total_seconds()
            timeout = max(1, min(timeout, int(left) + 1))
        if not seat_map["seats"]:
            return None, timeout
        body = json.dumps(seat_map, separators=(",", ":")).encode()
        return (body, body_etag(body)), timeout

    return cached_for(show_seats_cache_namespace(show_id), "map.json", render, local=True)


def _seats_counted(**where: Any) -> Coalesce:
    counted = (
        ShowSeat.objects.filter(show=OuterRef("pk"), **where)
        .order_by()
        .values("show")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def shows_with_seat_counts(shows: QuerySet[Show]) -> QuerySet[Show]:
    """Shows with `sold_count` and `held_count` (seats held by holds not yet expired),
    counted in the shows' own query: for lists of shows."""
    return shows.annotate(
        sold_count=_seats_counted(state=SeatState.SOLD),
        held_count=_seats_counted(state=SeatState.HELD, held_until__gt=timezone.now()),
    )
