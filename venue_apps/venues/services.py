"""State changes of venues, auditoriums and their seat maps, in the current schema.

Seat maps are written in bulk: creating or replacing a map costs a small number of
queries whatever its size. Changes of a map lock the auditorium row first, so two edits
of one map (or an edit and a seat being blocked) run one after the other.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from tenants.cache import PROGRAMME_CACHE, cache_namespace_bump
from tenants.error_codes import Conflict, DomainError, NotFound
from venue_apps.venues.error_codes import VenueErrorCode
from venue_apps.venues.layout import (
    MAX_COORDINATE,
    LayoutError,
    SeatSpec,
    layout_parse,
    layout_validate,
)
from venue_apps.venues.models import Auditorium, Seat, SeatCategory, Section, Venue

# code, name, rank, colour
DEFAULT_SEAT_CATEGORIES: tuple[tuple[str, str, int, str], ...] = (
    ("regular", "Regular", 10, "#64748b"),
    ("premium", "Premium", 20, "#7c3aed"),
    ("recliner", "Recliner", 30, "#b45309"),
    ("couple", "Couple", 40, "#db2777"),
    ("wheelchair", "Wheelchair", 50, "#2563eb"),
)
DEFAULT_CATEGORY_CODES = frozenset(code for code, *_ in DEFAULT_SEAT_CATEGORIES)

_COUNTRY = re.compile(r"[A-Z]{2}")
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_CATEGORY_CODE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
# Far outside any real map (layouts keep |x|, |y| <= MAX_COORDINATE), so seats parked
# here while a map is rearranged collide with nothing.
_PARKING_Y = -2_000_000_000
_MAX_CLEANING_MINUTES = 24 * 60
_SEAT_FIELDS = [
    "section",
    "category",
    "row",
    "number",
    "x",
    "y",
    "width",
    "is_wheelchair",
    "is_blocked",
    "companion",
]


# Helpers -----------------------------------------------------------------------------


def _violated_constraint(error: IntegrityError) -> str | None:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


@contextmanager
def _unique_or_conflict(constraint: str, code: VenueErrorCode, detail: str) -> Iterator[None]:
    """Turn a violation of one unique constraint into a Conflict, in a savepoint.

    The earlier existence checks give the friendly answer; this covers the race where
    another transaction takes the name in between, and keeps the outer transaction
    usable. Any other integrity error is a bug and propagates unchanged.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if _violated_constraint(error) == constraint:
            raise Conflict(code, detail) from error
        raise


def _text(value: Any, *, field: str, limit: int, required: bool, code: VenueErrorCode) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(code, f"The {field.replace('_', ' ')} is required.")
    if len(text) > limit:
        raise DomainError(code, f"The {field.replace('_', ' ')} has at most {limit} characters.")
    return text


