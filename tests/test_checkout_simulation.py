"""Many checkouts at once against an unreliable gateway (see tests/simulation.py):
every captured payment ends as tickets or as a refund, no seat is sold twice, and the
ledger balances against the gateway's own books to the minor unit."""

from __future__ import annotations

import pytest
from django.db import connections
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tests.checkout import STRIPE_KEYS
from tests.fixtures import PASSWORD
from tests.programme import big_layout, build_programme, programme_delete
from tests.simulation import Storm, summary
from venue_apps.accounts.models import Role
from venue_apps.accounts.services.users import user_create
from venue_apps.inventory.models import ShowSeat
from venue_apps.payments.models import PaymentSettings
from venue_apps.payments.services.gateways import gateway_account_set

CHECKOUTS = 160
THREADS = 8
CUSTOMERS = 24


@pytest.fixture
def storm_chain(committed, django_db_blocker, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "hold_client": "100000/min",
            "hold_address": "100000/min",
            "checkout_client": "100000/min",
            "checkout_address": "100000/min",
        },
    }
    beta = Tenant.objects.get(slug="beta")
    before = beta.holds_per_customer
    Tenant.objects.filter(pk=beta.pk).update(holds_per_customer=20)
    programme = build_programme("beta", layout=big_layout(rows=10, seats_per_side=10))
    try:
        with schema_context("beta"):
            gateway_account_set("stripe", **STRIPE_KEYS)
            PaymentSettings.objects.update_or_create(
                pk=1,
                defaults={
                    "attempts_per_customer_hour": 1000,
                    "attempts_per_address_hour": 100000,
                    "failures_before_block": 1000,
                    "payments_per_card_hour": 1000,
                },
            )
            users = []
            for index in range(CUSTOMERS):
                user = user_create(
                    email=f"storm{index}@beta.test", password=PASSWORD, role=Role.CUSTOMER
                )
                committed.append(("beta", user))
                users.append(user)
            seat_ids = list(
                ShowSeat.objects.filter(show=programme["show"])
                .order_by("y", "x")
                .values_list("id", flat=True)
            )
        yield programme["show"], users, seat_ids
    finally:
        programme_delete("beta")
        Tenant.objects.filter(pk=beta.pk).update(holds_per_customer=before)
        connections.close_all()


def test_a_checkout_storm_loses_nothing_and_the_books_balance(storm_chain, capsys):
    show, users, seat_ids = storm_chain
    storm = Storm(
        schema="beta",
        host="beta.localhost",
        show_id=show.pk,
        seat_ids=seat_ids,
        users=users,
        checkouts=CHECKOUTS,
    )

    report = storm.run(threads=THREADS, password=PASSWORD)

    with capsys.disabled():
        print("\n" + summary(report))
    checks = report.checks
    assert report.crashes == [], report.crashes[0]
    assert report.orders > CHECKOUTS // 2
    assert not any(key.endswith(" 500") for key in report.answers), report.answers
    assert report.duplicates > 0 and report.webhooks_lost > 0  # the chaos happened
    assert {"stripe:late_taken", "stripe:pay_twice", "sandbox:decline"} <= set(report.outcomes)
    # Every captured payment became tickets or went back in full; nothing in between.
    assert checks["captured_neither"] == 0
    assert (
        checks["captured_to_tickets"] + checks["captured_refunded_in_full"]
        == (checks["captured_payments"])
    )
    assert checks["refunds_not_succeeded"] == 0
    assert checks["seats_sold_twice"] == 0
    assert checks["sold_seats_match_lines"] is True
    # The books: balanced, nothing left in flight, and the same as the gateway's.
    ledger = checks["ledger"]
    assert checks["ledger_sum"] == 0
    assert ledger.get("customer_funds", 0) == 0
    assert ledger.get("refunds_payable", 0) == 0
    assert ledger.get("funds:stripe", 0) == checks["gateway_captured"] - checks["gateway_refunded"]
    assert ledger.get("funds:sandbox", 0) == checks["sandbox_net"]
    assert checks["revenue"] == checks["earned_by_paid_orders"]
    assert checks["paid_of_those"] == checks["should_be_paid"]
