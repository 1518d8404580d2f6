"""The demo's billing: plans in rupees and euros, the demo chains on them, and a few
closed months so the console has figures from its first start.

The demo chains sell with test money only, which is never billed, so their past months
have no live sales to bill. The seed closes those months (for the demo chains only)
through the real close with `demo_usage` as the usage reader: made-up but steady
figures. The current month is read from the ledger as always. Nothing here is used
outside `seed_demo`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.test import override_settings

from tenants.billing import services
from tenants.billing.dunning import subscription_sandbox_card_save
from tenants.billing.models import Invoice, Plan, Subscription
from tenants.models import Tenant
from tenants.selectors import tenant_current

DEMO_PLANS: tuple[dict[str, Any], ...] = (
    {
        "code": "starter",
        "name": "Starter",
        "description": "No monthly fee: a small fee per ticket and 2% of net sales.",
        "basis_points": 200,
        "trial_days": 0,
        "prices": {
            "INR": {"monthly_fee": 0, "per_ticket": 500},
            "EUR": {"monthly_fee": 0, "per_ticket": 20},
        },
    },
    {
        "code": "growth",
        "name": "Growth",
        "description": "A monthly fee, a lower fee per ticket and 1% of net sales; "
        "the first 30 days free.",
        "basis_points": 100,
        "trial_days": 30,
        "prices": {
            "INR": {"monthly_fee": 299_900, "per_ticket": 200},
            "EUR": {"monthly_fee": 3_900, "per_ticket": 10},
        },
    },
)
# Each demo chain's plan, and the months of history before the current one it is billed.
DEMO_SUBSCRIPTIONS = {"aurora": "growth", "bluebird": "starter"}
HISTORY_MONTHS = 3
# The demo chains that have a card on file at the platform (the sandbox's paying card).
CARD_ON_FILE = frozenset({"aurora"})
SANDBOX_CARD = "4242 4242 4242 4242"
# A ticket's average price and the month's tickets, per currency (minor units).
_AVERAGE = {"INR": 32_000, "EUR": 1_150}
_TICKETS = {"INR": 1_850, "EUR": 640}
_READER = "ticketing_platform.demo_billing.demo_usage"


def demo_usage(start: datetime, end: datetime) -> dict[str, Any]:
    """A past month's made-up figures for the demo chain (steady, 3% refunded)."""
    currency = tenant_current().currency
    average = _AVERAGE.get(currency, 1_000)
    tickets = int(_TICKETS.get(currency, 500) * (1 + (start.month % 4) / 10))
    gross = tickets * average
    refunded = gross * 3 // 100
    return {
        "currency": currency,
        "tickets": tickets - refunded // average,
        "gross": gross,
        "refunded": refunded,
    }


def demo_plans_ensure() -> int:
    """The demo plans, once (a plan staff changed since is left as it is)."""
    made = 0
    for plan in DEMO_PLANS:
        if not Plan.objects.filter(code=plan["code"]).exists():
            services.plan_create(**plan)
            made += 1
    return made


def demo_billing_ensure(tenant: Tenant) -> int:
    """The chain on its demo plan since the first of the month `HISTORY_MONTHS` ago,
    and its past months closed; how many invoices were issued (0 on a re-run)."""
    code = DEMO_SUBSCRIPTIONS.get(tenant.slug)
    if code is None:
        return 0
    today = services.chain_today(tenant)
    first = services.month_first(today)
    for _ in range(HISTORY_MONTHS):
        first = services.month_first(first - timedelta(days=1))
    with transaction.atomic():
        subscription = Subscription.objects.filter(tenant=tenant).first()
        untouched = not Invoice.objects.filter(tenant=tenant).exists()
        if untouched and (subscription is None or subscription.plan.code != code):
            if subscription is not None:
                subscription.delete()
            services.subscription_start(tenant, code, starts_on=first)
    issued = 0
    month = first
    with override_settings(BILLING_USAGE_READER=_READER):
        while month < services.month_first(today):
            result = services.month_close(month, tenant=tenant)
            issued += sum(1 for invoice in result.issued if invoice.tenant_id == tenant.pk)
            month = services.month_next(month)
    # The demo's history was paid (in the sandbox), but for the last month's invoice,
    # which is left open for the console's "unpaid" figures and for dunning to charge.
    last = services.month_first(services.month_first(today) - timedelta(days=1))
    Invoice.objects.filter(
        tenant=tenant, month__lt=last, status=Invoice.Status.OPEN, attempts=0
    ).update(
        status=Invoice.Status.PAID,
        paid_at=F("issued_at"),
        next_attempt_at=None,
        payment_reference="demo: paid in the sandbox",
    )
    # Aurora pays by a saved sandbox card (the schedule charges its open invoice);
    # Bluebird has none, so its charge fails and the dunning emails and banner show.
    subscription = Subscription.objects.get(tenant=tenant)
    if (
        tenant.slug in CARD_ON_FILE
        and not subscription.gateway_payment_method
        and settings.PLATFORM_PAYMENTS == "sandbox"
    ):
        subscription_sandbox_card_save(subscription, number=SANDBOX_CARD, actor=None)
    services.month_usage_refresh(tenant)
    return issued
