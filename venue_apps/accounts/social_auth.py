"""Customers' sign-in with Google and Facebook, through social-auth-app-django.

Each chain registers its own OAuth clients at Google and Facebook and enters them in its
dashboard (`OAuthClient`); `TenantStrategy` hands social-auth the current chain's
client instead of a global setting. The storefront does the browser part (the consent
screen, and checking its own `state`), then gives us either an access token it got
from the provider's SDK or an authorization code; we verify everything with the
provider and answer with our usual token pair.

How accounts are linked (social-auth's pipeline, `settings.SOCIAL_AUTH_PIPELINE`) and
the sign-in itself are services: `venue_apps.accounts.services.oauth`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import authenticate
from social_core.backends.facebook import FacebookOAuth2 as SocialFacebookOAuth2
from social_core.backends.google import GoogleOAuth2 as SocialGoogleOAuth2
from social_core.exceptions import AuthException
from social_django.strategy import DjangoStrategy

from tenants.crypto import unseal
from tenants.schemas import current_schema_name
from venue_apps.accounts.models import OAuthClient
from venue_apps.accounts.selectors import oauth_client

logger = logging.getLogger(__name__)

BACKENDS: dict[str, str] = {
    OAuthClient.Provider.GOOGLE: "google-oauth2",
    OAuthClient.Provider.FACEBOOK: "facebook",
}
GOOGLE_TOKENINFO_URL = "https://oauth2.googleapis.com/tokeninfo"
_CLIENT_SETTINGS = {
    "SOCIAL_AUTH_GOOGLE_OAUTH2_KEY": (OAuthClient.Provider.GOOGLE, "id"),
    "SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET": (OAuthClient.Provider.GOOGLE, "secret"),
    "SOCIAL_AUTH_FACEBOOK_KEY": (OAuthClient.Provider.FACEBOOK, "id"),
    "SOCIAL_AUTH_FACEBOOK_SECRET": (OAuthClient.Provider.FACEBOOK, "secret"),
}


class SignInRefused(AuthException):
    """A refusal with its reason for the customer (social-auth's own AuthForbidden
    always says "Your credentials aren't allowed")."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "Sign-in refused."


def client_secret_context(provider: str) -> str:
    return f"{current_schema_name()}:accounts.oauth.{provider}.client_secret"


class TenantStrategy(DjangoStrategy):
    """social-auth's strategy with the current chain's OAuth clients, and the API's
    request body as the provider's answer (the storefront posts it as JSON)."""

    api_data: dict[str, Any] | None = None

    def get_setting(self, name: str) -> Any:
        if name in _CLIENT_SETTINGS:
            provider, part = _CLIENT_SETTINGS[name]
            client = oauth_client(provider)
            if client is None:
                raise AttributeError(name)
            if part == "id":
                return client.client_id
            return unseal(client.client_secret_sealed, context=client_secret_context(provider))
        return super().get_setting(name)

    def authenticate(self, backend: Any, *args: Any, **kwargs: Any) -> Any:
        # Django's authenticate() with the request, so that the lockout backend (which
        # refuses to run without one) sees it like every other sign-in.
        kwargs.update(strategy=self, storage=self.storage, backend=backend)
        return authenticate(self.request, *args, **kwargs)

    def request_data(self, merge: bool = True) -> dict[str, Any]:
        if self.api_data is not None:
            return self.api_data
        return super().request_data(merge)


class GoogleOAuth2(SocialGoogleOAuth2):
    # The storefront checks its own `state` (and PKCE); we hold no browser session.
    STATE_PARAMETER = False


class FacebookOAuth2(SocialFacebookOAuth2):
    STATE_PARAMETER = False
