from enum import StrEnum


class ShowErrorCode(StrEnum):
    SHOW_OVERLAP = "show_overlap"
    SHOW_INVALID = "show_invalid"
    SHOW_NOT_FOUND = "show_not_found"
    PRICE_MISSING = "price_missing"
    PRICE_CARD_INVALID = "price_card_invalid"
    SHOW_ON_SALE = "show_on_sale"
