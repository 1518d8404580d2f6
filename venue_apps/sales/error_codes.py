from enum import StrEnum


class SaleErrorCode(StrEnum):
    CANCELLATION_NOT_FOUND = "cancellation_not_found"
    # Cash or the card terminal by anyone but box office staff, or after the sale.
    COUNTER_STAFF_ONLY = "counter_staff_only"
