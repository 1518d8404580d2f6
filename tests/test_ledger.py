"""The ledger: append-only and balanced by the database itself; what it adds up to."""

from __future__ import annotations

import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from tests.checkout import checkout, sandbox, seat_ids
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


def test_the_books_after_a_sale_and_a_refund(
    alpha, programme, customer, as_role, tasks_inline, django_capture_on_commit_callbacks
):
    _, client = customer
    body = checkout(client, programme["show"], seat_ids("alpha", programme["show"], ["B1"]))
    sandbox(client, body["payment"]["id"], "approve")
    with django_capture_on_commit_callbacks(execute=True):
        as_role(Role.MANAGER).post(
            f"/api/v1/orders/{body['id']}/refunds/", {"amount": 5000}, format="json"
        )

    with schema_context("alpha"):
        balances = ledger_balances()
    total = body["total"]
    assert sum(balances.values()) == 0
    assert balances["funds:sandbox"] == total - 5000
    assert balances.get("customer_funds", 0) == 0
    assert balances.get("refunds_payable", 0) == 0
    assert balances["ticket_sales"] + balances.get("booking_fees", 0) + balances.get("tax", 0) == (
        -(total - 5000)
    )
    fee = (total * 100 + 5000) // 10000
    refunded_fee = (fee * 5000 * 2 + total) // (2 * total)
    assert balances["platform_fees"] == fee - refunded_fee
    assert balances["platform_fees_payable"] == -(fee - refunded_fee)


def test_platform_staff_see_each_chains_usage_by_month(alpha, paid, platform_client, api):
    usage = platform_client.get("/api/platform/tenants/alpha/usage/")
    chain_token_on_apex = api().get("/api/platform/tenants/alpha/usage/")

    assert usage.status_code == 200, usage.content
    body = usage.json()
    assert body["currency"] == "INR"
    assert len(body["months"]) == 1
    month = body["months"][0]
    assert month["tickets_sold"] == 1
    assert month["gross"] == paid["total"]
    assert month["platform_fees"] == (paid["total"] * 100 + 5000) // 10000
    assert chain_token_on_apex.status_code == 401
