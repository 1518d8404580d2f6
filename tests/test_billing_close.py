"""The platform's monthly close: each chain's invoice from its own ledger.

Two chains sell in March 2027 through the real sale and refund services: alpha (INR,
Kolkata) on a plan with a 30-day trial that ends mid-March, and gamma (EUR, Dublin),
onboarded on 11 March. Every line of their invoices is checked to the minor unit
against what was sold and refunded; test-mode money and a sale just after the month
(in the chain's zone) are left out; a second close issues nothing new.
"""

from __future__ import annotations

import importlib
import zoneinfo
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context

from tenants.billing import services
from tenants.billing.models import Invoice, InvoiceLine, InvoiceSequence, MonthUsage, Subscription
from tenants.models import PlatformAuditLog, Tenant
from tenants.services import Branding, tenant_onboard
from tests.checkout import seat_ids
from tests.fixtures import PASSWORD, obtain_tokens
from venue_apps.accounts.models import Role
from venue_apps.orders.models import Order
from venue_apps.payments.models import LedgerEntry, Payment

pytestmark = pytest.mark.django_db

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")
MARCH = date(2027, 3, 1)


def at(zone, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def sell(schema: str, show, labels: list[str], when: datetime, *, live: bool = True) -> Order:
    """A customer's order paid through the sandbox at `when` (the real checkout); the
    sandbox takes only test money, so a sale that stands for a live one is marked live
    afterwards, which is what the ledger's readers go by."""
    from tests.factories import PaidOrderFactory, UserFactory

    with time_machine.travel(when, tick=False), schema_context(schema):
        customer = UserFactory(schema=schema, role=Role.CUSTOMER)
        order = PaidOrderFactory(schema=schema, show=show, customer=customer, labels=labels)
        if live:
            Payment.objects.filter(order=order).update(test_mode=False)
    return order


def staff_refund(api, tenant: Tenant, make_user, order: Order, when: datetime, **body) -> int:
    """A manager's refund through the API (the real refund service), at `when`."""
    manager = make_user(tenant, role=Role.MANAGER)
    with time_machine.travel(when, tick=False):
        client = api(tenant)
        client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, manager.email)['access']}"
        )
        answer = client.post(f"/api/v1/orders/{order.pk}/refunds/", body, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()["amount"]


@pytest.fixture
def plans(db):
    trial = services.plan_create(
        code="cinema-trial",
        name="Cinema",
        basis_points=150,
        trial_days=30,
        prices={"INR": {"monthly_fee": 99_900, "per_ticket": 500}},
    )
    euro = services.plan_create(
        code="euro",
        name="Euro",
        basis_points=200,
        prices={"EUR": {"monthly_fee": 4_900, "per_ticket": 25}},
    )
    return trial, euro


@pytest.fixture
def march(alpha, plans, api, make_user, tasks_inline, django_capture_on_commit_callbacks):
    """The two chains' Marches, sold and refunded through the real services."""
    from tests.factories import ShowFactory

    # alpha: on the trial plan since 15 February (its trial's last day is 16 March).
    Subscription.objects.filter(tenant=alpha).delete()
    services.subscription_start(alpha, "cinema-trial", starts_on=date(2027, 2, 15))
    # gamma: onboarded on 11 March, Dublin time, on the euro plan.
    with time_machine.travel(at(DUBLIN, date(2027, 3, 11), 12), tick=False):
        gamma = tenant_onboard(
            name="Gamma Kinos",
            slug="gamma",
            owner_email="owner@gamma.test",
            owner_password=PASSWORD,
            currency="EUR",
            timezone="Europe/Dublin",
            branding=Branding(display_name="Gamma"),
            plan="euro",
        )

    with time_machine.travel(at(KOLKATA, date(2027, 3, 2), 10), tick=False):
        show = ShowFactory(schema="alpha", starts_at=at(KOLKATA, date(2027, 4, 5), 18))
        april_show = ShowFactory(
            schema="alpha",
            starts_at=at(KOLKATA, date(2027, 4, 10), 18),
            price_card=show.price_card,
        )
    with time_machine.travel(at(DUBLIN, date(2027, 3, 12), 10), tick=False):
        euro_show = ShowFactory(schema="gamma", starts_at=at(DUBLIN, date(2027, 3, 28), 20))

    pair = sell("alpha", show, ["A1", "A2"], at(KOLKATA, date(2027, 3, 5), 11))
    three = sell("alpha", show, ["B1", "B2", "B3"], at(KOLKATA, date(2027, 3, 31), 23, 30))
    test_money = sell("alpha", show, ["C1"], at(KOLKATA, date(2027, 3, 6), 12), live=False)
    # 00:30 on 1 April in Kolkata is still 31 March in UTC: April's, not March's.
    april = sell("alpha", april_show, ["D1"], at(KOLKATA, date(2027, 4, 1), 0, 30))
    with django_capture_on_commit_callbacks(execute=True):
        seat = seat_ids("alpha", show, ["B1"])[0]
        alpha_refund = staff_refund(
            api, alpha, make_user, three, at(KOLKATA, date(2027, 3, 31), 23, 45), seats=[seat]
        )

    euro = sell("gamma", euro_show, ["A1", "A2"], at(DUBLIN, date(2027, 3, 20), 15))
    with django_capture_on_commit_callbacks(execute=True):
        gamma_refund = staff_refund(
            api, gamma, make_user, euro, at(DUBLIN, date(2027, 3, 21), 9), amount=300
        )
    return {
        "gamma": gamma,
        "alpha_gross": pair.total + three.total,
        "alpha_refund": alpha_refund,
        "test_money": test_money,
        "april": april,
        "gamma_gross": euro.total,
        "gamma_refund": gamma_refund,
    }


def lines_of(invoice: Invoice) -> list[tuple[str, int, int, int]]:
    return [
        (line.description, line.quantity, line.unit_amount, line.amount)
        for line in invoice.lines.order_by("position")
    ]


def share(amount: int, basis_points: int) -> int:
    return (amount * basis_points + 5_000) // 10_000


def test_the_close_bills_each_chain_from_its_ledger_once(alpha, march):
    gamma = march["gamma"]
    # 02:00 on 1 April in Kolkata: alpha's March is over, gamma's (Dublin) is not.
    with time_machine.travel(at(KOLKATA, date(2027, 4, 1), 2), tick=False):
        first = services.month_close(MARCH)
    assert [
        invoice.tenant.slug for invoice in first.issued if invoice.tenant.slug in ("alpha", "gamma")
    ] == ["alpha"]
    assert "gamma" in first.waiting

    # The ledger agrees with the orders: live sales only, a seat refunded in full.
    assert march["alpha_refund"] > 0
    alpha_invoice = Invoice.objects.get(tenant=alpha, month=MARCH)
    alpha_net = march["alpha_gross"] - march["alpha_refund"]
    assert alpha_invoice.currency == "INR"
    # 31 days billed; the trial's 16 days of March (1 to 16) waived: 99,900 less the
    # fee of the 15 paid days (99,900 x 15 / 31 = 48,338.7 → 48,339).
    assert lines_of(alpha_invoice) == [
        ("Monthly fee, Cinema plan, March 2027", 1, 99_900, 99_900),
        (
            "Free trial to 16 March 2027: the monthly fee of 16 days waived",
            1,
            -51_561,
            -51_561,
        ),
        (
            "Fee per ticket, 5.00 INR each (live tickets sold less those refunded in full)",
            4,
            500,
            2_000,
        ),
        (
            f"1.50% of net live sales: {march['alpha_gross'] / 100:,.2f} INR gross less "
            f"{march['alpha_refund'] / 100:,.2f} INR refunded = {alpha_net / 100:,.2f} INR",
            1,
            share(alpha_net, 150),
            share(alpha_net, 150),
        ),
    ]
    assert alpha_invoice.total == 99_900 - 51_561 + 2_000 + share(alpha_net, 150)
    assert alpha_invoice.usage["tickets"] == 4
    assert alpha_invoice.usage["gross"] == march["alpha_gross"]
    assert alpha_invoice.usage["refunded"] == march["alpha_refund"]
    assert alpha_invoice.status == Invoice.Status.OPEN
    assert alpha_invoice.next_attempt_at == alpha_invoice.issued_at
    # The test-mode sale and April's sale are in the ledger, just not in March's bill.
    with schema_context("alpha"):
        assert LedgerEntry.objects.filter(order=march["test_money"], kind="sale").exists()
        assert LedgerEntry.objects.filter(order=march["april"], kind="sale").exists()

    # 01:00 on 1 April in Dublin: gamma's March is over too.
    with time_machine.travel(at(DUBLIN, date(2027, 4, 1), 1), tick=False):
        second = services.month_close(MARCH)
    assert [
        invoice.tenant.slug
        for invoice in second.issued
        if invoice.tenant.slug in ("alpha", "gamma")
    ] == ["gamma"]
    assert "alpha" in [invoice.tenant.slug for invoice in second.existing]
    gamma_invoice = Invoice.objects.get(tenant=gamma, month=MARCH)
    gamma_net = march["gamma_gross"] - march["gamma_refund"]
    assert march["gamma_refund"] == 300
    # Onboarded on 11 March: 21 of 31 days (4,900 x 21 / 31 = 3,319.35 → 3,319); the
    # partial refund gave back money, not a ticket.
    assert lines_of(gamma_invoice) == [
        ("Monthly fee, Euro plan, 21 of 31 days (11 to 31 March 2027)", 1, 3_319, 3_319),
        (
            "Fee per ticket, 0.25 EUR each (live tickets sold less those refunded in full)",
            2,
            25,
            50,
        ),
        (
            f"2.00% of net live sales: {march['gamma_gross'] / 100:,.2f} EUR gross less "
            f"3.00 EUR refunded = {gamma_net / 100:,.2f} EUR",
            1,
            share(gamma_net, 200),
            share(gamma_net, 200),
        ),
    ]
    assert gamma_invoice.currency == "EUR"
    assert gamma_invoice.total == 3_319 + 50 + share(gamma_net, 200)

    # The console's copy of the month, from the same ledger.
    usage = MonthUsage.objects.get(tenant=gamma, month=MARCH)
    assert (usage.currency, usage.tickets, usage.gross, usage.refunded) == (
        "EUR",
        2,
        march["gamma_gross"],
        300,
    )
    assert PlatformAuditLog.objects.filter(
        tenant=gamma, action=PlatformAuditLog.Action.INVOICE_ISSUED
    ).exists()

    # Again, later: nothing new.
    count = Invoice.objects.count()
    with time_machine.travel(at(DUBLIN, date(2027, 4, 2), 9), tick=False):
        third = services.month_close(MARCH)
    assert third.issued == []
    assert Invoice.objects.count() == count
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"2027-{n:06d}" for n in range(1, len(numbers) + 1)]


