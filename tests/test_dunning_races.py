"""Two "pay now" of one invoice at the same moment, on real concurrent connections: one
charge at the platform's Stripe account, one 409. The test commits its rows (the other
connections must see them) and removes them after."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import responses
from django.db import connections
from django.utils import timezone

from tenants.billing.dunning import invoice_charge
from tenants.billing.models import ChargeAttempt, Invoice, InvoiceLine, Plan, Subscription
from tenants.error_codes import DomainError
from tenants.models import PlatformAuditLog, Tenant
from tests.billing_factories import (
    PLATFORM_STRIPE_KEY,
    frozen_invoices_unlocked,
    invoice_issue,
    subscription_make,
)
from tests.checkout import STRIPE_API


def _pay_at_once(invoice: Invoice, people: int) -> list[str]:
    barrier = threading.Barrier(people)
    outcomes: list[str] = []

    def attempt():
        try:
            barrier.wait()
            outcomes.append(invoice_charge(invoice).outcome)
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _slow_success(request):
    time.sleep(0.4)  # the charge is in flight while the other "pay now" arrives
    return (200, {}, '{"id": "pi_once", "object": "payment_intent", "status": "succeeded"}')


def test_two_pay_now_at_once_charge_once(committed, settings):
    settings.PLATFORM_PAYMENTS = "stripe"
    settings.PLATFORM_STRIPE_SECRET_KEY = PLATFORM_STRIPE_KEY
    alpha = Tenant.objects.get(slug="alpha")
    started = timezone.now() - timedelta(seconds=1)
    onboarded = Subscription.objects.get(tenant=alpha)  # put back afterwards
    subscription = subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=timezone.now() - timedelta(days=2))
    try:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as stripe:
            stripe.add_callback(
                responses.POST, f"{STRIPE_API}/v1/payment_intents", callback=_slow_success
            )
            outcomes = _pay_at_once(invoice, 3)
            charges = len(stripe.calls)

        # The others find the invoice's row locked by the charge in flight (or, had
        # they come later, the invoice paid): a 409 either way, never a second charge.
        assert outcomes.count("succeeded") == 1
        assert set(outcomes) - {"succeeded"} <= {"charge_in_progress", "invoice_not_unpaid"}
        assert len(outcomes) == 3
        assert charges == 1
        invoice.refresh_from_db()
        assert (invoice.status, invoice.attempts, invoice.payment_reference) == (
            "paid",
            1,
            "pi_once",
        )
        assert ChargeAttempt.objects.filter(invoice=invoice).count() == 1
        assert (
            PlatformAuditLog.objects.filter(
                tenant=alpha, action="invoice_paid", created_at__gte=started
            ).count()
            == 1
        )
    finally:
        ChargeAttempt.objects.filter(invoice=invoice).delete()
        with frozen_invoices_unlocked():
            InvoiceLine.objects.filter(invoice=invoice).delete()
            invoice.delete()
        plan = subscription.plan
        onboarded.save()  # the chain's own subscription, as onboarding left it
        Plan.objects.filter(pk=plan.pk, subscriptions__isnull=True).delete()
        PlatformAuditLog.objects.filter(tenant=alpha, created_at__gte=started).delete()
