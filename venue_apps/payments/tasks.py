"""Payment tasks. Each runs in the schema it was sent from (tenant-schemas-celery)."""

from __future__ import annotations

from celery import shared_task

from venue_apps.payments.providers.base import ProviderError


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
    from venue_apps.payments.services.refunds import refund_execute

    return refund_execute(refund_id)


@shared_task(
    bind=True,
    autoretry_for=(ProviderError,),
    retry_backoff=5,
    retry_kwargs={"max_retries": 8},
)
def payment_capture_task(self, payment_id: str) -> str:
    """Capture a payment the gateway authorized and the fraud checks accepted."""
    from venue_apps.payments.services.checkout import payment_capture

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
    from venue_apps.payments.services.checkout import payment_gateway_close

    payment_gateway_close(payment_id)


@shared_task(ignore_result=True)
def payments_reconcile_task() -> dict:
    """Ask the gateways about payments pending too long; resend stuck refunds."""
    from venue_apps.payments.services.reconciliation import payments_reconcile

    return payments_reconcile()


@shared_task(ignore_result=True)
def orders_expire_task() -> int:
    """End this schema's unpaid orders whose time is up, free their seats, and close
    their payment attempts at the gateways."""
    from venue_apps.payments.services.checkout import unpaid_orders_expire

    return unpaid_orders_expire()


@shared_task(ignore_result=True)
def test_orders_void_task() -> dict:
    """Once the chain is live: void the test-mode orders of shows not yet over. Run
    every few minutes for every chain (beat, tenants_fan_out) and when a chain goes
    live; does nothing for a chain in test mode."""
    from venue_apps.payments.services.refunds import test_orders_void

    return test_orders_void()
