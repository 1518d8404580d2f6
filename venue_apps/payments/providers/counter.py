"""The box office's counter: cash into a till, and the chain's own card terminal beside
it. Both are paid at once, in the request that sells, by a cashier who has the money
in hand (or saw the terminal approve): there is no gateway to call, no webhook and
nothing to ask later.

They sit behind the same interface as the gateways so that a counter sale moves
through the same code as an online one: `prepare` names the payment, `taken` is the
gateway event "captured" that `payments.services.events.event_apply` applies (the
ledger's capture, then the sale), and `refund` is money handed back at the counter
(the notes from the till, or a refund keyed into the terminal), which has happened by
the time it is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from venue_apps.payments.providers.base import (
    EventKind,
    GatewayEvent,
    PaymentProvider,
    PreparedPayment,
    ProviderRefused,
    RefundResult,
    SignatureInvalid,
)

if TYPE_CHECKING:
    from venue_apps.payments.models import Payment, Refund


class CounterProvider(PaymentProvider):
    """Money taken at the counter; `name` is the ledger's `funds:<name>` account."""

    method: str = "card"

    def prepare(self, payment: Payment, *, description: str, email: str) -> PreparedPayment:
        return PreparedPayment(reference=f"{self.name}_{payment.pk.hex}", client_data={})

    def taken(self, payment: Payment, *, terminal_reference: str = "") -> GatewayEvent:
        """The cashier took the payment's amount (or the terminal approved it)."""
        return GatewayEvent(
            event_id=f"{self.name}:{payment.pk}:taken",
            event_type=f"{self.name}.taken",
            kind=EventKind.PAYMENT_SUCCEEDED,
            reference=payment.gateway_reference,
            gateway_payment_id=terminal_reference[:100],
            amount=payment.amount,
            currency=payment.currency,
            method=self.method,
            payload={"shift": payment.shift_id, "terminal_reference": terminal_reference},
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        raise SignatureInvalid("The box office's counter sends no webhooks.")

    def fetch(self, payment: Payment) -> GatewayEvent:
        # Nothing to ask: what the counter took is what the books say.
        return GatewayEvent(
            event_id=f"{self.name}:{payment.pk}:fetch",
            event_type=f"{self.name}.fetch",
            kind=EventKind.IGNORED,
            reference=payment.gateway_reference,
            final=True,
        )

    def client_return(self, payment: Payment, data: Mapping[str, Any]) -> GatewayEvent:
        raise ProviderRefused("A counter payment has no payment page to return from.")

    def refund(self, refund: Refund, payment: Payment) -> RefundResult:
        # Paid out at the counter, from a shift, when it is recorded (the sale settles it
        # then); one decided without a cashier (a show cancelled) waits for the counter.
        if refund.shift_id is None:
            return RefundResult(reference="", status="pending")
        return RefundResult(reference=f"{self.name}_refund_{refund.pk.hex}", status="succeeded")


class CashProvider(CounterProvider):
    name = "cash"
    methods = ("cash",)
    method = "cash"


class CardTerminalProvider(CounterProvider):
    name = "card"
    methods = ("card",)
    method = "card"
