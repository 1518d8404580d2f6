"""Ticket tasks. Each runs in the schema it was sent from (tenant-schemas-celery)."""

from __future__ import annotations

import smtplib

from celery import shared_task


@shared_task(
    bind=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_kwargs={"max_retries": 8},
    acks_late=True,
)
def order_tickets_email_send(self, order_id: str, to: str = "") -> str:
    """Render the order's PDF e-tickets and email them (to the order's email, or to
    `to`, an address staff gave); a failing mail server is
    retried with growing pauses. A worker that dies on it hands the message to the
    next one (acks_late, reject_on_worker_lost); the attempts counted in the order's
    `TicketDelivery` drop that redelivery and give the email up after a second crash."""
    from venue_apps.tickets.notifications import tickets_email

    return tickets_email(order_id, to=to)


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_kwargs={"max_retries": 8},
    acks_late=True,
)
def order_tickets_sms_send(order_id: str, to: str) -> str:
    """Text the link to the order's tickets to `to` through the SMS backend (a failing
    gateway is retried with growing pauses). Returns what happened, never the number."""
    from venue_apps.tickets.notifications import tickets_sms

    return tickets_sms(order_id, to)


@shared_task(ignore_result=True)
def tickets_email_sweep() -> int:
    """Send the tickets emails that never went out (a broker outage, retries used up),
    each while it is owed and has attempts left: never one given up."""
    from venue_apps.tickets.notifications import tickets_unsent

    unsent = tickets_unsent()
    for order_id in unsent:
        order_tickets_email_send.apply_async(args=[order_id])
    return len(unsent)
