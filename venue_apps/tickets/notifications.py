"""The tickets email: the order's PDF e-tickets attached, in the chain's own words.

Chains write their own subject and body in the dashboard (`EmailTemplate`) with named
placeholders only (`tenants.placeholders`): no filters, no tags, no lookups, so the
wording cannot reach anything of the system nor make a shared worker build gigabytes or
loop. Wording is checked when it is saved, by rendering it against sample orders; a
stored template that cannot be used (written before placeholders replaced Django's
template language, or too long for an order) is logged and the default wording goes.

Each email is recorded (`TicketDelivery`) in the transaction that asks for it, and each
attempt is counted before it starts (`tenants.deliveries`): the sweep sends what the
queue lost, and an email whose attempts keep killing workers is given up.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from tenants import deliveries
from tenants.placeholders import PlaceholderError, placeholders_problems, placeholders_render
from tenants.selectors import tenant_current
from venue_apps.accounts.notifications import site_url
from venue_apps.orders.models import Order
from venue_apps.orders.selectors import money
from venue_apps.tickets import sms
from venue_apps.tickets.links import order_tickets_token
from venue_apps.tickets.models import EmailTemplate, TicketDelivery
from venue_apps.tickets.selectors import order_tickets, order_tickets_pdf

logger = logging.getLogger(__name__)

DEFAULT_SUBJECT = "{{ brand }}: your tickets for {{ title }} ({{ reference }})"
# What a chain's tickets email may say, as `{{ name }}`.
PLACEHOLDERS = (
    "brand",
    "customer_name",
    "reference",
    "title",
    "day",
    "time",
    "venue",
    "auditorium",
    "seats",
    "total",
)
SUBJECT_MAX_LENGTH = 200  # the model's column; the subject sent is one line, as long
BODY_MAX_LENGTH = 10_000
BODY_MAX_OUTPUT = 50_000


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


def _subject(text: str, context: dict[str, Any]) -> str:
    rendered = placeholders_render(
        text, context, max_length=SUBJECT_MAX_LENGTH, max_output=4 * SUBJECT_MAX_LENGTH
    )
    return " ".join(rendered.split())[:SUBJECT_MAX_LENGTH]


def _body(text: str, context: dict[str, Any]) -> str:
    return placeholders_render(
        text, context, max_length=BODY_MAX_LENGTH, max_output=BODY_MAX_OUTPUT
    )


def render_tickets_email(order: Order, seats: list[str]) -> tuple[str, str]:
    """(subject, body) in the chain's template, or the default one."""
    context = _context(order, seats)
    default_body = render_to_string("tickets/email/tickets.txt", context)
    default_subject = _subject(DEFAULT_SUBJECT, context)
    template = EmailTemplate.objects.filter(kind=EmailTemplate.Kind.TICKETS, is_active=True).first()
    if template is None:
        return default_subject, default_body
    try:
        return _subject(template.subject, context), _body(template.body, context)
    except PlaceholderError as error:
        logger.warning(
            "the chain's tickets email template cannot be used (%s); sending the default",
            error,
        )
        return default_subject, default_body


def _samples() -> list[dict[str, str]]:
    """Orders to try a chain's wording on: a typical one, and one with every value as
    long as it can be (the longest names, the most seats a customer may hold)."""
    tenant = tenant_current()
    typical = {
        "brand": tenant.brand_name,
        "customer_name": "Asha Rao",
        "reference": "K7Q2M9XD",
        "title": "The Monsoon Heist",
        "day": "Saturday 5 December 2026",
        "time": "18:30",
        "venue": "Phoenix Marketcity",
        "auditorium": "Screen 1",
        "seats": "F11, F12",
        "total": money(76_000, tenant.currency),
    }
    longest = {
        **typical,
        "brand": "B" * 120,
        "customer_name": "C" * 150,
        "reference": "R" * 12,
        "title": "T" * 200,
        "day": "Wednesday 30 September 2026",
        "venue": "V" * 120,
        "auditorium": "A" * 60,
        "seats": ", ".join(["XX-999"] * tenant.hold_max_seats),
        "total": money(99_999_999_99, tenant.currency),
    }
    return [typical, longest]


