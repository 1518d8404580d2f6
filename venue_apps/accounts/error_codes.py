from enum import StrEnum


class AccountErrorCode(StrEnum):
    EMAIL_TAKEN = "email_taken"
    EMAIL_INVALID = "email_invalid"
    PASSWORD_INVALID = "password_invalid"  # noqa: S105 - an error code, not a secret
    ROLE_INVALID = "role_invalid"
