from enum import StrEnum


class OrderErrorCode(StrEnum):
    HOLD_NOT_FOUND = "hold_not_found"
    HOLD_EXPIRED = "hold_expired"
    HOLD_NOT_ACTIVE = "hold_not_active"
    ORDER_EXISTS = "order_exists"
    ORDER_NOT_FOUND = "order_not_found"
    ORDER_NOT_PAID = "order_not_paid"
    ORDER_NOT_PENDING = "order_not_pending"
    SEATS_UNAVAILABLE = "seats_unavailable"
    PRICE_MISSING = "price_missing"
    SHOW_NOT_ON_SALE = "show_not_on_sale"
    EMAIL_REQUIRED = "email_required"
    PROMO_INVALID = "promo_invalid"
    PROMO_EXPIRED = "promo_expired"
    PROMO_NOT_APPLICABLE = "promo_not_applicable"
    PROMO_USED_UP = "promo_used_up"
    PROMO_SIGN_IN = "promo_sign_in_required"
    REFUND_INVALID = "refund_invalid"
    CANCELLATION_CLOSED = "cancellation_closed"
    CANCELLATION_NOT_OFFERED = "cancellation_not_offered"
    SHOW_STARTED = "show_started"
    POLICY_INVALID = "policy_invalid"
    ORDER_TOO_LARGE = "order_too_large"
    # The box office's lookup: too short, too long, or with control characters.
    SEARCH_INVALID = "search_invalid"