def test_a_month_that_has_not_ended_anywhere_is_refused(alpha):
    with (
        time_machine.travel(datetime(2027, 3, 31, 9, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))),
        pytest.raises(services.DomainError) as refused,
    ):
        services.month_close(MARCH)
    assert refused.value.code == "month_not_ended"
    assert not Invoice.objects.exists()


def test_numbers_have_no_gap_when_an_issue_is_rolled_back(alpha, beta, monkeypatch):
    read = services.usage_read
    failing = {"beta"}

    def flaky(tenant, month):
        if tenant.slug in failing:
            raise RuntimeError("the chain's database went away")
        return read(tenant, month)

    monkeypatch.setattr(services, "usage_read", flaky)
    with time_machine.travel(datetime(2027, 4, 3, 12, tzinfo=KOLKATA), tick=False):
        with pytest.raises(RuntimeError):
            services.month_close(MARCH)
        issued_before = list(Invoice.objects.order_by("number").values_list("number", flat=True))
        failing.clear()
        services.month_close(MARCH)
    numbers = list(Invoice.objects.order_by("number").values_list("number", flat=True))
    assert issued_before == ["2027-000001"]  # alpha's, before beta's failed
    assert numbers == [f"2027-{n:06d}" for n in range(1, len(numbers) + 1)]
    assert len(numbers) >= 3  # alpha, beta, frozen (the session's chains)
    assert InvoiceSequence.objects.get(year=2027).last == len(numbers)


