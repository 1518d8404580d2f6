from enum import StrEnum

from tenants.error_codes import DomainError


class AccountErrorCode(StrEnum):
    EMAIL_TAKEN = "email_taken"
    EMAIL_INVALID = "email_invalid"
    PASSWORD_INVALID = "password_invalid"  # noqa: S105 - an error code, not a secret
    ROLE_INVALID = "role_invalid"
    TOKEN_INVALID = "token_invalid"  # noqa: S105 - an error code, not a secret
    OTP_REQUIRED = "otp_required"
    OTP_INVALID = "otp_invalid"
    OTP_NOT_FOR_CUSTOMERS = "otp_not_for_customers"
    OTP_NOT_SET_UP = "otp_not_set_up"
    OTP_ALREADY_ON = "otp_already_on"
    OAUTH_UNAVAILABLE = "oauth_unavailable"
    OAUTH_REFUSED = "oauth_refused"
    OAUTH_FAILED = "oauth_failed"
    ACCOUNT_LOCKED = "account_locked"
    # The account had too many failed sign-ins lately, and this address is new to it.
    SIGN_IN_PAUSED = "sign_in_paused"
    # Too many requests of this kind from this address for this account.
    THROTTLED = "throttled"
    STAFF_INVALID = "staff_invalid"
    # A wrong password, or no such active account (the words simplejwt always used).
    NO_ACTIVE_ACCOUNT = "no_active_account"
    # The account may not sign in here (the dashboards, the platform API).
    NOT_STAFF = "not_staff"
    NOT_FOUND = "account_not_found"


class TooManyRequests(DomainError):
    """A limit refused the request: 429, with the seconds to wait (the API answers them
    in `Retry-After`)."""

    status_code = 429

    def __init__(self, code: AccountErrorCode, detail: str, *, retry_after: int):
        super().__init__(code, detail)
        self.retry_after = max(1, int(retry_after))
