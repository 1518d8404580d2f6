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
def order_tickets_email_send(self, order_id: str) -> str:
    """Render the order's PDF e-tickets and email them; a failing mail server is
    retried with growing pauses."""
    from venue_apps.tickets.notifications import tickets_email

    return tickets_email(order_id)
