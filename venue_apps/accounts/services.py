"""State changes of user accounts. Each runs in the schema of the current connection."""

from __future__ import annotations

import base64
import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from tenants.cache import cache_namespace_bump, cached
from tenants.crypto import hint, seal
from tenants.error_codes import Conflict, DomainError, NotFound
from tenants.queue import task_enqueue_on_commit
from tenants.schemas import current_schema_name
from venue_apps.accounts.error_codes import AccountErrorCode, TooManyRequests
from venue_apps.accounts.models import (
    RECOVERY_CODE_LENGTH,
    STAFF_ROLES,
    AccountSettings,
    OAuthClient,
    RecoveryCode,
    Role,
    TokenDenial,
    TOTPDevice,
    User,
    looks_like_recovery_code,
    roles_for_schema,
)
from venue_apps.accounts.selectors import another_active_owner_exists, user_find_by_email
from venue_apps.accounts.tasks import user_welcome_email_send

logger = logging.getLogger(__name__)


def _normalised_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise DomainError(AccountErrorCode.EMAIL_INVALID, "Enter a valid email address.") from error
    return email


def _checked_password(password: str, user: User) -> str:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise DomainError(AccountErrorCode.PASSWORD_INVALID, " ".join(error.messages)) from error
    return password


@transaction.atomic
def user_create(*, email: str, password: str, name: str = "", role: Role = Role.CUSTOMER) -> User:
    """Create an account in the current schema with the given role.

    The password goes through Django's validators; the email is stored lower-case and is
    unique per schema, ignoring case. The user manager derives dashboard access (Django
    admin) from the role.
    """
    if role not in roles_for_schema(current_schema_name()):
        raise DomainError(
            AccountErrorCode.ROLE_INVALID, f"The role {role!r} does not exist on this site."
        )
    email = _normalised_email(email)
    candidate = User(email=email, name=name.strip(), role=role)
    _checked_password(password, candidate)
    if user_find_by_email(email) is not None:
        raise Conflict(AccountErrorCode.EMAIL_TAKEN, "An account with this email already exists.")
    try:
        # A savepoint, so a concurrent registration that wins the unique index leaves
        # the surrounding transaction usable.
        with transaction.atomic():
            return User.objects.create_user(
                email,
                password,
                name=candidate.name,
                role=role,
            )
    except IntegrityError as error:
        raise Conflict(
            AccountErrorCode.EMAIL_TAKEN, "An account with this email already exists."
        ) from error


@transaction.atomic
def customer_register(*, email: str, password: str, name: str) -> User:
    """Self-service registration on a chain's storefront: always a customer.

    The welcome email goes out from a Celery task once the account is committed.
    """
    user = user_create(email=email, password=password, name=name, role=Role.CUSTOMER)
    task_enqueue_on_commit(user_welcome_email_send, user.pk)
    email_verification_send(user)
    return user


# --- sessions -------------------------------------------------------------------------


def unproven_identities_end(user: User) -> int:
    """Unlink the Google or Facebook identities of an account whose address was never
    proved (only Facebook links such an account: it does not vouch for addresses),
    when somebody proves the address. Returns how many were unlinked."""
    from social_django.models import UserSocialAuth

    deleted, _ = UserSocialAuth.objects.filter(user=user).delete()
    if deleted:
        logger.info(
            "identities of account %s linked before its address was proved removed", user.pk
        )
    return deleted


def user_tokens_revoke(user: User) -> int:
    """Sign the user out everywhere: every refresh token they hold is blacklisted."""
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    revoked = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(revoked, ignore_conflicts=True)
    return len(revoked)


@transaction.atomic
def session_end(refresh: Any, *, keys: list[str]) -> int:
    """Sign one session out (a validated refresh token and the deny-list keys of its
    session: `api.tokens.session_keys`). The refresh token is revoked, and access tokens
    naming any of `keys` are refused at once, until they would have expired anyway;
    the user's other sessions go on. Returns how many keys were denied."""
    from rest_framework_simplejwt.settings import api_settings as jwt_settings

    refresh.blacklist()
    now = timezone.now()
    leeway = jwt_settings.LEEWAY
    if not isinstance(leeway, timedelta):
        leeway = timedelta(seconds=leeway)
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] + leeway
    user_id = refresh[jwt_settings.USER_ID_CLAIM]
    if not User.objects.filter(pk=user_id).exists():
        keys = []  # the account is gone, and its tokens with it
    TokenDenial.objects.bulk_create(
        [TokenDenial(jti=key, user_id=user_id, expires_at=now + lifetime) for key in keys],
        ignore_conflicts=True,
    )
    # The list stays short: nothing outlives the access tokens it stops.
    TokenDenial.objects.filter(expires_at__lte=now).delete()
    logger.info("user %s signed out of one session", user_id)
    return len(keys)


