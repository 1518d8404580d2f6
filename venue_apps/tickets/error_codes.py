from enum import StrEnum


class TicketErrorCode(StrEnum):
    TICKET_NOT_FOUND = "ticket_not_found"
    TICKET_NOT_VALID = "ticket_not_valid"
    NO_SIGNING_KEY = "no_signing_key"
    TEMPLATE_INVALID = "template_invalid"
    # Sending an order's tickets by email or SMS.
    NO_TICKETS = "no_tickets"  # the order has no valid tickets (409)
    DESTINATION_MISSING = "destination_missing"  # no address or number given or known
    DESTINATION_INVALID = "destination_invalid"  # not an email address or a phone number
    SEND_LIMIT = "send_limit"  # sent too often in the last hour (429)


class CheckInCode(StrEnum):
    """Why a scan was admitted or refused; the scanner shows each differently."""

    ADMITTED = "admitted"
    MALFORMED = "malformed"  # not one of our codes at all
    OTHER_TENANT = "other_tenant"  # a ticket of another chain
    UNKNOWN_KEY = "unknown_key"  # signed with a key this chain never had
    FORGED = "forged"  # the signature does not match: made up or altered
    UNKNOWN_TICKET = "unknown_ticket"
    REVOKED = "revoked"  # cancelled, refunded, or replaced by a re-issued code
    WRONG_DAY = "wrong_day"
    WRONG_TIME = "wrong_time"  # the right day, but before the doors open or after the show
    WRONG_VENUE = "wrong_venue"
    ALREADY_USED = "already_used"
    TEST_TICKET = "test_ticket"  # issued in test mode; worthless once the chain is live
