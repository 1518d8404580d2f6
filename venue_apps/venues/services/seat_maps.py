"""Auditoriums and their seat maps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from tenants.cache import PROGRAMME_CACHE, cache_namespace_bump
from tenants.error_codes import Conflict, DomainError, NotFound
from venue_apps.audit.services import audit_log, audit_snapshot
from venue_apps.venues.error_codes import VenueErrorCode
from venue_apps.venues.layout import (
    SeatSpec,
)
from venue_apps.venues.models import Auditorium, Seat, SeatCategory, Section, Venue
from venue_apps.venues.services._common import (
    _PARKING_Y,
    _SEAT_FIELDS,
    DEFAULT_CATEGORY_CODES,
    _auditorium_name,
    _check_auditorium_name_free,
    _check_cleaning_minutes,
    _check_screen_y,
    _companions_link,
    _layout_version_bump,
    _locked_auditorium,
    _seat_apply,
    _seat_specs,
    _sections_for,
    _unique_or_conflict,
)
from venue_apps.venues.services.venues import seat_categories_ensure_defaults

_AUDITORIUM_AUDIT_FIELDS = ("venue", "name", "cleaning_minutes", "screen_y", "is_active")


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
    actor: Any = None,
) -> Auditorium:
    """Create an auditorium with its seat map, given as text `layout` or as `seats`.

    Exactly one of the two (see venues.layout for the text format). Seat categories
    must exist, except the five defaults, which are created on first use. Sections
    are numbered in the order the map names them. Names are unique within the venue,
    ignoring case. A constant number of queries, whatever the size of the map.
    Audited as `auditorium.created`, with its number of seats.
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
    after = audit_snapshot(auditorium, _AUDITORIUM_AUDIT_FIELDS)
    audit_log(actor, "auditorium.created", auditorium, after={**after, "seats": len(created)})
    return auditorium


@transaction.atomic
def auditorium_layout_replace(
    auditorium: Auditorium,
    *,
    layout: str | None = None,
    seats: Sequence[SeatSpec] | None = None,
    actor: Any = None,
) -> Auditorium:
    """Replace an auditorium's seat map, keeping the identity of the seats that stay.

    Seats are matched by label: an active seat whose label is still on the map is
    updated in place (section, category, row, number, position, width, flags and
    companion: blocks made with `seat_block` give way to the map), so anything
    pointing at it stays valid. New labels become new seats. A seat no longer on the
    map is retired (`is_active=False`) if a show's inventory references it, deleted
    otherwise; sections left without any seat are deleted. Bumps `layout_version`.
    Audited as `auditorium.layout_replaced` (version and seat count before and after,
    and how many seats were added, retired and deleted).
    """
    # Parse before locking: the lock is held only for the writes.
    specs = _seat_specs(layout=layout, seats=seats)
    categories = _categories_for(specs)
    locked = _locked_auditorium(auditorium.pk)
    wanted = {spec.label for spec in specs}
    current = {seat.label: seat for seat in Seat.objects.filter(auditorium=locked, is_active=True)}
    retained = [seat for label, seat in current.items() if label in wanted]
    removed = [seat.pk for label, seat in current.items() if label not in wanted]

    referenced: set[int] = set()
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
    before = {"layout_version": locked.layout_version, "seats": len(current)}
    _layout_version_bump(locked)
    audit_log(
        actor,
        "auditorium.layout_replaced",
        locked,
        before,
        {"layout_version": locked.layout_version, "seats": len(specs)},
        added=len(created),
        retired=len(referenced),
        deleted=len(removed) - len(referenced),
    )
    return locked


@transaction.atomic
def auditorium_update(
    auditorium: Auditorium,
    *,
    name: str | None = None,
    cleaning_minutes: int | None = None,
    screen_y: int | None = None,
    is_active: bool | None = None,
    actor: Any = None,
) -> Auditorium:
    """Change an auditorium's name, cleaning time, screen position or activity.

    Arguments left None stay as they are. The seat map is not touched (see
    `auditorium_layout_replace`), so `layout_version` stays too. Audited as
    `auditorium.changed` with what changed.
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
    before = audit_snapshot(locked, changed)
    for field in changed:
        setattr(locked, field, values[field])
    detail = f"This venue already has an auditorium named {locked.name!r}."
    with _unique_or_conflict("auditorium_name_unique_per_venue", VenueErrorCode.NAME_TAKEN, detail):
        locked.save(update_fields=[*changed, "updated_at"])
    if cleaning_change:
        _upcoming_busy_extend(locked, minutes=cleaning_change)
    audit_log(actor, "auditorium.changed", locked, before, audit_snapshot(locked, changed))
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
def seat_block(seat: Seat, *, blocked: bool, actor: Any = None) -> Seat:
    """Block a seat (never sold: a broken seat, a camera position) or unblock it.

    Bumps the auditorium's `layout_version` when the flag changes; asking for the state
    the seat is already in changes nothing. Retired seats are not on the map: NotFound.
    Audited as `seat.blocked` or `seat.unblocked`.
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
    audit_log(
        actor,
        "seat.blocked" if blocked else "seat.unblocked",
        locked,
        {"is_blocked": not blocked},
        {"is_blocked": blocked},
        auditorium=auditorium.pk,
    )
    return locked
