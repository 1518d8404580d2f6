"""Constants and helpers shared by the venue services."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from tenants.error_codes import Conflict, DomainError, NotFound
from tenants.validators import timezone_canonical
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
            zone = timezone_canonical(str(value or ""))
            if zone is None:
                raise DomainError(
                    VenueErrorCode.TIMEZONE_INVALID,
                    f"{value!r} is not an IANA time zone (e.g. Asia/Kolkata).",
                )
            values[field] = zone
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
