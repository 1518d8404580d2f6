from enum import StrEnum


class PaymentErrorCode(StrEnum):
    PROVIDER_UNKNOWN = "provider_unknown"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    GATEWAY_UNAVAILABLE = "gateway_unavailable"
    GATEWAY_REFUSED = "gateway_refused"
    KEY_INVALID = "key_invalid"
    KEY_WRONG_MODE = "key_wrong_mode"
    SIGNATURE_INVALID = "signature_invalid"
    # A webhook verified with one mode's secret (test or live) about the other mode's money.
    MODE_MISMATCH = "mode_mismatch"
    # An order made in one mode cannot be paid in the other (the chain changed mode).
    MODE_CHANGED = "mode_changed"
    PAYLOAD_INVALID = "payload_invalid"
    PAYMENT_NOT_FOUND = "payment_not_found"
    PAYMENT_NOT_PENDING = "payment_not_pending"
    OUTCOME_INVALID = "outcome_invalid"
    REFUND_INVALID = "refund_invalid"
    REFUND_TOO_LARGE = "refund_too_large"
    NOTHING_TO_REFUND = "nothing_to_refund"
    BUSY = "busy"
    # A chain that signed up itself waits for the platform's approval to go live (403).
    APPROVAL_REQUIRED = "approval_required"
