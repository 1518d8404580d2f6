"""The platform's own payment account, which charges chains for their invoices.

Two implementations behind one small interface, picked by `settings.PLATFORM_PAYMENTS`:

- `stripe`: the platform's Stripe account (`PLATFORM_STRIPE_SECRET_KEY`), through the
  official SDK with a `StripeClient` of its own (never the global `stripe.api_key`,
  which the chains' own Stripe code must not share). A card is saved with a Checkout
  Session in "setup" mode: the owner types the card at Stripe, and we keep only the
  customer and payment method ids and a label ("Visa •••• 4242"). An invoice is charged
  off-session with a PaymentIntent confirmed at once, under an idempotency key per
  invoice and attempt, so a charge repeated after a crash is the same charge.
- `sandbox` (the default, the demo): no network; a test card number is "saved" as a
  sandbox id, and 4242 4242 4242 4242 pays while 4000 0000 0000 0002 is declined.

A charge never raises: a decline, an authentication the owner must give, or Stripe being
unreachable are all a failed `ChargeResult` with a code and a message for the owner.
Keys are never logged or put in messages.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

import stripe
from django.conf import settings

from tenants.error_codes import DomainError

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20
NETWORK_RETRIES = 2

SANDBOX_CARDS = {
    "4242424242424242": "ok",
    "4000000000000002": "declines",
}


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    reference: str = ""
    failure_code: str = ""
    failure_message: str = ""


@dataclass(frozen=True)
class SavedCard:
    customer: str
    payment_method: str
    label: str


@dataclass(frozen=True)
class CardSetup:
    """Where to send the owner to type a card, and the customer it will be saved to."""

    redirect_url: str
    customer: str


class PlatformGateway(Protocol):
    name: str

    def charge(
        self,
        *,
        customer: str,
        payment_method: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> ChargeResult:
        """Charge a saved card now, off-session. Never raises."""
        ...


def _label(brand: str, last4: str) -> str:
    return f"{(brand or 'card').title()} •••• {last4}"[:40]


class SandboxGateway:
    """The demo's account: no network, test card numbers only."""

    name = "sandbox"

    def card_save(self, number: str) -> SavedCard:
        digits = "".join(ch for ch in (number or "") if ch.isdigit())
        if digits not in SANDBOX_CARDS:
            raise DomainError(
                "card_invalid",
                "Use a sandbox test card: 4242 4242 4242 4242 pays, "
                "4000 0000 0000 0002 is declined.",
            )
        last4 = digits[-4:]
        return SavedCard(
            customer=f"sbx_cus_{secrets.token_hex(6)}",
            payment_method=f"sbx_pm_{last4}_{secrets.token_hex(6)}",
            label=_label("visa", last4),
        )

    def charge(
        self,
        *,
        customer: str,
        payment_method: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> ChargeResult:
        if not payment_method.startswith("sbx_pm_"):
            return ChargeResult(
                False,
                failure_code="card_unknown",
                failure_message=("The saved card is not a sandbox card; add a card again."),
            )
        if payment_method.startswith("sbx_pm_0002_"):
            return ChargeResult(
                False, failure_code="card_declined", failure_message="Your card was declined."
            )
        return ChargeResult(True, reference=f"sbx_ch_{secrets.token_hex(8)}")


class StripeGateway:
    """The platform's Stripe account, with the secret key from the environment."""

    name = "stripe"

    def __init__(self, secret_key: str) -> None:
        self._secret_key = secret_key

    def _client(self) -> stripe.StripeClient:
        if not self._secret_key:
            raise DomainError(
                "platform_payments_unconfigured",
                "The platform's Stripe account is not configured.",
                status_code=503,
            )
        return stripe.StripeClient(
            self._secret_key,
            max_network_retries=NETWORK_RETRIES,
            http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        )

    def charge(
        self,
        *,
        customer: str,
        payment_method: str,
        amount: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: dict[str, str],
    ) -> ChargeResult:
        try:
            intent = (
                self._client()
                .v1.payment_intents.create(
                    params={
                        "amount": amount,
                        "currency": currency.lower(),
                        "customer": customer,
                        "payment_method": payment_method,
                        "off_session": True,
                        "confirm": True,
                        "description": description[:350],
                        "metadata": metadata,
                    },
                    options={"idempotency_key": idempotency_key},
                )
                .to_dict()
            )
        except stripe.CardError as error:
            return ChargeResult(
                False,
                reference=_intent_id_of(error),
                failure_code=(error.code or "card_error")[:64],
                failure_message=(error.user_message or "Your card was declined.")[:255],
            )
        except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
            logger.warning("platform charge: Stripe unavailable (%s)", type(error).__name__)
            return ChargeResult(
                False,
                failure_code="gateway_unavailable",
                failure_message="The payment service could not be reached; we will try again.",
            )
        except (stripe.StripeError, DomainError) as error:
            logger.warning("platform charge: refused (%s)", type(error).__name__)
            message = getattr(error, "user_message", None) or "The payment was refused."
            return ChargeResult(
                False,
                failure_code=(getattr(error, "code", None) or "charge_refused")[:64],
                failure_message=str(message)[:255],
            )
        if intent.get("status") == "succeeded":
            return ChargeResult(True, reference=intent.get("id", ""))
        if intent.get("status") == "requires_action":
            return ChargeResult(
                False,
                reference=intent.get("id", ""),
                failure_code="authentication_required",
                failure_message="Your bank asks you to confirm this payment: pay it from "
                "the dashboard's billing page.",
            )
        return ChargeResult(
            False,
            reference=intent.get("id", ""),
            failure_code=f"intent_{intent.get('status', 'unknown')}"[:64],
            failure_message="The payment did not complete.",
        )

    def card_setup_start(
        self,
        *,
        customer: str,
        tenant_slug: str,
        tenant_name: str,
        email: str,
        success_url: str,
        cancel_url: str,
    ) -> CardSetup:
        """A Checkout Session in setup mode for the chain's Stripe customer (made first
        if the chain has none yet). `success_url` gets `?session_id=...`."""
        client = self._client()
        try:
            if not customer:
                customer = client.v1.customers.create(
                    params={
                        "name": tenant_name[:250],
                        "email": email,
                        "metadata": {"tenant": tenant_slug},
                    },
                    options={"idempotency_key": f"platform-customer-{tenant_slug}"},
                ).id
            params: Any = {
                "mode": "setup",
                "customer": customer,
                "payment_method_types": ["card"],
                "success_url": success_url + "?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": cancel_url,
                "metadata": {"tenant": tenant_slug},
            }
            session = client.v1.checkout.sessions.create(params=params)
        except stripe.StripeError as error:
            logger.warning("platform card setup: Stripe refused (%s)", type(error).__name__)
            raise DomainError(
                "card_setup_failed", "The payment service could not start; try again."
            ) from error
        return CardSetup(redirect_url=session.url or "", customer=customer)

    def card_setup_finish(self, session_id: str, *, customer: str, tenant_slug: str) -> SavedCard:
        """The card the owner saved in a completed Checkout Session of this chain."""
        refused = DomainError("card_setup_failed", "That card setup is not complete.")
        if not session_id.startswith("cs_") or not customer:
            raise refused
        try:
            session = (
                self._client()
                .v1.checkout.sessions.retrieve(
                    session_id, params={"expand": ["setup_intent.payment_method"]}
                )
                .to_dict()
            )
        except stripe.StripeError as error:
            raise refused from error
        intent: dict[str, Any] = session.get("setup_intent") or {}
        method: dict[str, Any] = intent.get("payment_method") or {}
        if (
            session.get("customer") != customer
            or (session.get("metadata") or {}).get("tenant") != tenant_slug
            or intent.get("status") != "succeeded"
            or not method.get("id")
        ):
            raise refused
        card = method.get("card") or {}
        return SavedCard(
            customer=customer,
            payment_method=method["id"],
            label=_label(card.get("brand", ""), card.get("last4", "????")),
        )


def _intent_id_of(error: stripe.StripeError) -> str:
    body: Any = error.json_body or {}
    intent = (body.get("error") or {}).get("payment_intent") or {}
    return intent.get("id", "") if isinstance(intent, dict) else ""


def platform_gateway() -> SandboxGateway | StripeGateway:
    """The platform's payment account as the environment configures it."""
    if settings.PLATFORM_PAYMENTS == "stripe":
        return StripeGateway(settings.PLATFORM_STRIPE_SECRET_KEY)
    return SandboxGateway()