def _coordinate(value: Any, *, field: str, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or not -limit <= number <= limit:
        raise DomainError(
            VenueErrorCode.COORDINATES_INVALID,
            f"The {field} must be a number between -{limit} and {limit}.",
        )
    # What the column stores, so the returned venue equals a re-read one.
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


# field: (max length, required, error code)
_VENUE_TEXT_FIELDS: dict[str, tuple[int, bool, VenueErrorCode]] = {
    "name": (120, True, VenueErrorCode.NAME_INVALID),
    "address_line1": (200, True, VenueErrorCode.ADDRESS_INVALID),
    "address_line2": (200, False, VenueErrorCode.ADDRESS_INVALID),
    "city": (100, True, VenueErrorCode.ADDRESS_INVALID),
    "region": (100, False, VenueErrorCode.ADDRESS_INVALID),
    "postal_code": (20, False, VenueErrorCode.ADDRESS_INVALID),
}
_VENUE_FIELDS = frozenset(
    {*_VENUE_TEXT_FIELDS, "country", "timezone", "latitude", "longitude", "is_active"}
)


def _venue_values(fields: dict[str, Any]) -> dict[str, Any]:
    """Validated, normalised values for the given venue fields (only those)."""
    unknown = fields.keys() - _VENUE_FIELDS
    if unknown:
        # A caller's bug, not a user's mistake: no domain error code for it.
        raise TypeError(f"Venues have no field(s) {', '.join(sorted(unknown))}.")
    values: dict[str, Any] = {}
    for field, value in fields.items():
        if field in _VENUE_TEXT_FIELDS:
            limit, required, code = _VENUE_TEXT_FIELDS[field]
            values[field] = _text(value, field=field, limit=limit, required=required, code=code)
        elif field == "country":
            country = str(value or "").strip().upper()
            if not _COUNTRY.fullmatch(country):
                raise DomainError(
                    VenueErrorCode.COUNTRY_INVALID,
                    "The country must be a two-letter ISO 3166 code like IN.",
                )
            values[field] = country
        elif field == "timezone":
            timezone = str(value or "").strip()
            if timezone not in zoneinfo.available_timezones():
                raise DomainError(
                    VenueErrorCode.TIMEZONE_INVALID,
                    f"{timezone!r} is not an IANA time zone (e.g. Asia/Kolkata).",
                )
            values[field] = timezone
        elif field in ("latitude", "longitude"):
            values[field] = _coordinate(
                value, field=field, limit=90 if field == "latitude" else 180
            )
        else:
            values[field] = bool(value)
    return values


def _check_venue_name_free(name: str, *, venue_id: int | None = None) -> None:
    # Case-insensitive: "Forum Mall" and "forum mall" are the same place to a customer.
    others = Venue.objects.filter(name__iexact=name)
    if venue_id is not None:
        others = others.exclude(pk=venue_id)
    if others.exists():
        raise Conflict(VenueErrorCode.NAME_TAKEN, f"A venue named {name!r} already exists.")


def _auditorium_name(name: Any) -> str:
    return _text(name, field="name", limit=80, required=True, code=VenueErrorCode.NAME_INVALID)


def _check_auditorium_name_free(
    name: str, *, venue_id: int, auditorium_id: int | None = None
) -> None:
    others = Auditorium.objects.filter(venue_id=venue_id, name__iexact=name)
    if auditorium_id is not None:
        others = others.exclude(pk=auditorium_id)
    if others.exists():
        raise Conflict(
            VenueErrorCode.NAME_TAKEN, f"This venue already has an auditorium named {name!r}."
        )


def _check_cleaning_minutes(minutes: int) -> None:
    if not isinstance(minutes, int) or not 0 <= minutes <= _MAX_CLEANING_MINUTES:
        raise DomainError(
            VenueErrorCode.CLEANING_TIME_INVALID,
            f"Cleaning takes 0 to {_MAX_CLEANING_MINUTES} minutes.",
        )


def _check_screen_y(screen_y: int) -> None:
    if not isinstance(screen_y, int) or abs(screen_y) > MAX_COORDINATE:
        raise DomainError(
            VenueErrorCode.LAYOUT_INVALID,
            f"The screen's y lies between -{MAX_COORDINATE} and {MAX_COORDINATE}.",
        )


def _locked_auditorium(auditorium_id: int) -> Auditorium:
    auditorium = Auditorium.objects.select_for_update().filter(pk=auditorium_id).first()
    if auditorium is None:
        raise NotFound(VenueErrorCode.AUDITORIUM_NOT_FOUND, f"No auditorium {auditorium_id}.")
    return auditorium


def _seat_specs(*, layout: str | None, seats: Sequence[SeatSpec] | None) -> list[SeatSpec]:
    if (layout is None) == (seats is None):
        raise DomainError(
            VenueErrorCode.LAYOUT_INVALID,
            "Give the seat map either as a text layout or as a list of seats.",
        )
    try:
        return layout_parse(layout) if layout is not None else layout_validate(seats or [])
    except LayoutError as error:
        raise DomainError(VenueErrorCode.LAYOUT_INVALID, str(error)) from error


def _categories_for(specs: Sequence[SeatSpec]) -> dict[str, SeatCategory]:
    """The categories the seats name, by code; the five defaults are created on demand."""
    codes = {spec.category for spec in specs}
    found = {category.code: category for category in SeatCategory.objects.filter(code__in=codes)}
    if (codes - found.keys()) & DEFAULT_CATEGORY_CODES:
        for category in seat_categories_ensure_defaults():
            found.setdefault(category.code, category)
    unknown = sorted(codes - found.keys())
    if unknown:
        raise DomainError(
            VenueErrorCode.CATEGORY_UNKNOWN,
            f"Unknown seat categories: {', '.join(unknown)}. Create them before using them.",
        )
    return found


def _sections_for(auditorium: Auditorium, specs: Sequence[SeatSpec]) -> dict[str, Section]:
    """The auditorium's sections the seats name, created if new, placed in map order."""
    names = list(dict.fromkeys(spec.section for spec in specs))
    existing = {section.name: section for section in Section.objects.filter(auditorium=auditorium)}
    moved: list[Section] = []
    for position, name in enumerate(names):
        section = existing.get(name)
        if section is not None and section.position != position:
            section.position = position
            moved.append(section)
    Section.objects.bulk_update(moved, ["position"])
    created = Section.objects.bulk_create(
        Section(auditorium=auditorium, name=name, position=position)
        for position, name in enumerate(names)
        if name not in existing
    )
    sections = {**existing, **{section.name: section for section in created}}
    return {name: sections[name] for name in names}


def _seat_apply(
    seat: Seat,
    spec: SeatSpec,
    *,
    sections: dict[str, Section],
    categories: dict[str, SeatCategory],
) -> Seat:
    seat.section = sections[spec.section]
    seat.category = categories[spec.category]
    seat.row = spec.row
    seat.number = spec.number
    seat.x = spec.x
    seat.y = spec.y
    seat.width = spec.width
    seat.is_wheelchair = spec.is_wheelchair
    seat.is_blocked = spec.is_blocked
    return seat


def _companions_link(specs: Sequence[SeatSpec], seats: dict[str, Seat]) -> list[Seat]:
    """Point every seat at its companion per the specs; return the seats that have one."""
    linked = []
    for spec in specs:
        seat = seats[spec.label]
        seat.companion = seats[spec.companion_label] if spec.companion_label else None
        if seat.companion is not None:
            linked.append(seat)
    return linked


def _layout_version_bump(auditorium: Auditorium) -> None:
    # The row is locked by the caller, so a plain increment cannot lose an update.
    auditorium.layout_version += 1
    auditorium.save(update_fields=["layout_version", "updated_at"])


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
    *, code: str, name: str, rank: int = 100, colour: str = "#64748b"
) -> SeatCategory:
    """Create a seat category the chain prices separately, e.g. `sofa` or `premium-plus`.

    The code is what layouts and price rules name it by: lower-case letters, digits,
    `-` and `_`, unique.
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
        return SeatCategory.objects.create(code=code, name=name, rank=rank, colour=colour)


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
) -> Venue:
    """Create a venue: a building with auditoriums, in one IANA time zone.

    Text is trimmed, the country upper-cased (ISO 3166 alpha-2). Names are unique
    within the chain, ignoring case (Conflict `name_taken`).
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
        return Venue.objects.create(**values)


