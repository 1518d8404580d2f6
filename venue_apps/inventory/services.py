"""Creating a show's seat inventory when it goes on sale (current schema)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tenants.cache import cache_namespace_bump
from tenants.error_codes import Conflict, DomainError
from venue_apps.audit.services import audit_log
from venue_apps.catalog.services import CATALOG_CACHE
from venue_apps.inventory.error_codes import InventoryErrorCode
from venue_apps.inventory.models import SeatState, ShowInventory, ShowSeat
from venue_apps.shows.models import Show, show_seats_cache_namespace
from venue_apps.venues.models import Auditorium


@transaction.atomic
def show_put_on_sale(show: Show, *, actor: Any = None) -> ShowInventory:
    """Copy the auditorium's active seats into the show's inventory and open it for sale.

    Each show seat keeps its own label, row, category, position and pairing, so later
    edits of the seat map never change a show on sale. Blocked seats are copied as
    `blocked`. Idempotent for a show already on sale. Audited as `show.on_sale` by
    `actor` (None: the system, the demo programme).
    """
    show = Show.objects.select_for_update().get(pk=show.pk)
    # Locking the auditorium keeps a concurrent seat-map replacement from deleting a
    # seat while it is being copied.
    show.auditorium = Auditorium.objects.select_for_update().get(pk=show.auditorium_id)
    if show.status == Show.Status.ON_SALE:
        return show.inventory
    if show.status != Show.Status.SCHEDULED:
        raise Conflict(InventoryErrorCode.SHOW_NOT_SCHEDULED, f"The show is {show.status}.")
    seats = list(
        show.auditorium.seats.filter(is_active=True)
        .select_related("section", "category")
        .order_by("y", "x")
    )
    if not seats:
        raise DomainError(InventoryErrorCode.NO_SEATS, "The auditorium has no seats.")
    unpriced = sorted({seat.category.code for seat in seats} - set(show.prices))
    if unpriced:
        # The map changed since the show was scheduled: every seat sold must have a price.
        raise DomainError(
            InventoryErrorCode.PRICE_MISSING,
            f"The show has no price for seat categories {', '.join(unpriced)}; "
            "set them before it goes on sale.",
        )
    created = ShowSeat.objects.bulk_create(
        ShowSeat(
            show=show,
            seat=seat,
            section=seat.section.name,
            row=seat.row,
            number=seat.number,
            label=seat.label,
            category=seat.category.code,
            x=seat.x,
            y=seat.y,
            width=seat.width,
            is_wheelchair=seat.is_wheelchair,
            state=SeatState.BLOCKED if seat.is_blocked else SeatState.AVAILABLE,
        )
        for seat in seats
    )
    by_seat = {show_seat.seat_id: show_seat for show_seat in created}
    paired = []
    for seat in seats:
        if seat.companion_id and seat.companion_id in by_seat:
            show_seat = by_seat[seat.pk]
            show_seat.companion = by_seat[seat.companion_id]
            paired.append(show_seat)
    ShowSeat.objects.bulk_update(paired, ["companion"])
    inventory = ShowInventory.objects.create(show=show)
    show.status = Show.Status.ON_SALE
    show.layout_version = show.auditorium.layout_version
    show.save(update_fields=["status", "layout_version", "updated_at"])
    cache_namespace_bump(CATALOG_CACHE, show_seats_cache_namespace(show.pk))
    audit_log(
        actor,
        "show.on_sale",
        show,
        {"status": Show.Status.SCHEDULED},
        {"status": show.status},
        seats=len(created),
        layout_version=show.layout_version,
    )
    return inventory
