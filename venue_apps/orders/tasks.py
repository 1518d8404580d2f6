"""Order tasks. Each runs in the schema it was sent from (tenant-schemas-celery)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_kwargs={"max_retries": 5},
)
def order_email_send(self, order_id: str, kind: str) -> str:
    """Tell the customer about their order: paid, cancelled, refunded, or a payment
    that came too late and is on its way back."""
    from venue_apps.orders.notifications import order_email

    return order_email(order_id, kind)
