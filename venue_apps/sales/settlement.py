"""Settlement: an order is paid, and what a gateway's answer does to the sale.

`order_paid` is the one way an order becomes paid, with money (a captured payment) or
without (an order a promo code made free): its seats are sold, the money (platform
fees, the ledger's sale) is booked when there is any, its tickets are issued in the
same transaction and emailed after it commits.

`payment_captured` and `payment_failed` are what payments hands over (through
`payments.services.handoff`) when a gateway reports on an attempt, inside payments'
transaction with the payment locked; they lock the order next (the lock order of
`tenants.locking`).
"""

from __future__ import annotations

from typing import Any

from tenants.selectors import tenant_current
from venue_apps.orders.models import Order, OrderLine
from venue_apps.orders.pricing import share
from venue_apps.orders.services import Fulfilment, order_end_unpaid, order_fulfil, order_locked
from venue_apps.payments.models import Payment, PaymentSettings, Refund
from venue_apps.payments.selectors import payments_live
from venue_apps.payments.services import fraud
from venue_apps.payments.services.attempts import payment_gateway_close_on_commit
from venue_apps.payments.services.ledger import ledger_sale
from venue_apps.sales.cancellation import refund_unfulfilled
from venue_apps.tickets.services import tickets_email_on_commit, tickets_issue


def order_paid(order: Order, *, payment: Payment | None = None, actor: Any = None) -> Fulfilment:
    """Sell the order's seats and mark it paid; book the payment's money if it was paid
    with any; issue its tickets now and email them after commit.

    The caller holds the order's lock (and the payment's) in its transaction. Nothing
    changes when the seats cannot be sold: the returned Fulfilment says why.
    """
    fulfilment = order_fulfil(order, actor=actor)
    if not fulfilment.sold:
        return fulfilment
    if payment is not None:
        _money_booked(order, payment)
    # Tickets in the same transaction as the sale; the email after it commits.
    tickets_issue(order)
    tickets_email_on_commit(order)
    return fulfilment


def _money_booked(order: Order, payment: Payment) -> None:
    tenant = tenant_current()
    lines = list(order.lines.filter(status=OrderLine.Status.SOLD))
    for line in lines:
        # Test-mode sales are nobody's money: the platform charges nothing for them.
        line.platform_fee = (
            0
            if payment.test_mode
            else min(
                line.total,
                tenant.platform_fee_per_ticket
                + share(line.total, tenant.platform_fee_basis_points),
            )
        )
    OrderLine.objects.bulk_update(lines, ["platform_fee"])
    payment.paid_order = True
    payment.save(update_fields=["paid_order"])
    ledger_sale(order, payment, lines)


def payment_captured(payment: Payment, *, amount: int, currency: str) -> str:
    """Captured money pays its order, or goes back: the wrong amount or refused by the
    fraud checks, an order already paid, test money for a live chain, or seats gone
    (a late payment). Returns a note for the event's log."""
    order = order_locked(payment.order_id)
    verdict = fraud.capture_check(
        payment, amount=amount, currency=currency, fingerprint=payment.card_fingerprint
    )
    if not verdict.allowed:
        reason = (
            Refund.Reason.AMOUNT_MISMATCH
            if verdict.reason == "amount_mismatch"
            else Refund.Reason.FRAUD
        )
        refund_unfulfilled(payment, order, reason=reason)
        return f"captured but refused ({verdict.reason}); refunding"
    if order.status == Order.Status.PAID:
        refund_unfulfilled(payment, order, reason=Refund.Reason.DUPLICATE_PAYMENT)
        return "captured for an order already paid; refunding"
    if payment.test_mode and payments_live():
        # A live chain's seats are never sold for test money (a test checkout paid
        # after the chain went live): the test money goes back, the seats stay on sale.
        refund_unfulfilled(payment, order, reason=Refund.Reason.TEST_MODE)
        return "captured test money after the chain went live; refunding"
    was_late = order.status != Order.Status.PENDING
    fulfilment = order_paid(order, payment=payment)
    if not fulfilment.sold:
        refund_unfulfilled(payment, order, reason=fulfilment.reason)
        return f"captured but {fulfilment.reason.replace('_', ' ')}; refunding"
    return "captured late; seats were still free; paid" if was_late else "captured; paid"


def payment_failed(payment: Payment, *, final: bool) -> str:
    """A declined or abandoned attempt (already marked failed by payments).

    A decline the customer may retry keeps the seats until the hold's time is up, so a
    retry, on the same attempt or a new one, pays normally. A final failure (the
    gateway closed the attempt, the customer gave up on the sandbox page, a fraud
    refusal) or too many failures ends the order and gives the seats back at once.
    """
    order = order_locked(payment.order_id)
    failures = Payment.objects.filter(order=order, status=Payment.Status.FAILED).count()
    other_attempts = (
        Payment.objects.filter(order=order, status=Payment.Status.PENDING)
        .exclude(pk=payment.pk)
        .exclude(gateway_reference="")
        .exists()
    )
    ends = final or failures >= PaymentSettings.current().failures_before_block
    if order.status != Order.Status.PENDING:
        return f"failed ({payment.failure_code}); the order is {order.status}"
    if other_attempts or not ends:
        return f"failed ({payment.failure_code}); the customer may try again"
    order_end_unpaid(order, status=Order.Status.CANCELLED, reason=Order.Reason.PAYMENT_FAILED)
    # So that nobody can still pay this attempt later (if they do, it is refunded).
    payment_gateway_close_on_commit(payment)
    return f"failed ({payment.failure_code}); seats released"
