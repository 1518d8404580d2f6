"""Reads of user accounts in the current schema."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from tenants.addresses import address_bucket
from tenants.cache import cached
from venue_apps.accounts.capabilities import Capability, role_may, roles_with
from venue_apps.accounts.models import (
    AccountSettings,
    OAuthClient,
    RecoveryCode,
    Role,
    SignInAddress,
    TokenDenial,
    TOTPDevice,
    User,
)
from venue_apps.accounts.signed_links import reset_link_user, verification_link_user

# The cache namespace of the chain's sign-in rules (bumped by account_settings_update).
ACCOUNTS_CACHE = "accounts"
# How long an address the account signed in from stays one it "usually" signs in from.
KNOWN_ADDRESS_DAYS = 90


def oauth_providers() -> list[dict[str, str]]:
    """The providers customers may sign in with at this chain, with the client id the
    storefront opens the provider's consent screen with (never the secret)."""
    return [
        {"provider": provider, "client_id": client_id}
        for provider, client_id in OAuthClient.objects.filter(enabled=True)
        .order_by("provider")
        .values_list("provider", "client_id")
    ]


def oauth_client(provider: str) -> OAuthClient | None:
    """The chain's enabled OAuth client at a provider, if it has one."""
    return OAuthClient.objects.filter(provider=provider, enabled=True).first()


def user_find_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=(email or "").strip()).first()


def staff_accounts() -> QuerySet[User]:
    """The chain's staff (everyone who may open the dashboard), closed accounts too:
    the people of its activity log, by name."""
    return User.objects.filter(role__in=roles_with(Capability.OPEN_DASHBOARD)).order_by(
        "name", "email"
    )


def owner_emails() -> list[str]:
    """The addresses of the current chain's active owners, for the platform's billing
    emails (`settings.BILLING_OWNER_EMAILS`; called in the chain's schema)."""
    return list(
        User.objects.filter(role=Role.OWNER, is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )


def another_active_owner_exists(user: User) -> bool:
    """Whether the chain keeps an owner if this account stops being one."""
    return User.objects.filter(role=Role.OWNER, is_active=True).exclude(pk=user.pk).exists()


def users_with_two_factor(users: QuerySet[User] | None = None) -> QuerySet[User]:
    """Users with `two_factor_on` (an authenticator app confirmed), in the same query:
    for lists of staff, which show it on every row."""
    apps = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return (users if users is not None else User.objects.all()).annotate(two_factor_on=Exists(apps))


def active_user(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def token_denied(keys: list[str]) -> bool:
    """Whether a signed-out session's deny list names any of these token keys."""
    return (
        bool(keys)
        and TokenDenial.objects.filter(jti__in=keys, expires_at__gt=timezone.now()).exists()
    )


def sign_in_address_known(user: User | None, address: str | None) -> bool:
    """Whether the account signed in from this address (an IPv6 client: its /64) lately."""
    bucket = address_bucket(address)
    if user is None or bucket is None:
        return False
    since = timezone.now() - timedelta(days=KNOWN_ADDRESS_DAYS)
    return SignInAddress.objects.filter(
        user=user, address=bucket, last_signed_in_at__gte=since
    ).exists()


# --- links ------------------------------------------------------------------------------


def email_verification_user(token: str) -> User:
    """Whose address an emailed link is for (DomainError if it is not a good link)."""
    return verification_link_user(token)


def password_reset_link_valid(uid: str, token: str) -> bool:
    """Whether a reset link still works (it stops once used: the token covers the hash)."""
    return reset_link_user(uid, token) is not None


# --- two factors ------------------------------------------------------------------------


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    """The user's authenticator app (confirmed, or the one being set up)."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=confirmed).first()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def two_factor_required(user: Any) -> bool:
    """Must this account sign in with a second factor? Platform staff by the platform's
    setting; a chain's staff by the chain's own rule (cached, read per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_chain_staff:
        return False
    if role_may(user.role, Capability.RUN_PLATFORM):
        return bool(settings.PLATFORM_STAFF_TWO_FACTOR)
    rule = cached(
        ACCOUNTS_CACHE, "staff_two_factor", lambda: AccountSettings.current().staff_two_factor
    )
    return AccountSettings(staff_two_factor=rule).requires_two_factor(user.role)
