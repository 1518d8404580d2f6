"""Reads of a show's seats: the seat map customers pick from."""

from __future__ import annotations

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
        ShowInventory.objects.filter(show_id=show_id).values_list("version", flat=True).first()
    )
    seats = list(ShowSeat.objects.filter(show_id=show_id).order_by("y", "x").values(*SEAT_FIELDS))
    for seat in seats:
        seat["companion"] = seat.pop("companion_id")
        seat["wheelchair"] = seat.pop("is_wheelchair")
    return {"version": version or 0, "seats": seats}


def show_seat_map(show_id: int) -> dict[str, Any]:
    """The seat map of a show, cached per tenant until its next change."""
    return cached(
        show_seats_cache_namespace(show_id),
        "map",
        lambda: show_seat_map_uncached(show_id),
        timeout=600,
    )
