"""Signing in with a password, and the limits around it, for the API and both
dashboards alike.

Guessing is bounded three ways, and none of them is a limit a stranger can fill for
somebody else:

- per account and address: django-axes locks the pair out after `AXES_FAILURE_LIMIT`
  failed password checks (an IPv6 client counts per /64), wherever else the account's
  owner is;
- per address: a generous ceiling on sign-in requests of every kind
  (`api.throttles.LoginAddressThrottle`), which refuses only the sender's own address;
- per account, all addresses together: failed password checks (`login_account`,
  counted in the database). Once it is reached, sign-ins from addresses the account
  has not signed in from lately are refused before their password is checked: guessing
  spread over many addresses stops, and the owner still signs in where they usually
  do. Elsewhere they wait for the window to end, or reset the password (following the
  link makes that address one the account signs in from).

Only a failed password check counts. A request refused before its password is
checked (malformed, locked out, paused, over the per-address limit) counts for nothing.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from tenants.addresses import address_bucket, client_address
from venue_apps.accounts.error_codes import AccountErrorCode, TooManyRequests
from venue_apps.accounts.models import SignInAddress, User
from venue_apps.accounts.ratelimits import rate_counter_hit, rate_counter_peek, rate_setting

logger = logging.getLogger(__name__)

# How long an address the account signed in from stays one it "usually" signs in from.
KNOWN_ADDRESS_DAYS = 90

PAUSED_DETAIL = (
    "Too many failed sign-ins for this account lately. From a device or network it has "
    "not signed in from before, try again in {minutes} minutes, or reset the password."
)


def _failures_key(email: str) -> str:
    return f"sign-in-failures:{email}"


def _normalised(email: str) -> str:
    return str(email or "").strip().lower()[:254]


def sign_in_address_known(user: User | None, address: str | None) -> bool:
    """Whether the account signed in from this address (an IPv6 client: its /64) lately."""
    bucket = address_bucket(address)
    if user is None or bucket is None:
        return False
    since = timezone.now() - timedelta(days=KNOWN_ADDRESS_DAYS)
    return SignInAddress.objects.filter(
        user=user, address=bucket, last_signed_in_at__gte=since
    ).exists()


def _locked(retry_after: int) -> TooManyRequests:
    from venue_apps.accounts.lockout import LOCKED_DETAIL

    return TooManyRequests(
        AccountErrorCode.ACCOUNT_LOCKED,
        LOCKED_DETAIL.format(minutes=max(1, retry_after // 60)),
        retry_after=retry_after,
    )


def password_sign_in(request: Any, *, email: str, password: str) -> User | None:
    """Check an account's password: the user, or None for a wrong one (which counts
    against the account, per address with the lockout and account-wide).

    Raises TooManyRequests (429) before any password is checked, counting nothing, when the
    account is locked out from this address (`account_locked`) or has had too many
    failures lately and this address is not one it signs in from (`sign_in_paused`).
    """
    from axes.handlers.proxy import AxesProxyHandler

    from venue_apps.accounts.lockout import cooloff_seconds

    email = _normalised(email)
    address = client_address(request)
    if not AxesProxyHandler.is_allowed(request, {"email": email}):
        raise _locked(cooloff_seconds())
    rate = rate_setting("login_account")
    if rate is not None:
        verdict = rate_counter_peek(_failures_key(email), rate)
        if not verdict.allowed:
            account = User.objects.filter(email__iexact=email).first()
            if not sign_in_address_known(account, address):
                raise TooManyRequests(
                    AccountErrorCode.SIGN_IN_PAUSED,
                    PAUSED_DETAIL.format(minutes=max(1, -(-verdict.retry_after // 60))),
                    retry_after=verdict.retry_after,
                )
    # django-axes' backend asks about the lockout again, and counts a failure for the
    # pair (locking it out at the limit: this answer is still the failure's 401).
    user = authenticate(request, email=email, password=password)
    if user is not None:
        return user
    if rate is not None:
        rate_counter_hit(_failures_key(email), rate)
    return None


def sign_in_completed(user: User, *, address: str | None) -> None:
    """The user is in (the password and, where they have one, the second factor):
    remember the address as one the account signs in from, and forget those not
    used for KNOWN_ADDRESS_DAYS."""
    bucket = address_bucket(address)
    if bucket is None:
        return
    now = timezone.now()
    with transaction.atomic():
        SignInAddress.objects.update_or_create(
            user=user, address=bucket, defaults={"last_signed_in_at": now}
        )
        SignInAddress.objects.filter(
            user=user, last_signed_in_at__lt=now - timedelta(days=KNOWN_ADDRESS_DAYS)
        ).delete()
