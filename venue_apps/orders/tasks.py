"""Order tasks. Each runs in the schema it was sent from (tenant-schemas-celery)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(OSError,),  # smtplib's errors included
    retry_backoff=10,
    retry_backoff_max=600,
    retry_kwargs={"max_retries": 8},
    acks_late=True,
)
def order_notice_send(self, notice_id: int) -> str:
    """Tell the customer about their order (cancelled, refunded, or a payment that came
    too late and is on its way back); a failing mail server is retried with growing
    pauses, and the notice's record stops a message that keeps killing workers."""
    from venue_apps.orders.notifications import order_notice_email

    return order_notice_email(notice_id)


@shared_task(ignore_result=True)
def order_notices_sweep() -> int:
    """Send the notices that never went out (a broker outage, retries used up), each
    while it is owed and has attempts left: never one given up."""
    from venue_apps.orders.notifications import order_notices_owed

    owed = order_notices_owed()
    for notice_id in owed:
        order_notice_send.apply_async(args=[notice_id])
    return len(owed)


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def order_email_send(self, order_id: str, kind: str) -> str:
    """Messages queued by the release before notices were recorded; new ones go through
    `order_notice_send`. (Can go once no such message is left in any queue.)"""
    from venue_apps.orders.notifications import order_email

    return order_email(order_id, kind)