@transaction.atomic
def venue_update(venue: Venue, **fields: Any) -> Venue:
    """Change some of a venue's fields (those of `venue_create`, and `is_active`).

    Validated as in `venue_create`; a field that is not a venue field is a TypeError.
    Returns the venue as stored.
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
    cache_namespace_bump(PROGRAMME_CACHE)
    return locked


# Auditoriums and seat maps -----------------------------------------------------------


@transaction.atomic
def auditorium_create(
    *,
    venue: Venue,
    name: str,
    layout: str | None = None,
    seats: Sequence[SeatSpec] | None = None,
    cleaning_minutes: int = 15,
    screen_y: int = -2,
) -> Auditorium:
    """Create an auditorium with its seat map, given as text `layout` or as `seats`.

    Exactly one of the two (see venues.layout for the text format). Seat categories
    must exist, except the five defaults, which are created on first use. Sections
    are numbered in the order the map names them. Names are unique within the venue,
    ignoring case. A constant number of queries, whatever the size of the map.
    """
    name = _auditorium_name(name)
    _check_cleaning_minutes(cleaning_minutes)
    _check_screen_y(screen_y)
    specs = _seat_specs(layout=layout, seats=seats)
    categories = _categories_for(specs)
    _check_auditorium_name_free(name, venue_id=venue.pk)
    detail = f"This venue already has an auditorium named {name!r}."
    with _unique_or_conflict("auditorium_name_unique_per_venue", VenueErrorCode.NAME_TAKEN, detail):
        auditorium = Auditorium.objects.create(
            venue=venue, name=name, cleaning_minutes=cleaning_minutes, screen_y=screen_y
        )
    sections = _sections_for(auditorium, specs)
    created = Seat.objects.bulk_create(
        _seat_apply(
            Seat(auditorium=auditorium, label=spec.label),
            spec,
            sections=sections,
            categories=categories,
        )
        for spec in specs
    )
    # Companions need the primary keys bulk_create just returned.
    linked = _companions_link(specs, {seat.label: seat for seat in created})
    Seat.objects.bulk_update(linked, ["companion"])
    return auditorium


@transaction.atomic
def auditorium_layout_replace(
    auditorium: Auditorium,
    *,
    layout: str | None = None,
    seats: Sequence[SeatSpec] | None = None,
) -> Auditorium:
    """Replace an auditorium's seat map, keeping the identity of the seats that stay.

    Seats are matched by label: an active seat whose label is still on the map is
    updated in place (section, category, row, number, position, width, flags and
    companion: blocks made with `seat_block` give way to the map), so anything
    pointing at it stays valid. New labels become new seats. A seat no longer on the
    map is retired (`is_active=False`) if a show's inventory references it, deleted
    otherwise; sections left without any seat are deleted. Bumps `layout_version`.
    """
    # Parse before locking: the lock is held only for the writes.
    specs = _seat_specs(layout=layout, seats=seats)
    categories = _categories_for(specs)
    locked = _locked_auditorium(auditorium.pk)
    wanted = {spec.label for spec in specs}
    current = {seat.label: seat for seat in Seat.objects.filter(auditorium=locked, is_active=True)}
    retained = [seat for label, seat in current.items() if label in wanted]
    removed = [seat.pk for label, seat in current.items() if label not in wanted]

    if removed:
        referenced = set(
            Seat.objects.filter(pk__in=removed, show_seats__isnull=False)
            .order_by()
            .values_list("pk", flat=True)
            .distinct()
        )
        # A retired seat gives up its companion: companions are one-to-one, and the
        # seat may be the companion of a wheelchair place on the new map. Shows keep
        # their own copy of the pairing.
        Seat.objects.filter(pk__in=referenced).update(is_active=False, companion=None)
        Seat.objects.filter(pk__in=[pk for pk in removed if pk not in referenced]).delete()

    sections = _sections_for(locked, specs)
    # PostgreSQL checks unique indexes row by row during an UPDATE, so seats that swap
    # places (or companions) in one statement would collide midway. Park the staying
    # seats on distinct places off the map and unpair them first; the final update
    # then moves every seat onto a place nobody holds.
    for index, seat in enumerate(retained):
        seat.x, seat.y, seat.companion = index, _PARKING_Y, None
    Seat.objects.bulk_update(retained, ["x", "y", "companion"])

    specs_by_label = {spec.label: spec for spec in specs}
    for seat in retained:
        _seat_apply(seat, specs_by_label[seat.label], sections=sections, categories=categories)
    by_label = {seat.label: seat for seat in retained}
    created = Seat.objects.bulk_create(
        _seat_apply(
            Seat(auditorium=locked, label=spec.label),
            spec,
            sections=sections,
            categories=categories,
        )
        for spec in specs
        if spec.label not in current
    )
    by_label.update((seat.label, seat) for seat in created)
    _companions_link(specs, by_label)
    Seat.objects.bulk_update(
        [*retained, *(seat for seat in created if seat.companion is not None)], _SEAT_FIELDS
    )

    Section.objects.filter(auditorium=locked).exclude(name__in=sections.keys()).exclude(
        Exists(Seat.objects.filter(section=OuterRef("pk")))
    ).delete()
    _layout_version_bump(locked)
    return locked


@transaction.atomic
def auditorium_update(
    auditorium: Auditorium,
    *,
    name: str | None = None,
    cleaning_minutes: int | None = None,
    screen_y: int | None = None,
    is_active: bool | None = None,
) -> Auditorium:
    """Change an auditorium's name, cleaning time, screen position or activity.

    Arguments left None stay as they are. The seat map is not touched (see
    `auditorium_layout_replace`), so `layout_version` stays too.
    """
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = _auditorium_name(name)
    if cleaning_minutes is not None:
        _check_cleaning_minutes(cleaning_minutes)
        values["cleaning_minutes"] = cleaning_minutes
    if screen_y is not None:
        _check_screen_y(screen_y)
        values["screen_y"] = screen_y
    if is_active is not None:
        values["is_active"] = bool(is_active)
    locked = _locked_auditorium(auditorium.pk)
    changed = [field for field, value in values.items() if getattr(locked, field) != value]
    if not changed:
        return locked
    if "name" in changed:
        _check_auditorium_name_free(
            values["name"], venue_id=locked.venue_id, auditorium_id=locked.pk
        )
    cleaning_change = (
        values.get("cleaning_minutes", locked.cleaning_minutes) - locked.cleaning_minutes
    )
    for field in changed:
        setattr(locked, field, values[field])
    detail = f"This venue already has an auditorium named {locked.name!r}."
    with _unique_or_conflict("auditorium_name_unique_per_venue", VenueErrorCode.NAME_TAKEN, detail):
        locked.save(update_fields=[*changed, "updated_at"])
    if cleaning_change:
        _upcoming_busy_extend(locked, minutes=cleaning_change)
    cache_namespace_bump(PROGRAMME_CACHE)
    return locked


def _upcoming_busy_extend(auditorium: Auditorium, *, minutes: int) -> None:
    # Shows not yet started keep the screen busy `minutes` longer (or shorter); the
    # exclusion constraint refuses the change if that makes two of them overlap.
    try:
        with transaction.atomic():
            auditorium.shows.exclude(status="cancelled").filter(
                starts_at__gt=timezone.now()
            ).update(busy_until=F("busy_until") + timedelta(minutes=minutes))
    except IntegrityError as error:
        raise Conflict(
            VenueErrorCode.CLEANING_TIME_INVALID,
            "With that cleaning time some shows would overlap the next one; reschedule them first.",
        ) from error


@transaction.atomic
def seat_block(seat: Seat, *, blocked: bool) -> Seat:
    """Block a seat (never sold: a broken seat, a camera position) or unblock it.

    Bumps the auditorium's `layout_version` when the flag changes; asking for the state
    the seat is already in changes nothing. Retired seats are not on the map: NotFound.
    """
    auditorium = _locked_auditorium(seat.auditorium_id)
    locked = Seat.objects.select_for_update().filter(pk=seat.pk, is_active=True).first()
    if locked is None:
        raise NotFound(VenueErrorCode.SEAT_NOT_FOUND, f"No seat {seat.pk} on the map.")
    if locked.is_blocked == blocked:
        return locked
    locked.is_blocked = blocked
    locked.save(update_fields=["is_blocked"])
    _layout_version_bump(auditorium)
    return locked
