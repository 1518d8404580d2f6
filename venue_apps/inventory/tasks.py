"""Inventory tasks; each runs in the schema it was sent for (see tenants.tasks)."""

from __future__ import annotations

from celery import shared_task

from venue_apps.inventory.holds import holds_expire


@shared_task(ignore_result=True)
def holds_expire_task() -> int:
    """Free this schema's lapsed holds and publish the seats that came free."""
    return holds_expire()
