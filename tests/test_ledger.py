"""The ledger: append-only and balanced by the database itself; what it adds up to."""

from __future__ import annotations

import uuid

import pytest
import responses
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from tests.checkout import (
    STRIPE_API,
    STRIPE_LIVE_KEYS,
    checkout,
    go_live_with_stripe,
    post_stripe_webhook,
    sandbox,
    seat_ids,
    stripe_event,
    stripe_intent,
    stripe_refunds_none_yet,
)
from venue_apps.accounts.models import Role
from venue_apps.payments.models import LedgerEntry
from venue_apps.payments.services.ledger import ledger_balances

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(alpha, programme, customer):
    _, client = customer
    body = checkout(client, programme["show"], seat_ids("alpha", programme["show"], ["A1"]))
    sandbox(client, body["payment"]["id"], "approve")
    return body


def test_ledger_entries_cannot_be_changed_or_deleted(paid):
    with schema_context("alpha"):
        entry = LedgerEntry.objects.first()
        before = list(LedgerEntry.objects.values_list("id", "amount"))
        for statement in (
            "UPDATE payments_ledgerentry SET amount = amount + 1 WHERE id = %s",
            "DELETE FROM payments_ledgerentry WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement, [entry.pk])
        assert list(LedgerEntry.objects.values_list("id", "amount")) == before


def test_a_journal_that_does_not_balance_is_refused_at_commit(alpha):
    with schema_context("alpha"):
        journal = uuid.uuid4()
        with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
            LedgerEntry.objects.create(
                journal=journal,
                kind="capture",
                account="funds:sandbox",
                amount=500,
                currency="INR",
            )
            LedgerEntry.objects.create(
                journal=journal,
                kind="capture",
                account="customer_funds",
                amount=-499,
                currency="INR",
            )
            with connection.cursor() as cursor:
                # What COMMIT does with deferred constraints, here inside the test's
                # own transaction (which is rolled back afterwards).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert not LedgerEntry.objects.filter(journal=journal).exists()


def test_a_new_chain_cloned_from_the_template_has_the_ledger_guards(platform_client):
    created = platform_client.post(
        "/api/platform/tenants/",
        {
            "name": "Cloned Cinemas",
            "slug": "cloned",
            "owner_email": "owner@cloned.test",
            "owner_password": "correct-horse-battery-staple",
            "currency": "USD",
            "timezone": "America/New_York",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'cloned' AND c.relname = 'payments_ledgerentry' "
            "AND NOT t.tgisinternal ORDER BY tgname"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "payments_ledgerentry_append_only",
            "payments_ledgerentry_balanced",
        ]
    with schema_context("cloned"):
        journal = uuid.uuid4()
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                journal=journal, kind="capture", account=account, amount=amount, currency="USD"
            )
            for account, amount in (("funds:sandbox", 100), ("customer_funds", -100))
        )
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            LedgerEntry.objects.filter(journal=journal).update(amount=0)
        with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
            LedgerEntry.objects.create(
                journal=journal, kind="capture", account="tax", amount=1, currency="USD"
            )
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.fixture
def live_sale(alpha, programme, customer):
    """A live-mode Stripe sale of one seat (the platform charges its fee on live money)."""
    go_live_with_stripe("alpha")
    _, client = customer
    with responses.RequestsMock(assert_all_requests_are_fired=False) as gateway:
        gateway.add(
            responses.POST,
            f"{STRIPE_API}/v1/payment_intents",
            json=stripe_intent("pi_live00001", 20000),
        )
        body = checkout(
            client,
            programme["show"],
            seat_ids("alpha", programme["show"], ["B1"]),
            provider="stripe",
        )
        post_stripe_webhook(
            api_client_for(alpha),
            stripe_event(
                "payment_intent.succeeded",
                stripe_intent("pi_live00001", body["total"], status="succeeded"),
            ),
            secret=STRIPE_LIVE_KEYS["webhook_secret"],
        )
        yield body, gateway


def api_client_for(tenant):
    from rest_framework.test import APIClient

    return APIClient(HTTP_HOST=f"{tenant.slug}.localhost")


def test_the_books_after_a_live_sale_and_a_refund(
    alpha, live_sale, as_role, tasks_inline, django_capture_on_commit_callbacks
):
    body, gateway = live_sale
    stripe_refunds_none_yet(gateway)
    gateway.add(
        responses.POST,
        f"{STRIPE_API}/v1/refunds",
        json={
            "id": "re_live0001",
            "object": "refund",
            "amount": 5000,
            "status": "succeeded",
            "payment_intent": "pi_live00001",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        refunded = as_role(Role.MANAGER).post(
            f"/api/v1/orders/{body['id']}/refunds/", {"amount": 5000}, format="json"
        )
    assert refunded.status_code == 201, refunded.content
    # Sent with the live key, since the payment was live.
    assert gateway.calls[-1].request.headers["Authorization"] == (
        f"Bearer {STRIPE_LIVE_KEYS['secret_key']}"
    )

    with schema_context("alpha"):
        balances = ledger_balances()
    total = body["total"]
    assert sum(balances.values()) == 0
    assert balances["funds:stripe"] == total - 5000
    assert balances.get("customer_funds", 0) == 0
    assert balances.get("refunds_payable", 0) == 0
    assert balances["ticket_sales"] + balances.get("booking_fees", 0) + balances.get("tax", 0) == (
        -(total - 5000)
    )
    fee = (total * 100 + 5000) // 10000
    refunded_fee = (fee * 5000 * 2 + total) // (2 * total)
    assert balances["platform_fees"] == fee - refunded_fee
    assert balances["platform_fees_payable"] == -(fee - refunded_fee)


def test_test_mode_sales_carry_no_platform_fee_and_are_not_billed(alpha, paid, platform_client):
    with schema_context("alpha"):
        assert ledger_balances().get("platform_fees", 0) == 0
    usage = platform_client.get("/api/platform/tenants/alpha/usage/").json()
    assert usage["months"] == []


def test_platform_staff_see_each_chains_usage_by_month(alpha, live_sale, platform_client, api):
    body, _ = live_sale
    usage = platform_client.get("/api/platform/tenants/alpha/usage/")
    chain_token_on_apex = api().get("/api/platform/tenants/alpha/usage/")

    assert usage.status_code == 200, usage.content
    data = usage.json()
    assert data["currency"] == "INR"
    assert len(data["months"]) == 1
    month = data["months"][0]
    assert month["tickets_sold"] == 1
    assert month["gross"] == body["total"]
    assert month["refunded"] == 0
    assert month["platform_fees"] == (body["total"] * 100 + 5000) // 10000
    assert chain_token_on_apex.status_code == 401
