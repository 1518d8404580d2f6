"""The sale's Celery tasks. Each runs in the schema it was sent from
(tenant-schemas-celery); the periodic ones are sent per tenant by
`tenants.tasks.tenants_fan_out`.

Some of them were born elsewhere: messages queued, and beat schedules written, before
they moved here name them by their old names, which are registered below as aliases
that do the same. (They can go once no such message is left in any queue.)
"""

from __future__ import annotations

from celery import shared_task

from venue_apps.sales.cancellation import show_cancellation_run, test_orders_void
from venue_apps.sales.expiry import lapsed_holds_release, unpaid_orders_expire


@shared_task(ignore_result=True)
def holds_expire_task() -> int:
    """Free this schema's lapsed holds and publish the seats that came free."""
    return lapsed_holds_release()


@shared_task(ignore_result=True)
def orders_expire_task() -> int:
    """End this schema's unpaid orders whose time is up, free their seats, and close
    their payment attempts at the gateways."""
    return unpaid_orders_expire()


@shared_task(ignore_result=True)
def test_orders_void_task() -> dict:
    """Once the chain is live: void the test-mode orders of shows not yet over. Run
    every few minutes for every chain (beat, tenants_fan_out) and when a chain goes
    live; does nothing for a chain in test mode."""
    return test_orders_void()


@shared_task(acks_late=True, ignore_result=True)
def show_cancellation_task(cancellation_id: int) -> str:
    """Settle a cancelled show's orders and holds, counting progress on its run's row.
    Safe to deliver twice (each order is settled once)."""
    return show_cancellation_run(cancellation_id).status


# Old names, for messages queued by the release before the sale had its own app.
@shared_task(name="venue_apps.inventory.tasks.holds_expire_task", ignore_result=True)
def holds_expire_task_by_old_name() -> int:
    return lapsed_holds_release()


@shared_task(name="venue_apps.payments.tasks.orders_expire_task", ignore_result=True)
def orders_expire_task_by_old_name() -> int:
    return unpaid_orders_expire()


@shared_task(name="venue_apps.payments.tasks.test_orders_void_task", ignore_result=True)
def test_orders_void_task_by_old_name() -> dict:
    return test_orders_void()
