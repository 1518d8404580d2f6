from enum import StrEnum


class InventoryErrorCode(StrEnum):
    SHOW_NOT_SCHEDULED = "show_not_scheduled"
    NO_SEATS = "no_seats"
    PRICE_MISSING = "price_missing"
    SHOW_NOT_FOUND = "show_not_found"
    NOT_ON_SALE = "show_not_on_sale"
    SALES_CLOSED = "sales_closed"
    OWNER_MISSING = "owner_missing"
    HOLDS_LIMIT = "holds_limit"
    HOLD_INVALID = "hold_invalid"
    HOLD_NOT_FOUND = "hold_not_found"
    SEATS_UNAVAILABLE = "seats_unavailable"
    SEATS_UNKNOWN = "seats_unknown"
