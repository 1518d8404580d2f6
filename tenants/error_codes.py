"""Domain errors: the base class every app raises, and the tenants app's own codes.

The API's exception handler turns a DomainError into `{"detail", "code"}` with its
status, so services never import HTTP code and views never invent reasons.
"""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    """A refusal a caller can act on: a stable `code`, a human `detail`, an HTTP status."""

    status_code = 400

    def __init__(
        self,
        code: StrEnum | str,
        detail: str,
        *,
        status_code: int | None = None,
        extra: dict | None = None,
    ):
        super().__init__(detail)
        self.code = str(code)
        self.detail = detail
        # More fields for the answer, e.g. the seats that were not available.
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class TenantErrorCode(StrEnum):
    SLUG_INVALID = "slug_invalid"
    SLUG_RESERVED = "slug_reserved"
    SLUG_TAKEN = "slug_taken"
    DOMAIN_INVALID = "domain_invalid"
    DOMAIN_TAKEN = "domain_taken"
    NAME_INVALID = "name_invalid"
    CURRENCY_INVALID = "currency_invalid"
    # The chain has orders or ledger entries in its currency (409).
    CURRENCY_LOCKED = "currency_locked"
    TIMEZONE_INVALID = "timezone_invalid"
    COLOUR_INVALID = "colour_invalid"
    LOCALE_INVALID = "locale_invalid"
    STOREFRONT_STYLE_INVALID = "storefront_style_invalid"
    HOLD_LIMIT_INVALID = "hold_limit_invalid"
    PLATFORM_FEE_INVALID = "platform_fee_invalid"
    OWNER_INVALID = "owner_invalid"
    STATUS_INVALID = "status_invalid"
    TENANT_NOT_FOUND = "tenant_not_found"
    TENANT_SUSPENDED = "tenant_suspended"