def test_an_issued_invoice_is_frozen_by_the_database(alpha):
    with time_machine.travel(datetime(2027, 4, 3, 12, tzinfo=KOLKATA), tick=False):
        services.month_close(MARCH)
    invoice = Invoice.objects.get(tenant=alpha, month=MARCH)
    line = invoice.lines.first()
    for statement, values in (
        ("UPDATE billing_invoice SET total = total + 1 WHERE id = %s", [invoice.pk]),
        ("UPDATE billing_invoice SET number = 'X' WHERE id = %s", [invoice.pk]),
        ("UPDATE billing_invoice SET month = '2027-02-01' WHERE id = %s", [invoice.pk]),
        ("DELETE FROM billing_invoice WHERE id = %s", [invoice.pk]),
        ("UPDATE billing_invoiceline SET amount = 0 WHERE id = %s", [line.pk]),
        ("DELETE FROM billing_invoiceline WHERE id = %s", [line.pk]),
    ):
        with (
            pytest.raises(DatabaseError, match="frozen"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, values)
    # Its status and dunning fields still move.
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.VOID, attempts=1)
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.VOID
    assert InvoiceLine.objects.filter(invoice=invoice).count() == 3


def test_a_zero_invoice_is_issued_paid_and_the_next_plan_applies_after_the_close(alpha, plans):
    # alpha is on the standard plan (nothing monthly, 1% of nothing sold): nothing to pay.
    with time_machine.travel(datetime(2027, 3, 20, 12, tzinfo=KOLKATA), tick=False):
        services.plan_change(alpha, "cinema-trial")
    subscription = Subscription.objects.get(tenant=alpha)
    assert (subscription.plan.code, subscription.next_plan.code) == ("standard", "cinema-trial")
    with time_machine.travel(datetime(2027, 4, 1, 3, tzinfo=KOLKATA), tick=False):
        services.month_close(MARCH)
    invoice = Invoice.objects.get(tenant=alpha, month=MARCH)
    assert invoice.total == 0
    assert invoice.status == Invoice.Status.PAID
    assert invoice.payment_reference == "nothing to pay"
    assert invoice.plan_code == "standard"
    subscription.refresh_from_db()
    alpha.refresh_from_db()
    assert (subscription.plan.code, subscription.next_plan) == ("cinema-trial", None)
    assert (alpha.platform_fee_per_ticket, alpha.platform_fee_basis_points) == (500, 150)
    assert PlatformAuditLog.objects.filter(
        tenant=alpha, action=PlatformAuditLog.Action.PLAN_CHANGED, actor_id__isnull=True
    ).exists()


