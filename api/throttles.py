"""Rate limits keyed by account where there is one, and generously by address.

A cinema's Wi-Fi or a mobile carrier puts many customers behind one address, so limits
per address are ceilings against floods, set far above what one person does; the
tight limits are per account (or per anonymous cart). Over a limit, DRF answers 429
with `Retry-After`.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from tenants.addresses import client_address

CART_HEADER = "HTTP_X_CART_ID"


__all__ = ["CART_HEADER", "client_address"]


class FreshRates:
    """Read the rate from the settings each time (DRF binds them once, at import, so
    settings changed afterwards, as in tests, would otherwise be ignored), and see the
    client's address as everything else here does (tenants.addresses)."""

    scope: str

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        return client_address(request) or "unknown"


class ClientThrottle(FreshRates, SimpleRateThrottle):
    """Per account, or per cart (else address) for anonymous clients. Subclasses set
    `scope`, whose rate is in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES."""

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"cart:{request.META.get(CART_HEADER) or self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressThrottle(FreshRates, SimpleRateThrottle):
    """A generous ceiling per address."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class HoldClientThrottle(ClientThrottle):
    scope = "hold_client"


class HoldAddressThrottle(AddressThrottle):
    scope = "hold_address"


class CheckoutClientThrottle(ClientThrottle):
    scope = "checkout_client"


class CheckoutAddressThrottle(AddressThrottle):
    scope = "checkout_address"


class AccountThrottle(FreshRates, SimpleRateThrottle):
    """Per account being signed in to (the email in the request), signed in or not: a
    password guessed from many addresses is still one account's limit."""

    def get_cache_key(self, request, view):
        data = getattr(request, "data", None)
        email = str(data.get("email") or "").strip().lower() if isinstance(data, dict) else ""
        if not email:
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"email:{email}"}


class LoginAccountThrottle(AccountThrottle):
    scope = "login_account"


class LoginAddressThrottle(AddressThrottle):
    scope = "login_address"


class RegisterAddressThrottle(AddressThrottle):
    scope = "register_address"


class EmailAccountThrottle(AccountThrottle):
    """Emails we send on request (password reset, verification) per account."""

    scope = "email_account"


class EmailAddressThrottle(AddressThrottle):
    scope = "email_address"


def account_limit(throttle_class: type[AccountThrottle], request, email: str) -> int | None:
    """A per-account limit outside DRF (the dashboards' login, the account pages):
    None when the attempt is allowed, else the seconds to wait. Counts the attempt."""
    from types import SimpleNamespace

    throttle = throttle_class()
    attempt = SimpleNamespace(data={"email": email}, META=request.META, user=None)
    if throttle.allow_request(attempt, None):
        return None
    return max(1, int(throttle.wait() or 1))
