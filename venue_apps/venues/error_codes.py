"""Why the venue services refuse: stable codes for venues, auditoriums and seat maps."""

from enum import StrEnum


class VenueErrorCode(StrEnum):
    VENUE_NOT_FOUND = "venue_not_found"
    AUDITORIUM_NOT_FOUND = "auditorium_not_found"
    SEAT_NOT_FOUND = "seat_not_found"
    NAME_TAKEN = "name_taken"
    NAME_INVALID = "name_invalid"
    ADDRESS_INVALID = "address_invalid"
    COUNTRY_INVALID = "country_invalid"
    TIMEZONE_INVALID = "timezone_invalid"
    COORDINATES_INVALID = "coordinates_invalid"
    CLEANING_TIME_INVALID = "cleaning_time_invalid"
    LAYOUT_INVALID = "layout_invalid"
    CATEGORY_UNKNOWN = "category_unknown"
    CATEGORY_INVALID = "category_invalid"
    CATEGORY_TAKEN = "category_taken"
