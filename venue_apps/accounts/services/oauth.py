"""Customers' sign-in with Google and Facebook (`oauth_sign_in`), the steps of
social-auth's pipeline that link the provider's identity to an account
(`settings.SOCIAL_AUTH_PIPELINE`), and the chain's own OAuth clients. The adapter to
social-auth (strategy, backends) is `venue_apps.accounts.social_auth`.

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

import requests
from django.db import IntegrityError, transaction
from django.utils import timezone
from social_core.exceptions import AuthConnectionError, AuthException, AuthUnreachableProvider
from social_django.utils import load_backend, load_strategy

from tenants.crypto import hint, seal
from tenants.error_codes import Conflict, DomainError, NotFound
from venue_apps.accounts.capabilities import Capability, role_may
from venue_apps.accounts.error_codes import AccountErrorCode
from venue_apps.accounts.models import OAuthClient, Role, User
from venue_apps.accounts.selectors import oauth_client, user_find_by_email
from venue_apps.accounts.services.links import email_verification_send, unproven_identities_end
from venue_apps.accounts.social_auth import (
    BACKENDS,
    GOOGLE_TOKENINFO_URL,
    SignInRefused,
    client_secret_context,
)
from venue_apps.audit.services import audit_log, audit_snapshot

logger = logging.getLogger(__name__)


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
    one (a first client needs one). Audited as `oauth_client.keys_changed`: the client
    id, the secret's hint and whether it changed, never the secret (sealed or not)."""
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
    before = audit_snapshot(client, OAUTH_CLIENT_AUDIT_FIELDS) if client.pk else {}
    client.client_id = client_id
    if client_secret:
        client.client_secret_sealed = seal(
            client_secret.strip(), context=client_secret_context(provider)
        )
        client.client_secret_hint = hint(client_secret.strip())
    client.enabled = enabled
    client.save()
    audit_log(
        actor,
        "oauth_client.keys_changed",
        client,
        before,
        audit_snapshot(client, OAUTH_CLIENT_AUDIT_FIELDS),
        redact=("client_secret_sealed",),
    )
    return client


# The sealed secret changes with every new secret; audit_log stores it as redacted.
OAUTH_CLIENT_AUDIT_FIELDS = ("client_id", "client_secret_sealed", "client_secret_hint", "enabled")


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


# --- social-auth's pipeline (settings.SOCIAL_AUTH_PIPELINE) --------------------------------


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
        if not role_may(user.role, Capability.SIGN_IN_WITH_OAUTH):
            raise SignInRefused(backend, "Staff accounts sign in with their password.")
        return None
    existing = user_find_by_email(details["email"])
    if existing is None:
        return None
    if not role_may(existing.role, Capability.SIGN_IN_WITH_OAUTH):
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
    with transaction.atomic():
        user.set_unusable_password()
        user.email_verified_at = timezone.now()
        # Its sessions end with the password (accounts.receivers).
        user.save(update_fields=["password", "email_verified_at"])
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
        email_verification_send(created)
    return {"user": created, "is_new": True}
