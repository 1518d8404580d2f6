from enum import StrEnum


class SaleErrorCode(StrEnum):
    CANCELLATION_NOT_FOUND = "cancellation_not_found"
