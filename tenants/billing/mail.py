"""The platform's billing emails to a chain's owners, sent by a worker after the
transaction that decided them commits (a mail server that is down is retried)."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 8},
)
def billing_email_send(self, subject: str, body: str, recipients: list[str]) -> int:
    """Send one billing email (one message per owner: no owner sees another's address)."""
    sent = 0
    for recipient in recipients:
        sent += send_mail(subject, body, None, [recipient])
    return sent
