"""The checkout storm of tests/simulation.py at a larger size, printing its figures.

Customers (threads on their own connections, through every middleware) hold seats,
order and pay with Stripe (its SDK against a fake api.stripe.com) or the sandbox,
while the gateway repeats, reorders, races and loses webhooks. Afterwards every
captured payment must be tickets or a full refund, no seat sold twice, and the ledger
equal to the gateway's own books.

Run against a migrated database (after `make demo`, or `make services` and
`manage.py migrate_platform`); it onboards a chain `storm` the first time, and removes
the orders, payments, programme and customers it made when it ends:

    .venv/bin/python -m tests.benchmarks.bench_checkout_storm --checkouts 600 --threads 12
"""

from __future__ import annotations

import argparse
import os


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=int, default=600)
    parser.add_argument("--threads", type=int, default=12)
    parser.add_argument("--customers", type=int, default=60)
    parser.add_argument("--rows", type=int, default=24, help="seat rows (at most 24)")
    parser.add_argument(
        "--seats-per-side", type=int, default=14, help="each side of the aisle (even)"
    )
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketing_platform.settings")
    import django

    django.setup()
    from django.conf import settings
    from django_tenants.utils import schema_context

    from tenants.models import Tenant
    from tenants.services import tenant_onboard
    from tests.checkout import STRIPE_KEYS
    from tests.programme import big_layout, build_programme, programme_delete
    from tests.simulation import Storm, summary
    from venue_apps.accounts.models import Role, User
    from venue_apps.inventory.models import ShowSeat
    from venue_apps.payments.models import PaymentSettings
    from venue_apps.payments.services.gateways import gateway_account_set

    password = "storm-customers-password-1"
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    for scope in ("hold_client", "hold_address", "checkout_client", "checkout_address"):
        rates[scope] = "1000000/min"  # the storm measures money, not the rate limits
    if not Tenant.objects.filter(slug="storm").exists():
        tenant_onboard(
            name="Storm Cinemas",
            slug="storm",
            owner_email="owner@storm.test",
            owner_password=password,
            currency="EUR",
            timezone="Europe/Dublin",
        )
    Tenant.objects.filter(slug="storm").update(holds_per_customer=50)
    programme_delete("storm")
    layout = big_layout(rows=min(24, arguments.rows), seats_per_side=arguments.seats_per_side)
    programme = build_programme("storm", layout=layout)
    try:
        with schema_context("storm"):
            gateway_account_set("stripe", **STRIPE_KEYS)
            PaymentSettings.objects.update_or_create(
                pk=1,
                defaults={
                    "attempts_per_customer_hour": 30000,
                    "attempts_per_address_hour": 1_000_000,
                    "failures_before_block": 30000,
                    "payments_per_card_hour": 30000,
                },
            )
            users = [
                User.objects.create_user(f"storm{index}@storm.test", password, role=Role.CUSTOMER)
                for index in range(arguments.customers)
            ]
            seat_ids = list(
                ShowSeat.objects.filter(show=programme["show"])
                .order_by("y", "x")
                .values_list("id", flat=True)
            )
        storm = Storm(
            schema="storm",
            host=f"storm.{settings.PLATFORM_DOMAIN}",
            show_id=programme["show"].pk,
            seat_ids=seat_ids,
            users=users,
            checkouts=arguments.checkouts,
            seed=arguments.seed,
        )
        report = storm.run(threads=arguments.threads, password=password)
        print(
            f"{len(seat_ids)} seats, {arguments.customers} customers, {arguments.threads} threads"
        )
        print(summary(report))
        if report.crashes:
            print(f"{len(report.crashes)} checkouts crashed; the first:\n{report.crashes[0]}")
    finally:
        programme_delete("storm")
        with schema_context("storm"):
            User.objects.filter(email__startswith="storm", role=Role.CUSTOMER).delete()


if __name__ == "__main__":
    main()
