"""Emails about orders, in the chain's name. Each is an `OrderNotice` recorded with the
change it tells of, sent by `orders.tasks.order_notice_send` and, when the queue lost
it, by the sweep (`order_notices_owed`); attempts are counted as for the tickets email
(`tenants.deliveries`)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from tenants import deliveries
from tenants.money import money
from tenants.selectors import tenant_current
from venue_apps.orders.models import Order, OrderNotice

logger = logging.getLogger(__name__)

SUBJECTS = {
    "cancelled": "Your booking {reference} is cancelled",
    "refund": "A refund on your booking {reference}",
    "payment_returned": "Your payment for {reference} is being refunded",
}


def order_email(order_id: str, kind: str) -> str:
    """Render and send one email about an order; returns what happened, for the logs."""
    if kind not in SUBJECTS:
        raise ValueError(f"unknown order email {kind!r}")
    order = (
        Order.objects.select_related("show__title", "show__venue", "show__auditorium")
        .filter(pk=order_id)
        .first()
    )
    if order is None or not order.email:
        logger.warning("order email %s: no order %s with an email here", kind, order_id)
        return "missing"
    tenant = tenant_current()
    context = {
        "order": order,
        "tenant": tenant,
        "brand": tenant.brand_name,
        "lines": list(order.lines.all()),
        "total": money(order.total, order.currency),
        "refunded": money(order.refunded_amount, order.currency),
        "starts_at": order.show.starts_at,
    }
    # Times in the email are the venue's, whatever the server's zone.
    with timezone.override(order.show.venue.zone):
        body = render_to_string(f"orders/email/{kind}.txt", context)
    message = EmailMultiAlternatives(
        subject=f"{tenant.brand_name}: " + SUBJECTS[kind].format(reference=order.reference),
        body=body,
        to=[order.email],
    )
    message.send()
    return "sent"


def order_notice_email(notice_id: int) -> str:
    """Send one recorded notice; returns what happened. Raises the email backend's
    errors (the task retries); each attempt is counted before it starts."""
    notice = OrderNotice.objects.filter(pk=notice_id).only("order_id", "kind").first()
    if notice is None:
        return "missing"
    attempt = deliveries.delivery_attempt_begin(OrderNotice, notice.pk)
    if isinstance(attempt, str):
        return attempt
    try:
        outcome = order_email(str(notice.order_id), notice.kind)
    except Exception as error:
        deliveries.delivery_attempt_end(attempt, error=error)
        raise
    deliveries.delivery_attempt_end(attempt)
    return outcome


def order_notices_owed(*, days: int = 2) -> list[int]:
    """Notices still owed (for the sweep): asked for between `days` and a few minutes
    ago, with attempts left, not given up."""
    return list(
        OrderNotice.objects.filter(deliveries.delivery_due(within=timedelta(days=days)))
        .exclude(order__email="")
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)[:500]
    )
