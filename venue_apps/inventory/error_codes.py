from enum import StrEnum


class InventoryErrorCode(StrEnum):
    SHOW_NOT_SCHEDULED = "show_not_scheduled"
    NO_SEATS = "no_seats"
    PRICE_MISSING = "price_missing"
