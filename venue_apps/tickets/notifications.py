"""The tickets email: the order's PDF e-tickets attached, in the chain's own words.

Chains write their own subject and body in the dashboard (`EmailTemplate`); the
template sees only plain text values listed in `_context`, never the system's
objects, so a template cannot reach anything it should not. A template that fails
to render falls back to the default wording and is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone

from tenants.selectors import tenant_current
from venue_apps.orders.models import Order
from venue_apps.orders.selectors import money
from venue_apps.tickets.models import EmailTemplate, TicketDelivery
from venue_apps.tickets.selectors import order_tickets, order_tickets_pdf

logger = logging.getLogger(__name__)
DEFAULT_SUBJECT = "{{ brand }}: your tickets for {{ title }} ({{ reference }})"


def _context(order: Order, seats: list[str]) -> dict[str, Any]:
    tenant = tenant_current()
    show = order.show
    starts = show.starts_at.astimezone(show.venue.zone)
    return {
        "brand": tenant.brand_name,
        "customer_name": order.name,
        "reference": order.reference,
        "title": show.title.name,
        "day": f"{starts:%A} {starts.day} {starts:%B %Y}",
        "time": f"{starts:%H:%M}",
        "venue": show.venue.name,
        "auditorium": show.auditorium.name,
        "seats": ", ".join(seats),
        "total": money(order.total, order.currency) if order.total else "Free",
    }


def render_tickets_email(order: Order, seats: list[str]) -> tuple[str, str]:
    """(subject, body) in the chain's template, or the default one."""
    context = _context(order, seats)
    default_body = render_to_string("tickets/email/tickets.txt", context)
    default_subject = Template(DEFAULT_SUBJECT).render(Context(context, autoescape=False))
    template = EmailTemplate.objects.filter(kind=EmailTemplate.Kind.TICKETS, is_active=True).first()
    if template is None:
        return default_subject, default_body
    try:
        subject = Template(template.subject).render(Context(context, autoescape=False))
        body = Template(template.body).render(Context(context, autoescape=False))
    except Exception:  # any template tag may fail at render time ({% include %}, {% url %})
        logger.exception("the chain's tickets email template failed; sending the default")
        return default_subject, default_body
    return " ".join(subject.split())[:200], body


def tickets_email(order_id: str) -> str:
    """Render the PDF and send it; returns what happened. Raises the email backend's
    errors (the task retries)."""
    order = (
        Order.objects.select_related("show__title", "show__venue", "show__auditorium")
        .filter(pk=order_id)
        .first()
    )
    if order is None or not order.email:
        return "missing"
    tickets = list(order_tickets(order))
    if not tickets:
        return "no tickets"
    delivery, _ = TicketDelivery.objects.get_or_create(order=order)
    TicketDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    subject, body = render_tickets_email(order, [ticket.seat_label for ticket in tickets])
    message = EmailMultiAlternatives(subject=subject, body=body, to=[order.email])
    message.attach(
        f"tickets-{order.reference}.pdf", order_tickets_pdf(order, tickets), "application/pdf"
    )
    try:
        message.send()
    except Exception as error:
        TicketDelivery.objects.filter(pk=delivery.pk).update(last_error=str(error)[:255])
        raise
    TicketDelivery.objects.filter(pk=delivery.pk).update(emailed_at=timezone.now(), last_error="")
    return "sent"


def tickets_unsent(*, older_than_minutes: int = 10, days: int = 2) -> list[str]:
    """Paid orders with tickets whose email never went out (for the sweep)."""
    from datetime import timedelta

    now = timezone.now()
    return [
        str(order_id)
        for order_id in Order.objects.filter(
            status=Order.Status.PAID,
            paid_at__lte=now - timedelta(minutes=older_than_minutes),
            paid_at__gte=now - timedelta(days=days),
            tickets__status="valid",
        )
        .exclude(email="")
        .exclude(ticket_delivery__emailed_at__isnull=False)
        .values_list("pk", flat=True)
        .distinct()[:500]
    ]
