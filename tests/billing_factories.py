"""Plans, subscriptions and issued invoices of the platform's billing, made as the
monthly close leaves them (an issued unpaid invoice is `open`, due for its first charge
at `issued_at`), and the platform's Stripe account answered at the HTTP boundary."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import responses
from django.db import connection

from tenants.billing.models import Invoice, InvoiceLine, Plan, PlanPrice, Subscription
from tenants.models import Tenant
from tests.checkout import STRIPE_API, fake_key

PLATFORM_STRIPE_KEY = fake_key("sk_test", "platformPLATFORMplatform0001")
_numbers = itertools.count(1)


def plan_make(code: str = "standard", currency: str = "INR") -> Plan:
    plan, _ = Plan.objects.get_or_create(code=code, defaults={"name": code.title()})
    PlanPrice.objects.get_or_create(
        plan=plan, currency=currency, defaults={"monthly_fee": 250_000, "per_ticket": 500}
    )
    return plan


def subscription_make(
    tenant: Tenant,
    *,
    customer: str = "cus_platform0001",
    payment_method: str = "pm_platform0001",
    label: str = "Visa •••• 4242",
) -> Subscription:
    # Onboarding put the chain on the default plan; this one replaces it.
    subscription, _ = Subscription.objects.update_or_create(
        tenant=tenant,
        defaults={
            "plan": plan_make(currency=tenant.currency),
            "starts_on": date(2027, 1, 1),
            "gateway_customer": customer,
            "gateway_payment_method": payment_method,
            "card_label": label,
        },
    )
    return subscription


def invoice_issue(
    tenant: Tenant, *, issued_at: datetime, total: int = 262_500, month: date | None = None
) -> Invoice:
    """An issued unpaid invoice with two lines, as the close leaves it."""
    month = month or date(issued_at.year, issued_at.month, 1) - timedelta(days=1)
    invoice = Invoice.objects.create(
        number=f"{issued_at.year}-9{next(_numbers):05d}",
        tenant=tenant,
        month=month.replace(day=1),
        currency=tenant.currency,
        total=total,
        plan_code="standard",
        plan_name="Standard",
        usage={"tickets": 25, "gross": 1_000_000, "refunded": 0},
        issued_at=issued_at,
        due_on=issued_at.date() + timedelta(days=14),
        status=Invoice.Status.OPEN,
        next_attempt_at=issued_at,
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        position=1,
        description="Monthly fee",
        quantity=1,
        unit_amount=250_000,
        amount=250_000,
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        position=2,
        description="Tickets sold",
        quantity=25,
        unit_amount=500,
        amount=total - 250_000,
    )
    return invoice


def stripe_declines(
    mock: responses.RequestsMock, *, code: str = "card_declined", intent_id: str = "pi_declined"
) -> None:
    """Stripe's answer to an off-session PaymentIntent whose card is declined (402)."""
    mock.add(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents",
        status=402,
        json={
            "error": {
                "type": "card_error",
                "code": code,
                "decline_code": "insufficient_funds",
                "message": "Your card has insufficient funds.",
                "payment_intent": {
                    "id": intent_id,
                    "object": "payment_intent",
                    "status": "requires_payment_method",
                },
            }
        },
    )


def stripe_succeeds(mock: responses.RequestsMock, amount: int, intent_id: str = "pi_paid") -> None:
    mock.add(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents",
        json={
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount,
            "currency": "inr",
            "status": "succeeded",
        },
    )


def sent_params(call) -> dict[str, str]:
    """The form fields of a request the SDK sent (Stripe's API takes form encoding)."""
    from urllib.parse import parse_qsl

    body = call.request.body
    if isinstance(body, bytes):
        body = body.decode()
    return dict(parse_qsl(body or ""))


@contextmanager
def frozen_invoices_unlocked():
    """For tests that commit invoices and must remove them afterwards: the database
    refuses to delete issued invoices and their lines (billing migration 0002), so the
    two triggers are off inside this block only."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE billing_invoiceline DISABLE TRIGGER billing_invoiceline_frozen;"
            "ALTER TABLE billing_invoice DISABLE TRIGGER billing_invoice_frozen;"
        )
        try:
            yield
        finally:
            cursor.execute(
                "ALTER TABLE billing_invoiceline ENABLE TRIGGER billing_invoiceline_frozen;"
                "ALTER TABLE billing_invoice ENABLE TRIGGER billing_invoice_frozen;"
            )