# --- email verification and passwords ----------------------------------------------------

VERIFY_SALT = "accounts.verify-email"
VERIFY_MAX_AGE = 3 * 24 * 3600


class _ResetTokens(PasswordResetTokenGenerator):
    """Django's reset tokens (void once the password changes, or after
    PASSWORD_RESET_TIMEOUT), bound to the chain too."""

    key_salt = "venue_apps.accounts.password-reset"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{current_schema_name()}:{super()._make_hash_value(user, timestamp)}"


reset_tokens = _ResetTokens()


def email_verification_token(user: User) -> str:
    return signing.dumps(
        {"user": user.pk, "email": user.email, "schema": current_schema_name()},
        salt=VERIFY_SALT,
        compress=True,
    )


def email_verification_send(user: User) -> None:
    """Email a link that proves the address, after commit."""
    from venue_apps.accounts.tasks import account_email_send

    if not user.email_verified:
        task_enqueue_on_commit(account_email_send, user.pk, "verify_email")


def _verification_user(token: str, *, lock: bool = False) -> User:
    invalid = DomainError(AccountErrorCode.TOKEN_INVALID, "This link is invalid or has expired.")
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature as error:
        raise invalid from error
    if not isinstance(data, dict) or data.get("schema") != current_schema_name():
        raise invalid
    user_id = data.get("user")
    if not isinstance(user_id, int):
        raise invalid
    users = User.objects.select_for_update() if lock else User.objects.all()
    user = users.filter(pk=user_id, is_active=True).first()
    if user is None or user.email.lower() != str(data.get("email", "")).lower():
        raise invalid
    return user


def email_verification_user(token: str) -> User:
    """Whose address an emailed link is for (DomainError if it is not a good link)."""
    return _verification_user(token)


@transaction.atomic
def email_verify(token: str) -> User:
    """The owner of the address followed the emailed link and said the account is
    theirs: the address is proved."""
    user = _verification_user(token, lock=True)
    if not user.email_verified:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


@transaction.atomic
def email_verification_refused(token: str) -> User:
    """The owner of the address says they never signed up: somebody registered their
    address. That account's password stops working and its sessions end; the address
    stays unproved, so its owner can take the account with a reset link, or Google."""
    user = _verification_user(token, lock=True)
    if user.email_verified:
        raise DomainError(
            AccountErrorCode.TOKEN_INVALID, "This address was confirmed already; sign in instead."
        )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    user_tokens_revoke(user)
    unproven_identities_end(user)
    logger.info("unverified account %s disowned by the owner of its address", user.pk)
    return user


def password_reset_request(email: str, *, address: str | None) -> bool:
    """Email a reset link if such an account exists; say nothing either way (no
    address book for whoever probes the form). Returns whether an email goes out.

    Two limits keep an inbox from being flooded, and neither lets a stranger stop the
    account's owner from resetting: requests per account and address (`email_account`;
    TooManyRequests `throttled`, counted whether or not the account exists, so the
    answer says nothing), and emails per account from addresses it has not signed in
    from lately (`email_account_ceiling`): past that ceiling no new email goes out,
    but the answer is the same, and every link sent in the meantime (to the owner's
    inbox) still works.
    """
    from tenants.addresses import address_bucket
    from venue_apps.accounts.ratelimits import rate_counter_hit, rate_setting
    from venue_apps.accounts.sign_in import sign_in_address_known
    from venue_apps.accounts.tasks import account_email_send

    normal = _normalised_email(email)
    per_address = rate_setting("email_account")
    if per_address is not None:
        verdict = rate_counter_hit(
            f"reset-requests:{normal}:{address_bucket(address) or 'unknown'}", per_address
        )
        if not verdict.allowed:
            raise TooManyRequests(
                AccountErrorCode.THROTTLED,
                "Too many password reset requests for this address from here; try again later.",
                retry_after=verdict.retry_after,
            )
    user = user_find_by_email(email)
    if user is None or not user.is_active:
        return False
    ceiling = rate_setting("email_account_ceiling")
    if (
        ceiling is not None
        and not sign_in_address_known(user, address)
        and not rate_counter_hit(f"reset-emails:{normal}", ceiling).allowed
    ):
        logger.info("password reset email for user %s not sent: over the ceiling", user.pk)
        return False
    task_enqueue_on_commit(account_email_send, user.pk, "password_reset")
    return True


