"""State changes of venues, auditoriums and their seat maps, in the current schema.

Seat maps are written in bulk: creating or replacing a map costs a small number of
queries whatever its size. Changes of a map lock the auditorium row first, so two edits
of one map (or an edit and a seat being blocked) run one after the other.
"""

from venue_apps.venues.services._common import DEFAULT_CATEGORY_CODES, DEFAULT_SEAT_CATEGORIES
from venue_apps.venues.services.seat_maps import (
    auditorium_create,
    auditorium_layout_replace,
    auditorium_update,
    seat_block,
)
from venue_apps.venues.services.venues import (
    SEAT_CATEGORY_AUDIT_FIELDS,
    seat_categories_ensure_defaults,
    seat_category_create,
    seat_category_update,
    venue_create,
    venue_update,
)

__all__ = [
    "DEFAULT_CATEGORY_CODES",
    "DEFAULT_SEAT_CATEGORIES",
    "SEAT_CATEGORY_AUDIT_FIELDS",
    "auditorium_create",
    "auditorium_layout_replace",
    "auditorium_update",
    "seat_block",
    "seat_categories_ensure_defaults",
    "seat_category_create",
    "seat_category_update",
    "venue_create",
    "venue_update",
]
