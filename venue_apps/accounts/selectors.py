"""Reads of user accounts in the current schema."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from venue_apps.accounts.models import OAuthClient, Role, TokenDenial, TOTPDevice, User


def oauth_providers() -> list[dict[str, str]]:
    """The providers customers may sign in with at this chain, with the client id the
    storefront opens the provider's consent screen with (never the secret)."""
    return [
        {"provider": provider, "client_id": client_id}
        for provider, client_id in OAuthClient.objects.filter(enabled=True)
        .order_by("provider")
        .values_list("provider", "client_id")
    ]


def user_find_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=(email or "").strip()).first()


def another_active_owner_exists(user: User) -> bool:
    """Whether the chain keeps an owner if this account stops being one."""
    return User.objects.filter(role=Role.OWNER, is_active=True).exclude(pk=user.pk).exists()


def users_with_two_factor(users: QuerySet[User] | None = None) -> QuerySet[User]:
    """Users with `two_factor_on` (an authenticator app confirmed), in the same query:
    for lists of staff, which show it on every row."""
    apps = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return (users if users is not None else User.objects.all()).annotate(two_factor_on=Exists(apps))


def token_denied(keys: list[str]) -> bool:
    """Whether a signed-out session's deny list names any of these token keys."""
    return (
        bool(keys)
        and TokenDenial.objects.filter(jti__in=keys, expires_at__gt=timezone.now()).exists()
    )