def password_reset_link_parts(user: User) -> tuple[str, str]:
    return urlsafe_base64_encode(force_bytes(user.pk)), reset_tokens.make_token(user)


def _reset_link_user(uid: str, token: str, *, lock: bool = False) -> User | None:
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        return None
    users = User.objects.select_for_update() if lock else User.objects.all()
    user = users.filter(pk=user_id, is_active=True).first()
    if user is None or not reset_tokens.check_token(user, token):
        return None
    return user


def password_reset_link_valid(uid: str, token: str) -> bool:
    """Whether a reset link still works (it stops once used: the token covers the hash)."""
    return _reset_link_user(uid, token) is not None


@transaction.atomic
def password_reset_confirm(
    *, uid: str, token: str, new_password: str, address: str | None = None
) -> User:
    """Set a new password from an emailed link; every session of the account ends.

    Whoever follows the link holds the mailbox: the address they follow it from becomes
    one the account signs in from, where a flood of failed sign-ins by somebody else
    never keeps them out (accounts.sign_in)."""
    from venue_apps.accounts.sign_in import sign_in_completed

    user = _reset_link_user(uid, token, lock=True)
    if user is None:
        raise DomainError(
            AccountErrorCode.TOKEN_INVALID, "This link is invalid, expired or already used."
        )
    _checked_password(new_password, user)
    user.set_password(new_password)
    # Following the link proved the address too, and whoever linked an identity to the
    # account before it was proved (Facebook) loses it.
    if not user.email_verified:
        unproven_identities_end(user)
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.save(update_fields=["password", "email_verified_at"])
    user_tokens_revoke(user)
    sign_in_completed(user, address=address)
    return user


@transaction.atomic
def password_change(user: User, *, old_password: str, new_password: str) -> User:
    """Change a password knowing the old one; every other session of the account ends."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password):
        raise DomainError(AccountErrorCode.PASSWORD_INVALID, "The current password is wrong.")
    _checked_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user_tokens_revoke(user)
    return user


# --- staff (the chain's owner) -----------------------------------------------------------


@transaction.atomic
def staff_create(*, email: str, role: Role, name: str = "", actor: Any = None) -> User:
    """A new staff account; they choose their password from an emailed link."""
    from venue_apps.accounts.tasks import account_email_send

    if role not in STAFF_ROLES or role == Role.PLATFORM_STAFF:
        raise DomainError(
            AccountErrorCode.STAFF_INVALID, "Staff are owners, managers, box office or scanners."
        )
    email = _normalised_email(email)
    if user_find_by_email(email) is not None:
        raise Conflict(AccountErrorCode.EMAIL_TAKEN, "An account with this email already exists.")
    try:
        with transaction.atomic():
            user = User.objects.create_user(email, None, name=name.strip()[:150], role=role)
    except IntegrityError as error:
        raise Conflict(
            AccountErrorCode.EMAIL_TAKEN, "An account with this email already exists."
        ) from error
    task_enqueue_on_commit(account_email_send, user.pk, "staff_welcome")
    return user


def owners_lock() -> None:
    """Two owners demoting each other at once must not leave the chain without one: a
    change that may end an owner locks the active owners' rows first, always in id
    order, and only then reads who else is an owner. Call inside a transaction."""
    list(
        User.objects.select_for_update()
        .filter(role=Role.OWNER, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def staff_update(
    user: User,
    *,
    actor: Any,
    role: Role | None = None,
    name: str | None = None,
    is_active: bool | None = None,
) -> User:
    """Change a staff member's role or name, or close the account (its sessions end)."""
    owners_lock()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role == Role.CUSTOMER:
        raise DomainError(AccountErrorCode.STAFF_INVALID, "Customers are not staff.")
    was_owner = user.role == Role.OWNER and user.is_active
    if role is not None:
        if role not in STAFF_ROLES or role == Role.PLATFORM_STAFF:
            raise DomainError(AccountErrorCode.STAFF_INVALID, f"{role!r} is not a staff role.")
        user.role = role
    if name is not None:
        user.name = name.strip()[:150]
    if is_active is not None:
        if not is_active and user.pk == getattr(actor, "pk", None):
            raise DomainError(AccountErrorCode.STAFF_INVALID, "You cannot close your own account.")
        user.is_active = is_active
    stays_owner = user.role == Role.OWNER and user.is_active
    if was_owner and not stays_owner and not another_active_owner_exists(user):
        raise DomainError(AccountErrorCode.STAFF_INVALID, "A chain keeps at least one owner.")
    user.save()
    if not user.is_active:
        user_tokens_revoke(user)
    return user


