"""Seat categories and venues."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from tenants.cache import PROGRAMME_CACHE, cache_namespace_bump
from tenants.error_codes import Conflict, DomainError, NotFound
from venue_apps.audit.services import audit_log, audit_snapshot
from venue_apps.venues.error_codes import VenueErrorCode
from venue_apps.venues.models import SeatCategory, Venue
from venue_apps.venues.services._common import (
    _CATEGORY_CODE,
    _HEX_COLOUR,
    DEFAULT_CATEGORY_CODES,
    DEFAULT_SEAT_CATEGORIES,
    _check_venue_name_free,
    _text,
    _unique_or_conflict,
    _venue_values,
)

SEAT_CATEGORY_AUDIT_FIELDS = ("code", "name", "rank", "colour")

# Seat categories ---------------------------------------------------------------------


@transaction.atomic
def seat_categories_ensure_defaults() -> list[SeatCategory]:
    """Create whichever of the five default seat categories are missing; return all five.

    regular, premium, recliner, couple and wheelchair (ranks 10 to 50), ordered by rank.
    Categories that exist are left as the chain edited them. Safe to run concurrently:
    a category another transaction inserts meanwhile is skipped, not duplicated.
    """
    SeatCategory.objects.bulk_create(
        [
            SeatCategory(code=code, name=name, rank=rank, colour=colour)
            for code, name, rank, colour in DEFAULT_SEAT_CATEGORIES
        ],
        ignore_conflicts=True,
    )
    return list(SeatCategory.objects.filter(code__in=DEFAULT_CATEGORY_CODES))


@transaction.atomic
def seat_category_create(
    *, code: str, name: str, rank: int = 100, colour: str = "#64748b", actor: Any = None
) -> SeatCategory:
    """Create a seat category the chain prices separately, e.g. `sofa` or `premium-plus`.

    The code is what layouts and price rules name it by: lower-case letters, digits,
    `-` and `_`, unique. Audited as `seat_category.created`.
    """
    code = (code or "").strip()
    if len(code) > 32 or not _CATEGORY_CODE.fullmatch(code):
        raise DomainError(
            VenueErrorCode.CATEGORY_INVALID,
            "The code has lower-case letters, digits, '-' and '_' (at most 32), e.g. sofa.",
        )
    name = _text(name, field="name", limit=60, required=True, code=VenueErrorCode.NAME_INVALID)
    if not isinstance(rank, int) or not 0 <= rank <= 32767:
        raise DomainError(VenueErrorCode.CATEGORY_INVALID, "The rank lies between 0 and 32767.")
    if not _HEX_COLOUR.fullmatch(colour or ""):
        raise DomainError(VenueErrorCode.CATEGORY_INVALID, f"{colour!r} is not like #1a2b3c.")
    detail = f"A seat category with the code {code!r} already exists."
    if SeatCategory.objects.filter(code=code).exists():
        raise Conflict(VenueErrorCode.CATEGORY_TAKEN, detail)
    with _unique_or_conflict("venues_seatcategory_code_key", VenueErrorCode.CATEGORY_TAKEN, detail):
        category = SeatCategory.objects.create(code=code, name=name, rank=rank, colour=colour)
    audit_log(
        actor,
        "seat_category.created",
        category,
        after=audit_snapshot(category, SEAT_CATEGORY_AUDIT_FIELDS),
    )
    return category


@transaction.atomic
def seat_category_update(
    category: SeatCategory,
    *,
    name: str | None = None,
    rank: int | None = None,
    colour: str | None = None,
    actor: Any = None,
) -> SeatCategory:
    """Rename, reorder or recolour a category. Its code never changes: seat maps, price
    rules and shows on sale refer to it. Audited as `seat_category.changed`."""
    category = SeatCategory.objects.select_for_update().get(pk=category.pk)
    before = audit_snapshot(category, SEAT_CATEGORY_AUDIT_FIELDS)
    if name is not None:
        category.name = _text(
            name, field="name", limit=60, required=True, code=VenueErrorCode.NAME_INVALID
        )
    if rank is not None:
        if not 0 <= rank <= 32767:
            raise DomainError(VenueErrorCode.CATEGORY_INVALID, "The rank lies between 0 and 32767.")
        category.rank = rank
    if colour is not None:
        if not _HEX_COLOUR.fullmatch(colour):
            raise DomainError(VenueErrorCode.CATEGORY_INVALID, f"{colour!r} is not like #1a2b3c.")
        category.colour = colour
    category.save()
    after = audit_snapshot(category, SEAT_CATEGORY_AUDIT_FIELDS)
    audit_log(actor, "seat_category.changed", category, before, after)
    return category


# Venues ------------------------------------------------------------------------------


@transaction.atomic
def venue_create(
    *,
    name: str,
    address_line1: str,
    city: str,
    country: str,
    timezone: str,
    address_line2: str = "",
    region: str = "",
    postal_code: str = "",
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    actor: Any = None,
) -> Venue:
    """Create a venue: a building with auditoriums, in one IANA time zone.

    Text is trimmed, the country upper-cased (ISO 3166 alpha-2). Names are unique
    within the chain, ignoring case (Conflict `name_taken`). Audited as `venue.created`.
    """
    values = _venue_values(
        {
            "name": name,
            "address_line1": address_line1,
            "address_line2": address_line2,
            "city": city,
            "region": region,
            "postal_code": postal_code,
            "country": country,
            "timezone": timezone,
            "latitude": latitude,
            "longitude": longitude,
        }
    )
    _check_venue_name_free(values["name"])
    detail = f"A venue named {values['name']!r} already exists."
    with _unique_or_conflict("venue_name_unique", VenueErrorCode.NAME_TAKEN, detail):
        venue = Venue.objects.create(**values)
    audit_log(actor, "venue.created", venue, after=audit_snapshot(venue, Venue.EDITABLE_FIELDS))
    return venue


@transaction.atomic
def venue_update(venue: Venue, *, actor: Any = None, **fields: Any) -> Venue:
    """Change some of a venue's fields (those of `venue_create`, and `is_active`).

    Validated as in `venue_create`; a field that is not a venue field is a TypeError.
    Returns the venue as stored. Audited as `venue.changed` with what changed.
    """
    values = _venue_values(fields)
    locked = Venue.objects.select_for_update().filter(pk=venue.pk).first()
    if locked is None:
        raise NotFound(VenueErrorCode.VENUE_NOT_FOUND, f"No venue {venue.pk}.")
    changed = [field for field, value in values.items() if getattr(locked, field) != value]
    if not changed:
        return locked
    if "name" in changed:
        _check_venue_name_free(values["name"], venue_id=locked.pk)
    before = audit_snapshot(locked, changed)
    for field in changed:
        setattr(locked, field, values[field])
    detail = f"A venue named {locked.name!r} already exists."
    with _unique_or_conflict("venue_name_unique", VenueErrorCode.NAME_TAKEN, detail):
        locked.save(update_fields=[*changed, "updated_at"])
    if "timezone" in changed:
        # "Today" at the venue moved: each show's local day follows.
        shows = list(locked.shows.only("pk", "starts_at"))
        for show in shows:
            show.local_date = show.starts_at.astimezone(locked.zone).date()
        locked.shows.model.objects.bulk_update(shows, ["local_date"], batch_size=500)
    audit_log(actor, "venue.changed", locked, before, audit_snapshot(locked, changed))
    cache_namespace_bump(PROGRAMME_CACHE)
    return locked
