"""Two-factor sign-in for staff: an authenticator app (TOTP) and its recovery codes,
and the chain's rule on who must use one. Enrolling, turning an app off and resetting
it end the account's sessions (`sessions.user_tokens_revoke`)."""

from __future__ import annotations

import base64
import io
import logging
import secrets
from typing import Any
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from tenants.cache import cache_namespace_bump
from tenants.crypto import seal
from tenants.error_codes import Conflict, DomainError
from tenants.queue import task_enqueue_on_commit
from venue_apps.accounts.capabilities import Capability, has_capability, role_may
from venue_apps.accounts.error_codes import AccountErrorCode
from venue_apps.accounts.models import (
    RECOVERY_CODE_LENGTH,
    AccountSettings,
    RecoveryCode,
    TOTPDevice,
    User,
    looks_like_recovery_code,
    totp_key_context,
)
from venue_apps.accounts.selectors import ACCOUNTS_CACHE, recovery_codes_left, totp_device
from venue_apps.accounts.services.sessions import user_tokens_revoke
from venue_apps.accounts.tasks import account_email_send
from venue_apps.audit.services import audit_log

logger = logging.getLogger(__name__)


@transaction.atomic
def totp_setup(user: User) -> tuple[TOTPDevice, str]:
    """Start enrolling an authenticator app: a new key (returned once, base32) on an
    unconfirmed device. With an app already on, it must be turned off first with one of
    its codes: whoever holds a session alone cannot swap in an app of their own."""
    if not user.is_chain_staff:
        raise DomainError(AccountErrorCode.OTP_NOT_FOR_CUSTOMERS, "Two factors are for staff.")
    if totp_device(user) is not None:
        raise Conflict(
            AccountErrorCode.OTP_ALREADY_ON,
            "Two-factor sign-in is on: turn it off with a current code first.",
        )
    key = secrets.token_bytes(20)
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(
        user=user,
        name="Authenticator app",
        confirmed=False,
        key_sealed=seal(key.hex(), context=totp_key_context(user.pk)),
    )
    return device, base64.b32encode(key).decode().rstrip("=")


def totp_enrolment_start(user: User, *, issuer: str) -> tuple[str, str, str]:
    """Start enrolling an app (`totp_setup`) and give what the user scans or types:
    the secret (base32), its otpauth URL, and that URL as a QR code (SVG, sized by the
    page that shows it)."""
    _, secret = totp_setup(user)
    uri = totp_provisioning_uri(user, secret, issuer=issuer or settings.OTP_TOTP_ISSUER)
    svg = io.BytesIO()
    segno.make(uri, error="m").save(svg, kind="svg", scale=4, xmldecl=False, omitsize=True)
    return secret, uri, svg.getvalue().decode()


def totp_provisioning_uri(user: User, secret: str, *, issuer: str) -> str:
    label = quote(f"{issuer}:{user.email}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&algorithm=SHA1&digits=6&period=30"


# The code is checked outside the changes' transaction: a wrong code must still count
# towards the device's back-off (a rollback would forget it).


def totp_confirm(user: User, *, code: str) -> tuple[TOTPDevice, list[str]]:
    """The first code from the app proves it was set up; the user's other sessions end
    (they were opened without the second factor). Returns the device and ten new
    recovery codes, which are shown this once."""
    device = totp_device(user, confirmed=False)
    if device is None:
        raise DomainError(AccountErrorCode.OTP_NOT_SET_UP, "Start the set-up first.")
    if not device.verify_token(code):
        raise DomainError(AccountErrorCode.OTP_INVALID, "That code is not right; try the next one.")
    with transaction.atomic():
        confirmed = TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True)
        if not confirmed:
            raise DomainError(AccountErrorCode.OTP_NOT_SET_UP, "Start the set-up first.")
        device.confirmed = True
        user_tokens_revoke(user)
        codes = recovery_codes_issue(user)
    return device, codes


def totp_disable(user: User, *, code: str) -> None:
    """Turn the app off with one of its codes, or with a recovery code (the phone is
    lost: then set up the new one). Every session ends: they were opened with the old
    app, and where the chain requires two factors the next sign-in leads to enrolment."""
    device = totp_device(user)
    if device is None:
        raise DomainError(AccountErrorCode.OTP_NOT_SET_UP, "Two factors are not on.")
    if not second_factor_verify(device, code):
        raise DomainError(AccountErrorCode.OTP_INVALID, "That code is not right.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        user_tokens_revoke(user)


@transaction.atomic
def totp_reset(user: User, *, actor: Any) -> bool:
    """An owner (or, on the platform, another platform staff member) removes the
    authenticator app of someone who lost their phone: they sign in with the password
    and enrol again. Their sessions end. Nobody resets their own: that needs a code.
    Audited as `two_factor.reset` when an app was removed."""
    if getattr(actor, "pk", None) == user.pk:
        raise DomainError(
            AccountErrorCode.STAFF_INVALID, "Turn off your own app with a current code."
        )
    if not has_capability(actor, Capability.MANAGE_STAFF):
        raise DomainError(AccountErrorCode.STAFF_INVALID, "Only owners reset two factors.")
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if removed:
        user_tokens_revoke(user)
        # On the platform (the public schema) there is no chain log: audit_log writes
        # nothing there.
        audit_log(actor, "two_factor.reset", user)
        logger.info("two-factor device of user %s removed by user %s", user.pk, actor.pk)
    return bool(removed)


def second_factor_verify(device: TOTPDevice, code: str) -> bool:
    """The app's current code, or one of the user's unused recovery codes."""
    if looks_like_recovery_code(code):
        if not device.verify_recovery_code(code):
            return False
        left = recovery_codes_left(device.user)
        logger.warning("user %s signed in with a recovery code; %s left", device.user_id, left)
        if not role_may(device.user.role, Capability.RUN_PLATFORM):
            task_enqueue_on_commit(account_email_send, device.user_id, "recovery_code_used")
        return True
    return device.verify_token(code)


# --- recovery codes -------------------------------------------------------------------------

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _recovery_code_new() -> str:
    while True:
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        if not raw.isdigit():  # never mistaken for an app's code
            return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_issue(user: User) -> list[str]:
    """Ten new one-use recovery codes in place of any earlier ones; returned this once,
    stored as password hashes."""
    codes = [_recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=make_password(code.replace("-", "")))
            for code in codes
        )
    return codes


def recovery_codes_regenerate(user: User, *, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), for a current code of the app."""
    device = totp_device(user)
    if device is None:
        raise DomainError(AccountErrorCode.OTP_NOT_SET_UP, "Two factors are not on.")
    if looks_like_recovery_code(code) or not device.verify_token(code):
        raise DomainError(AccountErrorCode.OTP_INVALID, "Enter a current code from the app.")
    return recovery_codes_issue(user)


# --- the chain's rule -------------------------------------------------------------------------


def account_settings_update(*, staff_two_factor: str) -> AccountSettings:
    """Which of the chain's staff must sign in with an authenticator app."""
    row = AccountSettings.current()
    row.staff_two_factor = staff_two_factor
    row.full_clean()
    row.save()
    cache_namespace_bump(ACCOUNTS_CACHE)
    return row
