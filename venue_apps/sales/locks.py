"""The sale's multi-row locks, all through `tenants.locking.lock_objects` (which owns
the lock order: payments, order, lines, show, seats, inventory version, hold, refunds)."""

from __future__ import annotations

from typing import Any

from tenants.error_codes import NotFound
from tenants.locking import lock_objects
from venue_apps.orders.error_codes import OrderErrorCode
from venue_apps.orders.models import Order
from venue_apps.payments.models import Payment


def order_and_payments_locked(order_id: Any) -> tuple[Order, list[Payment]]:
    """Lock the order's payments (by id), then the order; 404 for no such order."""
    payments, orders = lock_objects(
        Payment.objects.filter(order_id=order_id), Order.objects.filter(pk=order_id)
    )
    if not orders:
        raise NotFound(OrderErrorCode.ORDER_NOT_FOUND, "No such order.")
    return orders[0], payments


def paying_payment(payments: list[Payment]) -> Payment | None:
    """The attempt that paid the order, if one did."""
    return next((payment for payment in payments if payment.paid_order), None)
