"""A chain's gateway credentials, and the provider objects built from them.

Gateways give each account a test and a live set of keys; a chain may store both,
and its mode (test or live) picks which set is used. Keys are checked for shape and
for agreeing on their mode when entered, sealed with the schema, provider, mode and
purpose as context, and opened only to build a provider for one call. Only hints (kind
and last four characters) are ever shown back.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from tenants.crypto import hint, seal, unseal
from tenants.error_codes import DomainError, NotFound
from tenants.schemas import current_schema_name
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import COUNTER_PROVIDERS, GatewayAccount, PaymentSettings, Provider
from venue_apps.payments.providers import PROVIDER_CLASSES
from venue_apps.payments.providers.base import Credentials, PaymentProvider
from venue_apps.payments.services.audit import payments_audit

# What each gateway's keys look like.
_KEY_SHAPES: dict[tuple[str, str], str] = {
    (Provider.STRIPE, "public"): r"^pk_(test|live)_[A-Za-z0-9]{8,}$",
    (Provider.STRIPE, "secret"): r"^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$",
    (Provider.STRIPE, "webhook"): r"^whsec_[A-Za-z0-9+/=]{8,}$",
    (Provider.RAZORPAY, "public"): r"^rzp_(test|live)_[A-Za-z0-9]{6,}$",
    (Provider.RAZORPAY, "secret"): r"^[A-Za-z0-9]{12,64}$",
    (Provider.RAZORPAY, "webhook"): r"^\S{8,128}$",
}
_LABELS = {"public": "public key", "secret": "secret key", "webhook": "webhook secret"}


def gateway_secret_context(account: GatewayAccount, part: str) -> str:
    """The sealing context of one secret of a gateway account (also used by re-sealing)."""
    mode = "live" if account.live else "test"
    return f"{current_schema_name()}:payments.{account.provider}.{mode}.{part}"


def _checked(provider: str, part: str, value: str) -> str:
    value = (value or "").strip()
    if not re.match(_KEY_SHAPES[(provider, part)], value):
        raise DomainError(
            PaymentErrorCode.KEY_INVALID,
            f"That does not look like a {provider} {_LABELS[part]}.",
        )
    return value


def _mode_of(value: str) -> str | None:
    found = re.search(r"_(test|live)_", value)
    return found.group(1) if found else None


@transaction.atomic
def gateway_account_set(
    provider: str,
    *,
    public_key: str,
    secret_key: str | None = None,
    webhook_secret: str | None = None,
    is_active: bool = True,
    actor: Any = None,
) -> GatewayAccount:
    """Store a chain's test or live keys for a gateway (the public key says which).
    Empty secrets keep the stored ones. The test and live webhook secrets must differ
    (a webhook moves only the money of the mode whose secret verified it)."""
    if provider not in (Provider.STRIPE, Provider.RAZORPAY):
        raise DomainError(PaymentErrorCode.PROVIDER_UNKNOWN, f"No gateway {provider!r}.")
    public_key = _checked(provider, "public", public_key)
    live = _mode_of(public_key) == "live"
    account = (
        GatewayAccount.objects.select_for_update().filter(provider=provider, live=live).first()
    )
    if account is None:
        if not secret_key or not webhook_secret:
            raise DomainError(
                PaymentErrorCode.KEY_INVALID,
                "New keys need the secret key and the webhook secret too.",
            )
        account = GatewayAccount(provider=provider, live=live)
    account.public_key = public_key
    if secret_key:
        value = _checked(provider, "secret", secret_key)
        secret_mode = _mode_of(value)
        if secret_mode and secret_mode != ("live" if live else "test"):
            raise DomainError(
                PaymentErrorCode.KEY_WRONG_MODE,
                "The public key and the secret key are of different modes (test and live).",
            )
        account.secret_key_sealed = seal(
            value, context=gateway_secret_context(account, "secret_key")
        )
        account.secret_key_hint = hint(value)
    if webhook_secret:
        value = _checked(provider, "webhook", webhook_secret)
        other = GatewayAccount.objects.filter(provider=provider, live=not live).first()
        if other is not None and value == _webhook_secret(other):
            # Webhooks are told apart by the secret that verifies them: a test secret
            # (handed to developers) that is also the live one would move real money.
            raise DomainError(
                PaymentErrorCode.KEY_INVALID,
                "The test and live webhook secrets must differ.",
            )
        account.webhook_secret_sealed = seal(
            value, context=gateway_secret_context(account, "webhook_secret")
        )
        account.webhook_secret_hint = hint(value)
    account.is_active = is_active
    account.updated_by_id = getattr(actor, "pk", None)
    account.save()
    payments_audit(
        "gateway_keys_set",
        actor=actor,
        provider=provider,
        mode="live" if live else "test",
        public_key=account.public_key,
        secret_key_changed=bool(secret_key),
        webhook_secret_changed=bool(webhook_secret),
        is_active=is_active,
    )
    return account


def _webhook_secret(account: GatewayAccount) -> str:
    return unseal(
        account.webhook_secret_sealed, context=gateway_secret_context(account, "webhook_secret")
    )


def _credentials(account: GatewayAccount) -> Credentials:
    return Credentials(
        public_key=account.public_key,
        secret_key=unseal(
            account.secret_key_sealed, context=gateway_secret_context(account, "secret_key")
        ),
        webhook_secret=_webhook_secret(account),
    )


def gateway_account_for(provider: str, *, live: bool) -> GatewayAccount | None:
    return GatewayAccount.objects.filter(provider=provider, live=live, is_active=True).first()


def provider_for(name: str, *, settings: PaymentSettings | None = None) -> PaymentProvider:
    """The chain's provider `name` in its current mode, ready for one call.

    The sandbox exists in test mode only; Stripe and Razorpay need the chain's keys for
    the mode it is in. Raises NotFound (404) otherwise, so a live chain's sandbox does
    not exist at all. The counter (cash, card terminal) needs no keys and takes real
    money in either mode: notes in a till are nobody's test.
    """
    settings = settings or PaymentSettings.current()
    cls = PROVIDER_CLASSES.get(name)
    if cls is None:
        raise NotFound(PaymentErrorCode.PROVIDER_UNKNOWN, f"No payment provider {name!r}.")
    if name in COUNTER_PROVIDERS:
        return cls(Credentials(), schema=current_schema_name(), test_mode=False)
    if name == Provider.SANDBOX:
        if settings.live:
            raise NotFound(
                PaymentErrorCode.PROVIDER_UNAVAILABLE, "The sandbox is only there in test mode."
            )
        return cls(Credentials(), schema=current_schema_name(), test_mode=True)
    account = gateway_account_for(name, live=settings.live)
    if account is None:
        raise NotFound(
            PaymentErrorCode.PROVIDER_UNAVAILABLE,
            f"This chain does not take {name} payments in {settings.mode} mode.",
        )
    return cls(_credentials(account), schema=current_schema_name(), test_mode=not settings.live)


def provider_for_payment(payment: Any) -> PaymentProvider:
    """The provider with the keys of the mode the payment was made in, whatever mode
    the chain is in now: live money is refunded with live keys, test money with test
    keys (and test-mode sandbox payments stay refundable after going live)."""
    cls = PROVIDER_CLASSES.get(payment.provider)
    if cls is None:
        raise NotFound(
            PaymentErrorCode.PROVIDER_UNKNOWN, f"No payment provider {payment.provider!r}."
        )
    if payment.provider == Provider.SANDBOX:
        return cls(Credentials(), schema=current_schema_name(), test_mode=True)
    if payment.provider in COUNTER_PROVIDERS:
        return cls(Credentials(), schema=current_schema_name(), test_mode=payment.test_mode)
    account = gateway_account_for(payment.provider, live=not payment.test_mode)
    if account is None:
        mode = "test" if payment.test_mode else "live"
        raise NotFound(
            PaymentErrorCode.PROVIDER_UNAVAILABLE,
            f"No active {payment.provider} {mode} keys for this payment.",
        )
    return cls(_credentials(account), schema=current_schema_name(), test_mode=payment.test_mode)


def webhook_providers(name: str) -> list[PaymentProvider]:
    """Providers to verify a webhook with: the chain's current mode first, then the
    other mode's keys if it has them (gateways send test and live events to the same
    endpoint when a chain registers it in both). Each provider carries the mode its
    secret belongs to, and `event_apply` lets an event move only a payment or refund
    of that mode: a test secret never moves live money."""
    settings = PaymentSettings.current()
    first = provider_for(name, settings=settings)
    if name == Provider.SANDBOX:
        return [first]
    other = gateway_account_for(name, live=not settings.live)
    cls = PROVIDER_CLASSES[name]
    extra = (
        [cls(_credentials(other), schema=current_schema_name(), test_mode=settings.live)]
        if other
        else []
    )
    return [first, *extra]


def providers_usable(*, live: bool) -> set[str]:
    accounts = set(
        GatewayAccount.objects.filter(is_active=True, live=live).values_list("provider", flat=True)
    )
    return accounts if live else accounts | {Provider.SANDBOX.value}


def providers_available() -> list[dict[str, Any]]:
    """What the storefront may offer: each usable provider with its methods."""
    settings = PaymentSettings.current()
    return [
        {
            "provider": name,
            "methods": list(PROVIDER_CLASSES[name].methods),
            "test_mode": not settings.live,
            "default": name == settings.default_provider,
        }
        for name in sorted(providers_usable(live=settings.live))
    ]
