from enum import StrEnum


class TillErrorCode(StrEnum):
    TILL_NOT_FOUND = "till_not_found"
    SHIFT_NOT_FOUND = "shift_not_found"
    # GET /shifts/current/ for someone with no shift open.
    NO_OPEN_SHIFT = "no_open_shift"
    # Cash or card at the counter, or a counter refund, by someone with no shift open.
    SHIFT_REQUIRED = "shift_required"
    TILL_BUSY = "till_busy"
    SHIFT_ALREADY_OPEN = "shift_already_open"
    SHIFT_CLOSED = "shift_closed"
    NOT_YOUR_SHIFT = "not_your_shift"
    AMOUNT_INVALID = "amount_invalid"
