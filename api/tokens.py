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

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tenants.schemas import current_schema_name

TENANT_CLAIM = "tenant"
SESSION_CLAIM = "sid"
WRONG_TENANT_MESSAGE = "Token was issued for another tenant."


class TenantBoundTokenMixin:
    @classmethod
    def for_user(cls, user):
        token = super().for_user(user)
        token[TENANT_CLAIM] = current_schema_name()
        token[SESSION_CLAIM] = token["jti"]
        return token

    def verify(self) -> None:
        super().verify()
        if self.payload.get(TENANT_CLAIM) != current_schema_name():
            raise TokenError(WRONG_TENANT_MESSAGE)


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
