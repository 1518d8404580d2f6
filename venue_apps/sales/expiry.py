"""Expiry: unpaid orders whose time is up, and lapsed holds.

Readers already treat a lapsed hold's seats as free (`inventory.availability`); the
sweeps make it so in the rows, end the orders and close their attempts at the
gateways. Both run per tenant from beat (`venue_apps.sales.tasks`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from tenants.queue import task_named
from venue_apps.inventory.holds import holds_expire
from venue_apps.orders.services import orders_expire
from venue_apps.payments.models import CAPTURED, Payment
from venue_apps.payments.services.attempts import GATEWAY_CANCEL_TASK

logger = logging.getLogger(__name__)


def unpaid_orders_expire(*, now: datetime | None = None) -> int:
    """End the unpaid orders whose time is up (their seats go back on sale), then close
    their attempts at the gateways, so a customer who was too slow cannot pay them; one
    who pays anyway in between is a late payment (tickets if the seats are still free,
    else a refund)."""
    expired = orders_expire(now=now)
    attempts = (
        Payment.objects.filter(order_id__in=expired, gateway_closed=False)
        .exclude(status__in=CAPTURED)
        .exclude(gateway_reference="")
        .values_list("pk", flat=True)
    )
    for payment_id in attempts:
        try:
            task_named(GATEWAY_CANCEL_TASK).apply_async(args=[str(payment_id)])
        except Exception:  # the broker is down: reconciliation closes it later
            logger.exception("could not queue closing payment %s", payment_id)
    return len(expired)


def lapsed_holds_release(*, now: datetime | None = None) -> int:
    """Free every lapsed hold's seats and close the holds; return the seats freed."""
    return holds_expire(now=now)
