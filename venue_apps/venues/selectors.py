"""Reads of venues, auditoriums and seat maps in the current schema."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from tenants.error_codes import NotFound
from venue_apps.venues.error_codes import VenueErrorCode
from venue_apps.venues.layout import SeatSpec
from venue_apps.venues.models import Auditorium, Seat, SeatCategory, Section, Venue


def venue_list(*, active_only: bool = True) -> QuerySet[Venue]:
    """Venues by name; closed ones (`is_active=False`) only when asked for."""
    venues = Venue.objects.order_by("name", "id")
    return venues.filter(is_active=True) if active_only else venues


def auditorium_list(*, venue_id: int | None = None) -> QuerySet[Auditorium]:
    """Auditoriums with their venue and `seat_count`, the number of active seats."""
    auditoriums = (
        Auditorium.objects.select_related("venue")
        .annotate(seat_count=Count("seats", filter=Q(seats__is_active=True)))
        .order_by("venue__name", "name", "id")
    )
    return auditoriums.filter(venue_id=venue_id) if venue_id is not None else auditoriums


def auditorium_seat_map(auditorium_id: int) -> Auditorium:
    """An auditorium with everything needed to draw its map, in three queries.

    `sections` holds the sections in map order, and `active_seats` (a list) the seats
    on the map ordered by y then x, each with its category, section and companion loaded.
    Retired seats are left out. Raises NotFound.
    """
    auditorium = (
        Auditorium.objects.select_related("venue")
        .prefetch_related(
            Prefetch("sections", queryset=Section.objects.order_by("position", "id")),
            Prefetch(
                "seats",
                queryset=Seat.objects.filter(is_active=True)
                .select_related("category", "section", "companion")
                .order_by("y", "x", "id"),
                to_attr="active_seats",
            ),
        )
        .filter(pk=auditorium_id)
        .first()
    )
    if auditorium is None:
        raise NotFound(VenueErrorCode.AUDITORIUM_NOT_FOUND, f"No auditorium {auditorium_id}.")
    return auditorium


def seat_category_list() -> QuerySet[SeatCategory]:
    """Seat categories in legend order: by rank, then code."""
    return SeatCategory.objects.order_by("rank", "code")


def auditorium_seat_specs(auditorium: Auditorium) -> list[SeatSpec]:
    """The active seats of a map loaded by `auditorium_seat_map`, as layout specs."""
    seats = list(auditorium.active_seats)  # type: ignore[attr-defined]
    labels = {seat.pk: seat.label for seat in seats}
    return [
        SeatSpec(
            section=seat.section.name,
            row=seat.row,
            number=seat.number,
            label=seat.label,
            category=seat.category.code,
            x=seat.x,
            y=seat.y,
            width=seat.width,
            is_wheelchair=seat.is_wheelchair,
            companion_label=labels.get(seat.companion_id),
            is_blocked=seat.is_blocked,
        )
        for seat in seats
    ]
