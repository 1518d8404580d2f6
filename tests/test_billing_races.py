"""Closes of one month running at once, on real concurrent connections: one invoice
per chain, numbers without gaps or repeats. The test commits its data (the other
connections must see it) and removes it afterwards."""

from __future__ import annotations

import threading
import zoneinfo
from datetime import date, datetime

import time_machine
from django.conf import settings
from django.db import connections

from tenants.billing import services
from tenants.billing.models import Invoice, InvoiceLine, InvoiceSequence, MonthUsage, Subscription
from tenants.models import PlatformAuditLog
from tests.billing_factories import frozen_invoices_unlocked

MARCH = date(2027, 3, 1)
LATER = datetime(2027, 4, 3, 12, tzinfo=zoneinfo.ZoneInfo("UTC"))


def _forget() -> None:
    """What the closes committed (invoices are frozen: their trigger is off for this)."""
    with frozen_invoices_unlocked():
        InvoiceLine.objects.filter(invoice__month=MARCH).delete()
        Invoice.objects.filter(month=MARCH).delete()
    InvoiceSequence.objects.filter(year=2027).delete()
    MonthUsage.objects.filter(month=MARCH).delete()
    PlatformAuditLog.objects.filter(action=PlatformAuditLog.Action.INVOICE_ISSUED).delete()


def test_closes_of_one_month_at_once_issue_each_invoice_once(committed):
    chains = Subscription.objects.exclude(tenant__schema_name=settings.PUBLIC_SCHEMA_NAME).count()
    assert chains >= 3
    barrier = threading.Barrier(4)
    results: list[services.CloseResult] = []
    errors: list[BaseException] = []

    def close() -> None:
        try:
            barrier.wait()
            results.append(services.month_close(MARCH))
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    try:
        with time_machine.travel(LATER, tick=True):
            threads = [threading.Thread(target=close) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        assert errors == []
        numbers = sorted(Invoice.objects.filter(month=MARCH).values_list("number", flat=True))
        assert numbers == [f"2027-{n:06d}" for n in range(1, chains + 1)]
        assert sum(len(result.issued) for result in results) == chains
        for result in results:
            assert len(result.issued) + len(result.existing) == chains
        assert InvoiceSequence.objects.get(year=2027).last == chains
    finally:
        _forget()