def email_template_problems(kind: str, *, subject: str, body: str) -> dict[str, list[str]]:
    """Why a chain's wording of an email cannot be used, by field (empty: it can).
    Renders it against sample orders, the largest a customer can make included."""
    if kind != EmailTemplate.Kind.TICKETS:
        return {"kind": [f"No email of kind {kind!r}."]}
    problems = {
        "subject": placeholders_problems(subject, PLACEHOLDERS, max_length=SUBJECT_MAX_LENGTH),
        "body": placeholders_problems(body, PLACEHOLDERS, max_length=BODY_MAX_LENGTH),
    }
    if not problems["body"]:
        for sample in _samples():
            try:
                _body(body, sample)
            except PlaceholderError:
                problems["body"].append(
                    f"For a large order (long names, {len(sample['seats'].split(','))} "
                    f"seats) the email would be longer than {BODY_MAX_OUTPUT:,} characters; "
                    "use fewer placeholders."
                )
                break
    return {field: found for field, found in problems.items() if found}


def tickets_email(order_id: str, *, to: str = "") -> str:
    """Render the PDF and send it (to the order's email, or to `to`); returns what
    happened. Raises the email backend's errors (the task retries). Each attempt is
    counted before it starts, so that an email whose attempts keep killing workers is
    given up (`tenants.deliveries`)."""
    order = (
        Order.objects.select_related("show__title", "show__venue", "show__auditorium")
        .filter(pk=order_id)
        .first()
    )
    recipient = to or (order.email if order else "")
    if order is None or not recipient:
        return "missing"
    tickets = list(order_tickets(order))
    if not tickets:
        return "no tickets"
    # Orders paid before emails were recorded have no record yet.
    delivery, _ = TicketDelivery.objects.get_or_create(
        order=order, defaults={"requested_at": order.paid_at or timezone.now()}
    )
    attempt = deliveries.delivery_attempt_begin(TicketDelivery, delivery.pk)
    if isinstance(attempt, str):
        return attempt
    try:
        subject, body = render_tickets_email(order, [ticket.seat_label for ticket in tickets])
        message = EmailMultiAlternatives(subject=subject, body=body, to=[recipient])
        message.attach(
            f"tickets-{order.reference}.pdf", order_tickets_pdf(order, tickets), "application/pdf"
        )
        message.send()
    except Exception as error:
        deliveries.delivery_attempt_end(attempt, error=error)
        raise
    deliveries.delivery_attempt_end(attempt)
    return "sent"


def tickets_sms_text(order: Order, count: int) -> str:
    """The text message: who, what, when, the booking and the signed link (one SMS's
    worth where the title is short; longer texts go as several parts)."""
    context = _context(order, [])
    starts = order.show.starts_at.astimezone(order.show.venue.zone)
    link = site_url(f"/t/{order_tickets_token(order)}/")
    tickets = "ticket" if count == 1 else "tickets"
    return (
        f"{context['brand']}: your {count} {tickets} for {context['title']}, "
        f"{starts:%a} {starts.day} {starts:%b} {context['time']}, booking "
        f"{order.reference}: {link}"
    )


def tickets_sms(order_id: str, to: str) -> str:
    """Text the link to the order's valid tickets; returns what happened. Raises the
    backend's errors (the task retries)."""
    order = (
        Order.objects.select_related("show__title", "show__venue", "show__auditorium")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        return "missing"
    count = order_tickets(order).count()
    if not count:
        return "no tickets"
    sms.sms_send(sms.SmsMessage(to=to, body=tickets_sms_text(order, count), order_id=order.pk))
    return "sent"


def tickets_unsent(*, days: int = 2) -> list[str]:
    """Paid orders with tickets for a show not yet over whose email is still owed (for
    the sweep): asked for between `days` and a few minutes ago, not given up; and
    orders paid before emails were recorded, that have no record at all."""
    now = timezone.now()
    window = timedelta(days=days)
    owed = deliveries.delivery_due(within=window, prefix="ticket_delivery__")
    unrecorded = Q(
        ticket_delivery__isnull=True,
        paid_at__lte=now - deliveries.SWEEP_PAUSE,
        paid_at__gte=now - window,
    )
    return [
        str(order_id)
        for order_id in Order.objects.filter(
            owed | unrecorded,
            status=Order.Status.PAID,
            show__ends_at__gt=now,
            tickets__status="valid",
        )
        .exclude(email="")
        .values_list("pk", flat=True)
        .distinct()[:500]
    ]
