"""The sandbox's hosted page: what the customer does on a gateway's checkout page.

- `approve`: the card is charged.
- `decline`: the card is refused. Like a declined card at Stripe's or Razorpay's
  checkout, this is not the end: the order stays pending and its seats stay held until
  the hold's time is up, and the customer can start another attempt
  (`POST /api/v1/orders/{id}/payments/`). Repeated declines end the order once the
  chain's `failures_before_block` is reached, as with any gateway.
- `cancel`: the customer gives up on the payment page. Final: the order is cancelled
  and its seats go back on sale at once.
- `late`: the order's time runs out first (the hold lapses and the order expires, as
  if the customer had been slow), then the card is charged: the late-payment rule
  decides whether the seats are still there.

What the page does is what a real gateway does: it records the outcome in the
sandbox's own books, then delivers a signed webhook to the chain, which is verified and
applied by the same code as Stripe's and Razorpay's.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tenants.error_codes import DomainError, NotFound
from tenants.schemas import current_schema_name
from venue_apps.inventory.models import Hold, ShowSeat
from venue_apps.orders.models import Order
from venue_apps.orders.services import order_end_unpaid
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import Payment, Provider, SandboxCharge
from venue_apps.payments.providers import sandbox
from venue_apps.payments.services.events import EventOutcome, webhook_receive
from venue_apps.payments.services.gateways import provider_for

OUTCOMES = ("approve", "decline", "cancel", "late")
# The sandbox's books after each outcome; "declined" is not final (reconciliation reads
# it as a failure the customer may still follow with another attempt), "cancelled" is.
_CHARGE_STATUS = {
    "approve": "succeeded",
    "late": "succeeded",
    "decline": "declined",
    "cancel": "cancelled",
}
_FAILURES = {
    "decline": ("card_declined", "The sandbox card was declined."),
    "cancel": ("payment_cancelled", "The customer cancelled the payment on the sandbox page."),
}


def _time_runs_out(order: Order) -> None:
    """The order's hold lapses now and the order expires, as if the customer were slow."""
    past = timezone.now() - timedelta(seconds=1)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status != Order.Status.PENDING:
            return
        ShowSeat.objects.filter(hold_id=order.hold_id, state="held").update(held_until=past)
        Hold.objects.filter(pk=order.hold_id).update(expires_at=past)
        order.expires_at = past
        order.save(update_fields=["expires_at"])
        order_end_unpaid(order, status=Order.Status.EXPIRED, reason=Order.Reason.TIME_UP)


def sandbox_pay(payment: Payment, *, outcome: str) -> EventOutcome:
    """Act out the customer's choice on the sandbox page and deliver its webhook."""
    provider_for(Provider.SANDBOX)  # 404 for a chain in live mode
    if payment.provider != Provider.SANDBOX:
        raise NotFound(PaymentErrorCode.PAYMENT_NOT_FOUND, "Not a sandbox payment.")
    if outcome not in OUTCOMES:
        raise DomainError(
            PaymentErrorCode.OUTCOME_INVALID, f"The outcome is one of {', '.join(OUTCOMES)}."
        )
    charge = SandboxCharge.objects.filter(reference=payment.gateway_reference).first()
    if charge is None:
        raise NotFound(PaymentErrorCode.PAYMENT_NOT_FOUND, "The sandbox has no such payment.")
    if charge.status != "pending":
        return EventOutcome("ignored", f"The sandbox payment is already {charge.status}.", payment)
    if outcome == "late":
        _time_runs_out(payment.order)
    succeeded = _CHARGE_STATUS[outcome] == "succeeded"
    SandboxCharge.objects.filter(pk=charge.pk, status="pending").update(
        status=_CHARGE_STATUS[outcome]
    )
    failure_code, failure_message = _FAILURES.get(outcome, ("", ""))
    body = sandbox.event_body(
        "payment.succeeded" if succeeded else "payment.failed",
        {
            "payment": charge.reference,
            "amount": charge.amount,
            "currency": charge.currency,
            "method": "card",
            "fingerprint": f"sbx_card_{payment.customer_id or payment.client_address or 'guest'}",
            "failure_code": failure_code,
            "failure_message": failure_message,
            # A declined card may be followed by another attempt; a cancelled page not.
            "final": outcome == "cancel",
        },
    )
    headers = {
        sandbox.SIGNATURE_HEADER: sandbox.sign(body, sandbox.webhook_secret(current_schema_name()))
    }
    return webhook_receive(Provider.SANDBOX, body, headers)
