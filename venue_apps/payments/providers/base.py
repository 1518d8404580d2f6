"""The one interface every payment gateway sits behind.

A provider speaks its gateway's SDK and translates what it hears into `GatewayEvent`s:
webhooks, the customer's return from the payment page, and answers to "what is the
state of this payment now?" (reconciliation) all become the same events, which one
service (`payments.services.events`) applies. So a late webhook, a reconciliation and
a sandbox click move a payment through exactly the same code.

`prepare` never moves money. Secrets reach a provider as arguments, never from
settings, and are never logged.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from venue_apps.payments.models import Payment, Refund


class EventKind(StrEnum):
    PAYMENT_SUCCEEDED = "payment_succeeded"  # money captured
    PAYMENT_AUTHORIZED = "payment_authorized"  # approved, to be captured by us
    PAYMENT_FAILED = "payment_failed"  # declined, cancelled or abandoned at the gateway
    REFUND_SUCCEEDED = "refund_succeeded"
    REFUND_FAILED = "refund_failed"
    IGNORED = "ignored"  # nothing we act on (still pending, or an event type we skip)


@dataclass(frozen=True)
class GatewayEvent:
    """Something a gateway says about one payment (or one of its refunds)."""

    event_id: str
    event_type: str
    kind: EventKind
    # Our Payment.gateway_reference: the Stripe PaymentIntent, the Razorpay order.
    reference: str = ""
    gateway_payment_id: str = ""
    amount: int | None = None
    currency: str = ""
    method: str = ""
    card_fingerprint: str = ""
    refund_reference: str = ""
    # Our Refund.id when the gateway echoes it back (metadata / notes).
    refund_id: str = ""
    failure_code: str = ""
    failure_message: str = ""
    # The gateway will never take money for this attempt any more (cancelled there).
    final: bool = False
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PreparedPayment:
    reference: str
    # Safe to hand to the customer's browser.
    client_data: dict[str, Any]
    # Lets the browser confirm the payment (Stripe): shown to the order's owner only.
    client_secret: str = ""


@dataclass(frozen=True)
class RefundResult:
    reference: str
    status: str  # "succeeded", "pending" or "failed"
    failure: str = ""


class ProviderError(Exception):
    """The gateway could not be reached or failed (network, 5xx, rate limit): try again."""


class ProviderRefused(Exception):
    """The gateway refused the request (bad key, invalid request): trying again won't help."""


class SignatureInvalid(Exception):
    """A webhook whose signature does not verify with the chain's secret."""


@dataclass(frozen=True)
class Credentials:
    public_key: str = ""
    secret_key: str = ""
    webhook_secret: str = ""


class PaymentProvider(ABC):
    """A gateway, configured with one chain's credentials."""

    name: ClassVar[str]
    # The methods customers can pay with through this gateway.
    methods: ClassVar[tuple[str, ...]] = ("card",)

    def __init__(self, credentials: Credentials, *, schema: str, test_mode: bool):
        self.credentials = credentials
        self.schema = schema
        self.test_mode = test_mode

    @abstractmethod
    def prepare(self, payment: Payment, *, description: str, email: str) -> PreparedPayment:
        """Create the gateway's object for this payment. Never moves money; safe to
        repeat (the payment's id is the idempotency key)."""

    @abstractmethod
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        """Verify a webhook with the chain's secret and translate it.
        Raises SignatureInvalid for a forged or altered one."""

    @abstractmethod
    def fetch(self, payment: Payment) -> GatewayEvent:
        """Ask the gateway for the payment's state now (reconciliation)."""

    @abstractmethod
    def client_return(self, payment: Payment, data: Mapping[str, Any]) -> GatewayEvent:
        """The customer is back from paying; verify what their browser says with the
        gateway itself, never trusting the browser."""

    @abstractmethod
    def refund(self, refund: Refund, payment: Payment) -> RefundResult:
        """Send money back. Idempotent per refund: repeating it never refunds twice."""

    def capture(self, payment: Payment, amount: int) -> GatewayEvent:
        """Capture an authorized payment (gateways that authorize first)."""
        raise ProviderRefused(f"{self.name} captures automatically.")

    def cancel(self, payment: Payment) -> None:  # noqa: B027 - optional for a gateway
        """Make an unpaid payment unpayable at the gateway, where the gateway allows it."""
