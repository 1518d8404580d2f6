from enum import StrEnum


class WaitingRoomErrorCode(StrEnum):
    # A hold during an active queue without a valid admission of the caller's (403).
    QUEUE_REQUIRED = "queue_required"
    # A ticket that is not this show's, or not the caller's (404).
    TICKET_INVALID = "ticket_invalid"
    # Too many anonymous places from one address (429).
    ADDRESS_LIMIT = "queue_address_limit"
    # Redis, which keeps the queue, cannot be reached: book directly (503).
    QUEUE_UNAVAILABLE = "queue_unavailable"
    SETTINGS_INVALID = "queue_settings_invalid"
    SHOW_NOT_FOUND = "show_not_found"
