"""A few paid demo orders, so the dashboard's home page and reports show something.

Made once per chain (when it has no order yet), through the real services as a
customer would: a hold of the best seats, the checkout, and the sandbox paying. The
demo chains take test payments, so this is test-mode money, which the dashboard shows
while a chain is in test mode (and says so).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tenants.models import Tenant
from venue_apps.accounts.models import User
from venue_apps.inventory import holds
from venue_apps.orders.models import Order
from venue_apps.orders.services import Buyer
from venue_apps.payments.services.sandbox import sandbox_pay
from venue_apps.sales.checkout import checkout_start
from venue_apps.shows.models import Show

# Seats per order, one order per show: the first shows on sale from now on.
DEMO_ORDERS = (4, 2, 3, 6, 2, 5)
POLICY = holds.HoldPolicy(ttl=timedelta(minutes=10), max_seats=10, max_active_holds=10)


def demo_sales_ensure(tenant: Tenant, customer_email: str) -> int:
    """Paid orders of the demo customer on the next shows on sale, once; how many made."""
    if Order.objects.exists():
        return 0
    customer = User.objects.get(email=customer_email)
    now = timezone.now()
    shows = Show.objects.filter(
        status=Show.Status.ON_SALE,
        sales_open_at__lte=now,
        sales_close_at__gt=now + timedelta(minutes=30),
    ).order_by("starts_at", "pk")[: len(DEMO_ORDERS)]
    made = 0
    for show, seats in zip(shows, DEMO_ORDERS, strict=False):
        hold = holds.hold_create(
            show.pk, owner=holds.HoldOwner(user_id=customer.pk), policy=POLICY, count=seats
        )
        started = checkout_start(
            hold,
            buyer=Buyer(customer=customer, email=customer.email, name=customer.name),
            provider_name="sandbox",
            currency=tenant.currency,
        )
        if started.payment is not None:
            sandbox_pay(started.payment, outcome="approve")
            made += 1
    return made
