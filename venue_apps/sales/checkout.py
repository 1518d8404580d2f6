"""Checkout: a hold becomes an order and a payment attempt at one of the chain's gateways.

The order and the payment row are committed before the gateway is called (payments'
`payment_prepare`), so a gateway that answers slowly or not at all never holds a
database lock. Orders with nothing to pay (a 100 % promo code) are paid at once, through
the same `settlement.order_paid` as a captured payment.

At the counter (cash, the card terminal; `payments.models.COUNTER_PROVIDERS`) the
cashier has the money before the sale is recorded: one transaction makes the order,
records the payment as captured through the same `event_apply` as a gateway's webhook
(the ledger's capture into `funds:cash` or `funds:card`, against the cashier's open
till shift, then `settlement.order_paid`: seats sold, tickets issued), or changes
nothing. Counter sales are real money in either payment mode: cash in a till is
nobody's test, so they count in the sales report, pay the platform's fee, and are not
voided when a chain in test mode goes live.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from tenants.error_codes import Conflict, DomainError
from venue_apps.audit.services import audit_log
from venue_apps.inventory.models import Hold
from venue_apps.orders.error_codes import OrderErrorCode
from venue_apps.orders.models import Order
from venue_apps.orders.services import Buyer, order_create
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import COUNTER_PROVIDERS, Payment, PaymentSettings
from venue_apps.payments.providers.counter import CounterProvider
from venue_apps.payments.services import fraud
from venue_apps.payments.services.attempts import payment_abandon, payment_create, payment_prepare
from venue_apps.payments.services.events import event_apply
from venue_apps.payments.services.gateways import provider_for
from venue_apps.sales.error_codes import SaleErrorCode
from venue_apps.sales.locks import order_and_payments_locked
from venue_apps.sales.settlement import order_paid
from venue_apps.tills.services import shift_for_counter


@dataclass(frozen=True)
class Checkout:
    order: Order
    payment: Payment | None


def checkout_start(
    hold: Hold,
    *,
    buyer: Buyer,
    provider_name: str,
    currency: str,
    promo_code: str | None = None,
    terminal_reference: str = "",
) -> Checkout:
    """Order the hold's seats and start paying with `provider_name`; at the counter,
    pay it at once (see the module's docstring).

    Raises NotFound (404) for a gateway the chain does not offer, PaymentRefused (429 or
    403) when the fraud checks refuse the attempt, 403 `counter_staff_only` for cash or
    card by anyone but box office staff, 409 `shift_required` for a cashier with no
    open shift, and what `order_create` raises.
    """
    settings = PaymentSettings.current()
    provider = provider_for(provider_name, settings=settings)
    customer_id = getattr(buyer.customer, "pk", None)
    counter = provider_name in COUNTER_PROVIDERS
    if counter and buyer.sold_by is None:
        raise DomainError(
            SaleErrorCode.COUNTER_STAFF_ONLY,
            "Cash and the card terminal are for the box office only.",
            status_code=403,
        )
    if not counter:
        # Outside the order's transaction: a refusal is logged, and stays logged. (At the
        # counter a cashier took the money in hand: there is no attempt to limit.)
        fraud.attempt_check(customer_id=customer_id, address=buyer.address)
    with transaction.atomic():
        # First in the lock order: a close of this shift waits for the sale.
        shift = shift_for_counter(buyer.sold_by) if counter else None
        order = order_create(
            hold,
            buyer=buyer,
            currency=currency,
            promo_code=promo_code,
            test_mode=False if counter else not settings.live,
        )
        if order.total == 0:
            fulfilment = order_paid(order, actor=buyer.sold_by or buyer.customer)
            if not fulfilment.sold:
                raise Conflict(OrderErrorCode.SEATS_UNAVAILABLE, "The seats are no longer held.")
            return Checkout(order, None)
        payment = payment_create(
            order,
            provider_name=provider_name,
            test_mode=False if counter else not settings.live,
            customer_id=customer_id,
            address=buyer.address,
            shift_id=shift.pk if shift else None,
        )
        if counter:
            assert isinstance(provider, CounterProvider)
            paid = _counter_payment_take(
                payment, provider=provider, terminal_reference=terminal_reference
            )
            order.refresh_from_db()
            audit_log(
                buyer.sold_by,
                "order.sold_at_counter",
                order,
                provider=provider_name,
                amount=order.total,
                currency=order.currency,
                shift=payment.shift_id,
                till=shift.till_id if shift else None,
                terminal_reference=terminal_reference,
            )
            return Checkout(order, paid)
    return Checkout(order, payment_prepare(payment, provider=provider))


def _counter_payment_take(
    payment: Payment, *, provider: CounterProvider, terminal_reference: str
) -> Payment:
    """The cashier has the money: the payment is captured like a gateway's, through
    `event_apply` (the ledger's capture, then `order_paid`), in the caller's
    transaction. Seats that could not be sold undo everything (409): the cashier hands
    the money back, nothing was recorded."""
    payment = payment_prepare(payment, provider=provider)
    event_apply(
        payment.provider,
        provider.taken(payment, terminal_reference=terminal_reference),
        provider=provider,
    )
    payment.refresh_from_db()
    if not payment.paid_order:
        raise Conflict(OrderErrorCode.SEATS_UNAVAILABLE, "The seats are no longer held.")
    return payment


def payment_retry(order: Order, *, provider_name: str, address: str | None) -> Payment:
    """Another attempt at paying a pending order (after a gateway hiccup, or to switch
    gateway). Other unpaid attempts are cancelled at their gateways. Refused (409
    `mode_changed`) when the chain changed mode (test or live) since the order, and
    (400 `counter_staff_only`) for cash or the card terminal."""
    if provider_name in COUNTER_PROVIDERS:
        # Cash and the card terminal are taken with the sale itself, never later.
        raise DomainError(
            SaleErrorCode.COUNTER_STAFF_ONLY,
            "Cash and the card terminal are taken at the counter when the seats are sold.",
        )
    settings = PaymentSettings.current()
    if order.test_mode == settings.live:
        # The chain changed mode since the order was made: a test-mode order is never
        # paid with real money, nor a live one with test money (`test_mode` never
        # changes, so no lock is needed to read it). Book again.
        made, now = ("test", "live") if order.test_mode else ("live", "test")
        raise Conflict(
            PaymentErrorCode.MODE_CHANGED,
            f"This order was made in {made} mode and the chain is in {now} mode now; "
            "book the seats again.",
        )
    provider = provider_for(provider_name, settings=settings)
    fraud.attempt_check(customer_id=order.customer_id, address=address, order=order)
    with transaction.atomic():
        order, payments = order_and_payments_locked(order.pk)
        if order.current_status != Order.Status.PENDING:
            raise Conflict(
                OrderErrorCode.ORDER_NOT_PENDING, f"The order is {order.current_status}."
            )
        for other in payments:
            if other.status == Payment.Status.PENDING:
                payment_abandon(other, reason="replaced")
        payment = payment_create(
            order,
            provider_name=provider_name,
            test_mode=not settings.live,
            customer_id=order.customer_id,
            address=address,
        )
    # The gateway is called after commit, never while the order is locked.
    return payment_prepare(payment, provider=provider)
