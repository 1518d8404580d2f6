"""Checkout: a hold becomes an order and a payment attempt at one of the chain's gateways.

The order and the payment row are committed before the gateway is called (payments'
`payment_prepare`), so a gateway that answers slowly or not at all never holds a
database lock. Orders with nothing to pay (a 100 % promo code) are paid at once, through
the same `settlement.order_paid` as a captured payment.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from tenants.error_codes import Conflict
from venue_apps.inventory.models import Hold
from venue_apps.orders.error_codes import OrderErrorCode
from venue_apps.orders.models import Order
from venue_apps.orders.services import Buyer, order_create
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import Payment, PaymentSettings
from venue_apps.payments.services import fraud
from venue_apps.payments.services.attempts import payment_abandon, payment_create, payment_prepare
from venue_apps.payments.services.gateways import provider_for
from venue_apps.sales.locks import order_and_payments_locked
from venue_apps.sales.settlement import order_paid


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
) -> Checkout:
    """Order the hold's seats and start paying with `provider_name`.

    Raises NotFound (404) for a gateway the chain does not offer, PaymentRefused (429 or
    403) when the fraud checks refuse the attempt, and what `order_create` raises.
    """
    settings = PaymentSettings.current()
    provider = provider_for(provider_name, settings=settings)
    customer_id = getattr(buyer.customer, "pk", None)
    # Outside the order's transaction: a refusal is logged, and stays logged.
    fraud.attempt_check(customer_id=customer_id, address=buyer.address)
    with transaction.atomic():
        order = order_create(
            hold,
            buyer=buyer,
            currency=currency,
            promo_code=promo_code,
            test_mode=not settings.live,
        )
        if order.total == 0:
            fulfilment = order_paid(order, actor=buyer.sold_by or buyer.customer)
            if not fulfilment.sold:
                raise Conflict(OrderErrorCode.SEATS_UNAVAILABLE, "The seats are no longer held.")
            return Checkout(order, None)
        payment = payment_create(
            order,
            provider_name=provider_name,
            test_mode=not settings.live,
            customer_id=customer_id,
            address=buyer.address,
        )
    return Checkout(order, payment_prepare(payment, provider=provider))


def payment_retry(order: Order, *, provider_name: str, address: str | None) -> Payment:
    """Another attempt at paying a pending order (after a gateway hiccup, or to switch
    gateway). Other unpaid attempts are cancelled at their gateways. Refused (409
    `mode_changed`) when the chain changed mode (test or live) since the order."""
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