def test_onboarding_refuses_a_plan_without_the_chains_currency(platform_client, plans):
    answer = platform_client.post(
        "/api/platform/tenants/",
        {
            "name": "Delta",
            "slug": "delta",
            "owner_email": "owner@delta.test",
            "owner_password": PASSWORD,
            "currency": "INR",
            "timezone": "Asia/Kolkata",
            "plan": "euro",
        },
        format="json",
    )
    assert answer.status_code == 400, answer.content
    assert answer.json()["code"] == "plan_currency_missing"
    assert not Tenant.objects.filter(slug="delta").exists()


def test_a_new_chain_is_on_the_default_plan_from_its_first_day(alpha):
    subscription = Subscription.objects.get(tenant=alpha)
    assert subscription.plan.code == "standard"
    assert subscription.trial_ends_on is None
    assert subscription.plan.prices.filter(currency="INR", monthly_fee=0, per_ticket=0).exists()
    assert subscription.plan.basis_points == 100


def test_the_ledger_counts_tickets_sold_and_refunded_in_full(
    alpha, api, make_user, tasks_inline, django_capture_on_commit_callbacks
):
    from tests.factories import ShowFactory

    show = ShowFactory(schema="alpha", starts_at=datetime.now(KOLKATA) + timedelta(days=5))
    now = datetime.now(KOLKATA)
    order = sell("alpha", show, ["A1", "A2", "A3"], now)
    with django_capture_on_commit_callbacks(execute=True):
        staff_refund(api, alpha, make_user, order, now, amount=100)
        seat = seat_ids("alpha", show, ["A2"])[0]
        staff_refund(api, alpha, make_user, order, now + timedelta(minutes=1), seats=[seat])
    with schema_context("alpha"):
        rows = list(
            LedgerEntry.objects.filter(order=order, account="ticket_sales")
            .order_by("created_at", "id")
            .values_list("kind", "tickets")
        )
        from venue_apps.payments.selectors import billing_usage

        usage = billing_usage(now - timedelta(hours=1), now + timedelta(hours=1))  # both in
    # Sold 3; the partial refund (100) gave back no ticket; the seat's refund gave one.
    assert rows == [("sale", 3), ("refund_due", 0), ("refund_due", -1)]
    assert usage["tickets"] == 2
    assert usage["gross"] == order.total
    assert usage["currency"] == "INR"

    # The migration's backfill of older rows finds the same counts from the orders.
    backfill = importlib.import_module("venue_apps.payments.migrations.0007_ledger_tickets")
    with schema_context("alpha"), connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE;"
            "ALTER TABLE payments_ledgerentry DISABLE TRIGGER payments_ledgerentry_append_only;"
            "UPDATE payments_ledgerentry SET tickets = 0;"
            "ALTER TABLE payments_ledgerentry ENABLE TRIGGER payments_ledgerentry_append_only;"
        )
        cursor.execute(backfill.BACKFILL)
        refilled = list(
            LedgerEntry.objects.filter(order=order, account="ticket_sales")
            .order_by("created_at", "id")
            .values_list("kind", "tickets")
        )
    assert refilled == rows


def test_the_beat_closes_last_month_and_refreshes_this_months_usage(alpha, settings):
    from ticketing_platform.celery import app

    app.loader.import_default_modules()  # what a worker does first: autodiscovery
    for name in ("billing-month-close", "billing-usage-refresh"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] in app.tasks
    with time_machine.travel(datetime(2027, 4, 1, 6, tzinfo=KOLKATA), tick=False):
        closed = app.tasks["tenants.billing.tasks.month_close_task"].apply().get()
        refreshed = app.tasks["tenants.billing.tasks.month_usage_refresh_task"].apply().get()
        again = app.tasks["tenants.billing.tasks.month_close_task"].apply().get()
    alpha_march = Invoice.objects.get(tenant=alpha, month=MARCH)
    assert alpha_march.number in closed["issued"]
    assert again["issued"] == []
    assert alpha_march.number in again["existing"]
    assert refreshed >= 3
    assert MonthUsage.objects.filter(tenant=alpha, month=date(2027, 4, 1)).exists()
