"""Payment tasks. Each runs in the schema it was sent from (tenant-schemas-celery).

Tasks call services; services send these tasks by name (`tenants.queue`), so neither
module imports the other both ways. The sale's tasks (expiring unpaid orders, voiding
test-mode orders, cancelling a show) live in `venue_apps.sales.tasks`, which also
registers the names they had in this module (`venue_apps.payments.tasks.orders_expire_task`,
`venue_apps.payments.tasks.test_orders_void_task`) for messages already queued.
"""

from __future__ import annotations

from celery import shared_task

from venue_apps.payments.providers.base import ProviderError
from venue_apps.payments.services.attempts import payment_capture, payment_gateway_close
from venue_apps.payments.services.reconciliation import payments_reconcile
from venue_apps.payments.services.refunds import refund_execute


@shared_task(
    bind=True,
    autoretry_for=(ProviderError,),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_kwargs={"max_retries": 10},
    acks_late=True,
)
def refund_execute_task(self, refund_id: str) -> str:
    """Send a decided refund through its gateway (idempotent: retries never double it)."""
    return refund_execute(refund_id)


@shared_task(
    bind=True,
    autoretry_for=(ProviderError,),
    retry_backoff=5,
    retry_kwargs={"max_retries": 8},
)
def payment_capture_task(self, payment_id: str) -> str:
    """Capture a payment the gateway authorized and the fraud checks accepted."""
    outcome = payment_capture(payment_id)
    return outcome.detail if outcome else "nothing to capture"


@shared_task(
    bind=True,
    autoretry_for=(ProviderError,),
    retry_backoff=10,
    retry_kwargs={"max_retries": 5},
    ignore_result=True,
)
def payment_gateway_cancel_task(self, payment_id: str) -> None:
    """Make an attempt we gave up on unpayable at its gateway, and apply what the
    gateway says became of it."""
    payment_gateway_close(payment_id)


@shared_task(ignore_result=True)
def payments_reconcile_task() -> dict:
    """Ask the gateways about payments pending too long; resend stuck refunds."""
    return payments_reconcile()
