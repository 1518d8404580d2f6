"""Emails about orders, in the chain's name. Sent by `orders.tasks.order_email_send`."""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from tenants.selectors import tenant_current
from venue_apps.orders.models import Order
from venue_apps.orders.selectors import money

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
