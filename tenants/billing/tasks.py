"""The platform's schedule for billing: the monthly close and the console's figures.

Both run in the public schema (beat runs in none); the close reads each chain's ledger
in that chain's schema itself (tenants.billing.services)."""

from __future__ import annotations

from celery import shared_task

from tenants.billing.services import month_close_due, month_usage_refresh_all


@shared_task(name="tenants.billing.tasks.month_close_task")
def month_close_task() -> dict[str, list[str]]:
    """Close last month for every chain whose zone has left it (idempotent)."""
    result = month_close_due()
    return {
        "issued": [invoice.number for invoice in result.issued],
        "existing": [invoice.number for invoice in result.existing],
        "waiting": result.waiting,
        "failed": sorted(result.failed),
    }


@shared_task(name="tenants.billing.tasks.month_usage_refresh_task")
def month_usage_refresh_task() -> int:
    """Each chain's current month from its ledger into MonthUsage, for the console."""
    return month_usage_refresh_all()
