"""Signing in with a password: the one service the API, the platform API and both
dashboards call (`password_sign_in`). It runs, in this order: the lockout and the
account's ceiling on failures (which refuse before any password is checked), the
password, who may sign in where, the second factor, and then the session: a token
pair for the API, or what the dashboard's Django session needs.

Guessing is bounded three ways, and none of them is a limit a stranger can fill for
somebody else:

- per account and address: django-axes locks the pair out after `AXES_FAILURE_LIMIT`
  failed password checks (an IPv6 client counts per /64), wherever else the account's
  owner is (`venue_apps.accounts.lockout`);
- per address: a generous ceiling on sign-in requests of every kind
  (`api.throttles.LoginAddressThrottle`), which refuses only the sender's own address;
- per account, all addresses together: failed password checks (`login_account`,
  counted in the database, `venue_apps.accounts.ratelimits`). Once it is reached,
  sign-ins from addresses the account has not signed in from lately are refused before
  their password is checked: guessing spread over many addresses stops, and the owner
  still signs in where they usually do. Elsewhere they wait for the window to end, or
  reset the password (following the link makes that address one the account signs in
  from).

Only a failed password check counts. A request refused before its password is
checked (malformed, locked out, paused, over the per-address limit) counts for nothing.

The chain's audit log (the owners' activity log) gets staff accounts' sign-ins, each
with the address: `sign_in.succeeded` (the user the actor), `sign_in.failed` (a wrong
password or second-factor code; no actor, the account the target) and
`sign_in.locked_out` (the failure that locked the account out from that address).
Customers' sign-ins are left out: there are many of them and they would flood the
staff's log. So are emails that match no account: anyone can send any address, so
logging them would let a stranger fill the log with made-up names; they are still
counted by the lockout and the limits above. A refusal while locked out, before any
password is checked, is not logged either: the lockout row already says so. The
password is never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from tenants.addresses import address_bucket, client_address
from tenants.error_codes import DomainError
from tenants.schemas import in_public_schema
from venue_apps.accounts.capabilities import Capability, role_may
from venue_apps.accounts.error_codes import AccountErrorCode, TooManyRequests
from venue_apps.accounts.lockout import LOCKED_DETAIL, cooloff_seconds
from venue_apps.accounts.models import SignInAddress, TOTPDevice, User
from venue_apps.accounts.ratelimits import rate_counter_hit, rate_counter_peek, rate_setting
from venue_apps.accounts.selectors import (
    KNOWN_ADDRESS_DAYS,
    sign_in_address_known,
    totp_device,
    user_find_by_email,
)
from venue_apps.accounts.services.sessions import TokenPair, session_start
from venue_apps.accounts.services.two_factor import second_factor_verify
from venue_apps.audit.services import audit_log

PAUSED_DETAIL = (
    "Too many failed sign-ins for this account lately. From a device or network it has "
    "not signed in from before, try again in {minutes} minutes, or reset the password."
)
# simplejwt's own words for a wrong password, which the API has always answered.
NO_ACTIVE_ACCOUNT_DETAIL = "No active account found with the given credentials"


@dataclass(frozen=True)
class SignedIn:
    user: User
    # The authenticator app whose code (or a recovery code) was given, if the user has one.
    device: TOTPDevice | None
    # The API's new session; None for a dashboard, which keeps a Django session instead.
    tokens: TokenPair | None


def password_sign_in(
    request: Any,
    *,
    email: str,
    password: str,
    code: str | None = None,
    dashboard: bool = False,
) -> SignedIn:
    """Sign in with an email, a password and, for an account with an authenticator
    app, its current code or a recovery code (`code`).

    Refusals, each a DomainError:
    - 429 `account_locked` (this account from this address, django-axes) or
      `sign_in_paused` (too many failures for the account lately, and this address is
      not one it signs in from): before the password is checked, counting nothing;
    - 401 `no_active_account`: a wrong password or no such active account (counted
      against the account, per address and account-wide);
    - `not_staff`: the account may not sign in here (the dashboards: staff only; the
      platform API: platform staff only), before its second factor is asked for;
    - 401 `otp_required` or `otp_invalid`: the second factor is missing or wrong.

    Once in, the address becomes one the account signs in from, and the API's caller
    gets a token pair (`tokens`) saying whether a second factor was given.
    """
    user = _password_checked(request, email=email, password=password)
    if user is None:
        raise DomainError(
            AccountErrorCode.NO_ACTIVE_ACCOUNT, NO_ACTIVE_ACCOUNT_DETAIL, status_code=401
        )
    _may_sign_in_here(user, dashboard=dashboard)
    device = _second_factor_checked(user, code, address=client_address(request))
    sign_in_completed(user, address=client_address(request))
    if _audited(user):
        audit_log(
            user,
            "sign_in.succeeded",
            user,
            address=client_address(request),
            dashboard=dashboard,
            second_factor=device is not None,
        )
    if dashboard:
        return SignedIn(user=user, device=device, tokens=None)
    tokens = session_start(user, second_factor=device is not None)
    if jwt_settings.UPDATE_LAST_LOGIN:
        update_last_login(type(user), user)
    return SignedIn(user=user, device=device, tokens=tokens)


def _password_checked(request: Any, *, email: str, password: str) -> User | None:
    """Check an account's password: the user, or None for a wrong one (which counts
    against the account, per address with the lockout and account-wide). Raises
    TooManyRequests before any password is checked, counting nothing, when the account
    is locked out from this address or paused for addresses new to it."""
    email = _normalised(email)
    address = client_address(request)
    if not AxesProxyHandler.is_allowed(request, {"email": email}):
        raise _locked(cooloff_seconds())
    rate = rate_setting("login_account")
    if rate is not None:
        verdict = rate_counter_peek(_failures_key(email), rate)
        if not verdict.allowed and not sign_in_address_known(user_find_by_email(email), address):
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
    account = user_find_by_email(email)
    if account is not None and _audited(account):
        audit_log(None, "sign_in.failed", account, address=address, step="password")
        if not AxesProxyHandler.is_allowed(request, {"email": email}):
            audit_log(None, "sign_in.locked_out", account, address=address)
    return None


def _audited(user: User) -> bool:
    # The chain's staff only: customers' sign-ins would flood the owners' log.
    return role_may(user.role, Capability.OPEN_DASHBOARD)


def _may_sign_in_here(user: User, *, dashboard: bool) -> None:
    # The dashboards take staff only (Django admin's `is_staff`, which follows the
    # role); the platform's API takes platform staff only.
    if dashboard:
        if not user.is_staff:
            raise DomainError(AccountErrorCode.NOT_STAFF, "Only staff sign in here.")
    elif in_public_schema() and not role_may(user.role, Capability.RUN_PLATFORM):
        detail = "Only platform staff sign in here."
        raise DomainError(
            AccountErrorCode.NOT_STAFF, detail, extra={"errors": {"non_field_errors": [detail]}}
        )


def _second_factor_checked(
    user: User, code: str | None, *, address: str | None
) -> TOTPDevice | None:
    """A user with an authenticator app must give its current code (or a recovery
    code): the app, or None for a user without one."""
    device = totp_device(user)
    if device is None:
        return None
    if not code:
        raise DomainError(
            AccountErrorCode.OTP_REQUIRED,
            "Enter the code from your authenticator app.",
            status_code=401,
        )
    if not second_factor_verify(device, code):
        if _audited(user):
            audit_log(None, "sign_in.failed", user, address=address, step="second_factor")
        raise DomainError(AccountErrorCode.OTP_INVALID, "That code is not right.", status_code=401)
    return device


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


def _failures_key(email: str) -> str:
    return f"sign-in-failures:{email}"


def _normalised(email: str) -> str:
    return str(email or "").strip().lower()[:254]


def _locked(retry_after: int) -> TooManyRequests:
    return TooManyRequests(
        AccountErrorCode.ACCOUNT_LOCKED,
        LOCKED_DETAIL.format(minutes=max(1, retry_after // 60)),
        retry_after=retry_after,
    )
