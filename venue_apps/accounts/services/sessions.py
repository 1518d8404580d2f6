"""Sessions of the API: issuing a token pair, signing one session out, and signing an
account out everywhere. The tokens themselves are `venue_apps.accounts.tokens`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from venue_apps.accounts.models import TokenDenial, User
from venue_apps.accounts.revocations import sessions_denied_record
from venue_apps.accounts.tokens import token_pair_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def session_start(user: User, *, second_factor: bool) -> TokenPair:
    """A new session of the API: a token pair bound to this chain, saying whether the
    holder gave a second factor (its `amr` claim)."""
    refresh = token_pair_for(user, second_factor=second_factor)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def user_tokens_revoke(user: User) -> int:
    """Sign the user out everywhere: every refresh token they hold is blacklisted."""
    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    revoked = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(revoked, ignore_conflicts=True)
    logger.info("user %s signed out everywhere: %s refresh tokens revoked", user.pk, len(revoked))
    return len(revoked)


@transaction.atomic
def session_end(refresh: Any, *, keys: list[str]) -> int:
    """Sign one session out (a validated refresh token and the deny-list keys of its
    session: `accounts.tokens.session_keys`). The refresh token is revoked, and access
    tokens naming any of `keys` are refused at once, until they would have expired
    anyway; the user's other sessions go on. Returns how many keys were denied."""
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
    sessions_denied_record(keys)  # every process refuses them at once, without a query
    # The list stays short: nothing outlives the access tokens it stops.
    TokenDenial.objects.filter(expires_at__lte=now).delete()
    logger.info("user %s signed out of one session", user_id)
    return len(keys)
