"""JWTs bound to the schema that issued them (django-tenants #983).

Every token carries a `tenant` claim: the schema of the host that issued it, `public`
for platform staff. Verification compares it with the schema of the current request, so
a token from one chain is worthless at another chain and on the platform API, and a
platform token is worthless on every chain. The check lives in the token class itself,
so authentication, refresh and logout (blacklist) all apply it.
"""

from __future__ import annotations

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tenants.schemas import current_schema_name

TENANT_CLAIM = "tenant"
WRONG_TENANT_MESSAGE = "Token was issued for another tenant."


class TenantBoundTokenMixin:
    @classmethod
    def for_user(cls, user):
        token = super().for_user(user)
        token[TENANT_CLAIM] = current_schema_name()
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
