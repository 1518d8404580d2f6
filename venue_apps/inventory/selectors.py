"""Reads of a show's seats: the seat map customers pick from."""

from __future__ import annotations

import json
from typing import Any

from tenants.cache import cached
from venue_apps.inventory.models import ShowInventory, ShowSeat
from venue_apps.inventory.services import show_seats_cache_namespace

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


def show_seat_map_uncached(show_id: int) -> dict[str, Any]:
    """`{"version", "seats": [...]}` in two queries, whatever the number of seats."""
    version = (
        ShowInventory.objects.filter(show_id=show_id, show__status="on_sale")
        .values_list("version", flat=True)
        .first()
    )
    if version is None:  # unknown, not yet on sale, or cancelled
        return {"version": 0, "seats": []}
    seats = list(ShowSeat.objects.filter(show_id=show_id).order_by("y", "x").values(*SEAT_FIELDS))
    for seat in seats:
        seat["companion"] = seat.pop("companion_id")
        seat["wheelchair"] = seat.pop("is_wheelchair")
    return {"version": version, "seats": seats}


def show_seat_map_json(show_id: int) -> bytes | None:
    """The seat map as JSON, cached per tenant until its next change; None if the show
    has no inventory (unknown, or not on sale)."""

    def render() -> bytes:
        seat_map = show_seat_map_uncached(show_id)
        return json.dumps(seat_map, separators=(",", ":")).encode() if seat_map["seats"] else b""

    return cached(show_seats_cache_namespace(show_id), "map.json", render, timeout=600) or None
