"""The dunning schedule (celery beat every 15 minutes, `billing-dunning`): runs in the
public schema, where invoices live; it enters no chain's schema except to read its
owners' addresses."""

from __future__ import annotations

from celery import shared_task

from tenants.billing.dunning import dunning_run


@shared_task
def dunning_run_task() -> dict[str, list[str]]:
    """Charge the invoices that are due and suspend chains past their grace period."""
    report = dunning_run()
    return {
        "charged": report.charged,
        "paid": report.paid,
        "failed": report.failed,
        "suspended": report.suspended,
    }