# --- two factors (staff) ------------------------------------------------------------------


def _totp_context(user: User) -> str:
    return f"{current_schema_name()}:accounts.totp.{user.pk}"


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


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
        key_sealed=seal(key.hex(), context=_totp_context(user)),
    )
    return device, base64.b32encode(key).decode().rstrip("=")


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
    and enrol again. Their sessions end. Nobody resets their own: that needs a code."""
    if getattr(actor, "pk", None) == user.pk:
        raise DomainError(
            AccountErrorCode.STAFF_INVALID, "Turn off your own app with a current code."
        )
    if actor.role not in (Role.OWNER, Role.PLATFORM_STAFF) or not actor.is_active:
        raise DomainError(AccountErrorCode.STAFF_INVALID, "Only owners reset two factors.")
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if removed:
        user_tokens_revoke(user)
        logger.info("two-factor device of user %s removed by user %s", user.pk, actor.pk)
    return bool(removed)


def second_factor_verify(device: TOTPDevice, code: str) -> bool:
    """The app's current code, or one of the user's unused recovery codes."""
    if looks_like_recovery_code(code):
        if not device.verify_recovery_code(code):
            return False
        left = recovery_codes_left(device.user)
        logger.warning("user %s signed in with a recovery code; %s left", device.user_id, left)
        if device.user.role != Role.PLATFORM_STAFF:
            from venue_apps.accounts.tasks import account_email_send

            task_enqueue_on_commit(account_email_send, device.user_id, "recovery_code_used")
        return True
    return device.verify_token(code)


def totp_checked(user: User, code: str | None) -> bool:
    """At sign-in: a user with an authenticator app must give its current code (or a
    recovery code). Returns whether a second factor was given."""
    device = totp_device(user)
    if device is None:
        return False
    if not code:
        raise DomainError(
            AccountErrorCode.OTP_REQUIRED,
            "Enter the code from your authenticator app.",
            status_code=401,
        )
    if not second_factor_verify(device, code):
        raise DomainError(AccountErrorCode.OTP_INVALID, "That code is not right.", status_code=401)
    return True


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


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- the chain's sign-in rules -----------------------------------------------------------------

ACCOUNTS_CACHE = "accounts"


def account_settings_update(*, staff_two_factor: str) -> AccountSettings:
    row = AccountSettings.current()
    row.staff_two_factor = staff_two_factor
    row.full_clean()
    row.save()
    cache_namespace_bump(ACCOUNTS_CACHE)
    return row


def two_factor_required(user: Any) -> bool:
    """Must this account sign in with a second factor? Platform staff by the platform's
    setting; a chain's staff by the chain's own rule (cached, read per request)."""
    if not getattr(user, "is_authenticated", False) or user.role not in STAFF_ROLES:
        return False
    if user.role == Role.PLATFORM_STAFF:
        return bool(settings.PLATFORM_STAFF_TWO_FACTOR)
    rule = cached(
        ACCOUNTS_CACHE, "staff_two_factor", lambda: AccountSettings.current().staff_two_factor
    )
    return AccountSettings(staff_two_factor=rule).requires_two_factor(user.role)


def totp_enrolment_start(user: User, *, issuer: str) -> tuple[str, str, str]:
    """Start enrolling an app (`totp_setup`) and give what the user scans or types:
    the secret (base32), its otpauth URL, and that URL as a QR code (SVG, sized by the
    page that shows it)."""
    import io

    import segno

    _, secret = totp_setup(user)
    uri = totp_provisioning_uri(user, secret, issuer=issuer or settings.OTP_TOTP_ISSUER)
    svg = io.BytesIO()
    segno.make(uri, error="m").save(svg, kind="svg", scale=4, xmldecl=False, omitsize=True)
    return secret, uri, svg.getvalue().decode()


def totp_provisioning_uri(user: User, secret: str, *, issuer: str) -> str:
    from urllib.parse import quote

    label = quote(f"{issuer}:{user.email}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&algorithm=SHA1&digits=6&period=30"


# --- OAuth clients (the chain's owner) and sign-in ------------------------------------------


@transaction.atomic
def oauth_client_set(
    provider: str,
    *,
    client_id: str,
    client_secret: str | None = None,
    enabled: bool = True,
    actor: Any = None,
) -> OAuthClient:
    """Store the chain's own OAuth client; an empty or omitted secret keeps the stored
    one (a first client needs one)."""
    from venue_apps.accounts.oauth import client_secret_context

    if provider not in OAuthClient.Provider.values:
        raise DomainError(AccountErrorCode.OAUTH_UNAVAILABLE, f"No provider {provider!r}.")
    client_id = (client_id or "").strip()
    if not 8 <= len(client_id) <= 255:
        raise DomainError(AccountErrorCode.OAUTH_UNAVAILABLE, "Enter the client id.")
    client = OAuthClient.objects.select_for_update().filter(provider=provider).first()
    if client is None:
        if not client_secret:
            raise DomainError(AccountErrorCode.OAUTH_UNAVAILABLE, "Enter the client secret too.")
        client = OAuthClient(provider=provider)
    client.client_id = client_id
    if client_secret:
        client.client_secret_sealed = seal(
            client_secret.strip(), context=client_secret_context(provider)
        )
        client.client_secret_hint = hint(client_secret.strip())
    client.enabled = enabled
    client.save()
    return client


def oauth_sign_in(
    request: Any,
    provider: str,
    *,
    access_token: str | None = None,
    code: str | None = None,
    redirect_uri: str | None = None,
) -> tuple[User, bool]:
    """Sign a customer in with Google or Facebook: (user, whether the account is new).

    Either an access token from the provider's SDK, or an authorization code and the
    redirect URI it was issued for. Raises DomainError with a reason when the provider
    refuses or when the identity cannot be linked.
    """
    import requests
    from social_core.exceptions import (
        AuthConnectionError,
        AuthException,
        AuthUnreachableProvider,
    )
    from social_django.utils import load_backend, load_strategy

    from venue_apps.accounts.oauth import BACKENDS, oauth_client

    if provider not in BACKENDS or oauth_client(provider) is None:
        raise NotFound(
            AccountErrorCode.OAUTH_UNAVAILABLE,
            f"This chain does not offer sign-in with {provider}.",
        )
    strategy = load_strategy(request)
    strategy.api_data = {"code": code} if code else {}
    backend = load_backend(strategy, BACKENDS[provider], redirect_uri=redirect_uri)
    try:
        with transaction.atomic():
            user = backend.do_auth(access_token) if access_token else backend.auth_complete()
    except IntegrityError as error:
        # The same identity signing in twice at the same moment: one made the account.
        raise Conflict(
            AccountErrorCode.OAUTH_FAILED, "Signed in from elsewhere at the same moment; try again."
        ) from error
    except (AuthConnectionError, AuthUnreachableProvider, requests.RequestException) as error:
        raise DomainError(
            AccountErrorCode.OAUTH_FAILED,
            f"{provider.title()} did not answer; try again.",
            status_code=502,
        ) from error
    except AuthException as error:
        raise DomainError(
            AccountErrorCode.OAUTH_REFUSED, str(error) or "Sign-in refused.", status_code=403
        ) from error
    if user is None or not user.is_active:
        raise DomainError(AccountErrorCode.OAUTH_REFUSED, "Sign-in refused.", status_code=403)
    return user, bool(getattr(user, "is_new", False))
