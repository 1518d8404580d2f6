"""Customers' sign-in with Google and Facebook, through social-auth-app-django.

Each chain registers its own OAuth clients at Google and Facebook and enters them in its
dashboard (`OAuthClient`); `TenantStrategy` hands social-auth the current chain's
client instead of a global setting. The storefront does the browser part (the consent
screen, and checking its own `state`), then gives us either an access token it got
from the provider's SDK or an authorization code; we verify everything with the
provider and answer with our usual token pair.

Accounts are linked by verified email only, and only customers' accounts: Google must
say the address is verified, a Google token must have been issued to this chain's
client (not to some other app the customer once signed in to), and Facebook calls carry
the app-secret proof. A local account that never proved its address is taken over by
Google's proof: its password is made unusable, its sessions revoked and any identity
linked to it while unproven removed, so that whoever registered somebody else's address
beforehand loses it.

Facebook never says whether it confirmed an address, so its email proves nothing here:
a Facebook sign-in never enters an account that already uses the address (its owner
signs in with the password), and an account it creates keeps its address unproven (we
email the link that proves it). Whoever proves that address later (the link, a reset
link, Google) ends the Facebook identity's access, unless it was them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from social_core.backends.facebook import FacebookOAuth2 as SocialFacebookOAuth2
from social_core.backends.google import GoogleOAuth2 as SocialGoogleOAuth2
from social_core.exceptions import AuthException
from social_django.strategy import DjangoStrategy

from tenants.crypto import unseal
from tenants.schemas import current_schema_name
from venue_apps.accounts.models import OAuthClient, Role, User

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


def oauth_client(provider: str) -> OAuthClient | None:
    return OAuthClient.objects.filter(provider=provider, enabled=True).first()


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
        from django.contrib.auth import authenticate

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


# --- the pipeline (settings.SOCIAL_AUTH_PIPELINE) ---------------------------------------


def token_meant_for_us(backend, response: dict[str, Any], *args: Any, **kwargs: Any) -> None:
    """A Google access token must have been issued to this chain's client: a token the
    customer once gave another app must not sign them in here."""
    if backend.name != BACKENDS[OAuthClient.Provider.GOOGLE]:
        return
    info = backend.get_json(GOOGLE_TOKENINFO_URL, params={"access_token": response["access_token"]})
    client_id, _ = backend.get_key_and_secret()
    if client_id not in (info.get("aud"), info.get("azp")):
        logger.warning("Google sign-in with a token issued to another client refused")
        raise SignInRefused(backend, "This Google token was not issued for this chain.")


def email_verified_required(
    backend, details: dict[str, Any], response: dict[str, Any], *args: Any, **kwargs: Any
) -> None:
    email = (details.get("email") or "").strip()
    if not email:
        raise SignInRefused(backend, "The provider did not share an email address.")
    if backend.name == BACKENDS[OAuthClient.Provider.GOOGLE] and response.get(
        "email_verified"
    ) not in (True, "true"):
        raise SignInRefused(backend, "Google has not verified this email address.")
    # Facebook says nothing either way: its address is taken as unproven (below).


def _proves_address(backend) -> bool:
    """Whether the provider vouches for the address: Google does (checked above);
    Facebook does not say."""
    return backend.name == BACKENDS[OAuthClient.Provider.GOOGLE]


def customer_by_verified_email(
    strategy, details: dict[str, Any], backend, user=None, *args: Any, **kwargs: Any
) -> dict[str, Any] | None:
    """Link the provider's identity to the chain's account with the same address."""
    if user is not None:
        if user.role != Role.CUSTOMER:
            raise SignInRefused(backend, "Staff accounts sign in with their password.")
        return None
    existing = User.objects.filter(email__iexact=details["email"].strip()).first()
    if existing is None:
        return None
    if existing.role != Role.CUSTOMER:
        raise SignInRefused(backend, "Staff accounts sign in with their password.")
    if not existing.is_active:
        raise SignInRefused(backend, "This account is closed.")
    if not _proves_address(backend):
        logger.warning(
            "%s sign-in refused: its address belongs to account %s", backend.name, existing.pk
        )
        raise SignInRefused(
            backend,
            "An account here already uses this email address. Sign in with its password "
            "(or reset the password) instead.",
        )
    if not existing.email_verified:
        _take_over_unproven(existing)
    return {"user": existing, "is_new": False}


def _take_over_unproven(user: User) -> None:
    from venue_apps.accounts.services import unproven_identities_end, user_tokens_revoke

    with transaction.atomic():
        user.set_unusable_password()
        user.email_verified_at = timezone.now()
        user.save(update_fields=["password", "email_verified_at"])
        user_tokens_revoke(user)
        unproven_identities_end(user)
    logger.info("account %s taken over by a provider-verified sign-in", user.pk)


def customer_created(
    strategy, details: dict[str, Any], backend, user=None, *args: Any, **kwargs: Any
) -> dict[str, Any] | None:
    if user is not None:
        return None
    email = details["email"].strip().lower()
    name = (details.get("fullname") or "").strip()[:150]
    created = User.objects.create_user(email, None, name=name, role=Role.CUSTOMER)
    if _proves_address(backend):
        created.email_verified_at = timezone.now()
        created.save(update_fields=["email_verified_at"])
    else:
        from venue_apps.accounts.services import email_verification_send

        email_verification_send(created)
    return {"user": created, "is_new": True}
