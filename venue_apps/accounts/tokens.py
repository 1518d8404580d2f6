"""JWTs bound to the schema that issued them (django-tenants #983).

Every token carries a `tenant` claim: the schema of the host that issued it, `public`
for platform staff. Verification compares it with the schema of the current request, so
a token from one chain is worthless at another chain and on the platform API, and a
platform token is worthless on every chain. The check lives in the token class itself,
so authentication, refresh and logout (blacklist) all apply it.

Every token also names its session (`sid`: the `jti` of the refresh token the sign-in
issued), kept through rotation and copied into each access token. Signing out puts the
session id on a short-lived deny list (accounts.TokenDenial), so that every access
token of that session stops working at once, and no other session's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from jwt.exceptions import InvalidSignatureError
from rest_framework_simplejwt import settings as jwt_settings
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken, Token

from tenants.schemas import current_schema_name
from venue_apps.accounts.revocations import account_stamp

TENANT_CLAIM = "tenant"
SESSION_CLAIM = "sid"
# What the API's hot path needs to know about the account without reading it: its role
# and `accounts.revocations.account_stamp` when the token was issued (or refreshed).
ROLE_CLAIM = "role"
STAMP_CLAIM = "acct"
WRONG_TENANT_MESSAGE = "Token was issued for another tenant."


class RotatingTokenBackend(TokenBackend):
    """simplejwt's backend, verifying with older keys too, so the signing key rotates
    without signing anyone out.

    It signs with SIGNING_KEY only. A token whose signature does not match it is tried
    against each of JWT_SIGNING_KEY_FALLBACKS in turn; any other failure (expired,
    malformed, another algorithm) is final at once. simplejwt verifies with one key
    only (its issue #608), hence this subclass.
    """

    def __init__(
        self,
        algorithm: str,
        signing_key: str,
        *,
        fallback_keys: tuple[str, ...] = (),
        **options: Any,
    ) -> None:
        super().__init__(algorithm, signing_key, **options)
        self.fallbacks = [TokenBackend(algorithm, key, **options) for key in fallback_keys]

    def decode(self, token, verify: bool = True) -> dict[str, Any]:
        try:
            return super().decode(token, verify=verify)
        except TokenBackendError as error:
            if not isinstance(error.__cause__, InvalidSignatureError):
                raise
            for fallback in self.fallbacks:
                try:
                    return fallback.decode(token, verify=verify)
                except TokenBackendError as other:
                    if not isinstance(other.__cause__, InvalidSignatureError):
                        raise
            raise


@lru_cache(maxsize=4)
def _token_backend(
    algorithm: str, signing_key: str, fallback_keys: tuple[str, ...], leeway: Any
) -> RotatingTokenBackend:
    return RotatingTokenBackend(
        algorithm,
        signing_key,
        audience=jwt_settings.api_settings.AUDIENCE,
        issuer=jwt_settings.api_settings.ISSUER,
        leeway=leeway,
        json_encoder=jwt_settings.api_settings.JSON_ENCODER,
        fallback_keys=fallback_keys,
    )


def token_backend() -> RotatingTokenBackend:
    """The backend for the current settings (simplejwt replaces its `api_settings`
    object when SIMPLE_JWT changes, so it is looked up on each call)."""
    current = jwt_settings.api_settings
    return _token_backend(
        current.ALGORITHM,
        current.SIGNING_KEY,
        tuple(settings.JWT_SIGNING_KEY_FALLBACKS),
        current.LEEWAY,
    )


if TYPE_CHECKING:
    _MixinBase = Token
else:
    _MixinBase = object


class TenantBoundTokenMixin(_MixinBase):
    def get_token_backend(self) -> TokenBackend:
        return token_backend()

    @classmethod
    def for_user(cls, user):
        token = super().for_user(user)
        token[TENANT_CLAIM] = current_schema_name()
        token[SESSION_CLAIM] = token["jti"]
        account_claims_set(token, user)
        return token

    def verify(self) -> None:
        super().verify()
        if self.payload.get(TENANT_CLAIM) != current_schema_name():
            raise TokenError(WRONG_TENANT_MESSAGE)


def account_claims_set(token: Token, user: Any) -> None:
    """Name the account's role and stamp in the token (see accounts.revocations)."""
    token[ROLE_CLAIM] = user.role
    token[STAMP_CLAIM] = account_stamp(user)


class TenantAccessToken(TenantBoundTokenMixin, AccessToken):
    pass


class TenantRefreshToken(TenantBoundTokenMixin, RefreshToken):
    access_token_class = TenantAccessToken


# How the holder signed in (RFC 8176): "pwd" alone, or "pwd" and "otp" when they gave
# a second factor. Copied into every access token and kept through rotation, so a
# chain that requires two factors can refuse tokens from a password alone.
AMR_CLAIM = "amr"


def token_pair_for(user, *, second_factor: bool) -> TenantRefreshToken:
    refresh = TenantRefreshToken.for_user(user)
    refresh[AMR_CLAIM] = ["pwd", "otp"] if second_factor else ["pwd"]
    return refresh


def second_factor_given(token) -> bool:
    """Whether the token (validated, or None) was issued after a second factor."""
    return token is not None and "otp" in (token.get(AMR_CLAIM) or ())


def session_keys(token) -> list[str]:
    """What a deny list entry may name for this token: its own `jti`, and its session's
    id (absent from tokens issued before sessions had ids)."""
    keys = [str(token.get("jti") or ""), str(token.get(SESSION_CLAIM) or "")]
    return [key for key in dict.fromkeys(keys) if key]
