"""The box office's money: cash and the card terminal, tills and shifts.

Everything goes through the API as the box office screen calls it, with real sign-ins
(the token endpoint) and real holds. The issue's test: a shift opened with a float,
a sale for cash and one by card, one refunded, the shift closed with a count; then the
shift report, the ledger and the sales report agree to the minor unit.
"""

from __future__ import annotations

import zoneinfo

import pytest
from django.db.models import Sum
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.checkout import hold, order, seat_ids
from tests.factories import TillFactory
from tests.fixtures import obtain_tokens
from venue_apps.accounts.models import Role
from venue_apps.audit.models import AuditEntry
from venue_apps.inventory.models import SeatState, ShowSeat
from venue_apps.orders.models import Order
from venue_apps.payments.models import LedgerAccount, LedgerEntry, Payment, PaymentSettings, Refund
from venue_apps.sales import cancellation
from venue_apps.tickets.models import Ticket
from venue_apps.tills.models import Shift

pytestmark = pytest.mark.django_db
CASH, CARD = LedgerAccount.FUNDS_CASH, LedgerAccount.FUNDS_CARD


def signed_in(api, tenant, user):
    client = api(tenant)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, user.email)['access']}")
    return client


@pytest.fixture
def till(programme):
    return TillFactory(schema="alpha", venue=programme["venue"], name="Counter 1")


@pytest.fixture
def cashier(api, alpha, make_user):
    user = make_user(alpha, role=Role.BOX_OFFICE)
    return user, signed_in(api, alpha, user)


def open_shift(client, till, amount=50_000):
    answer = client.post("/api/v1/shifts/", {"till": till.pk, "float": amount}, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def sell(client, show, labels, provider, **extra):
    held = hold(client, show, seat_ids("alpha", show, labels))
    answer = order(client, held["id"], provider, **extra)
    assert answer.status_code == 201, answer.content
    return answer.json()


def balance(account: str, **filters) -> int:
    with schema_context("alpha"):
        total = LedgerEntry.objects.filter(account=account, **filters).aggregate(s=Sum("amount"))
    return int(total["s"] or 0)


def test_a_shift_of_cash_and_card_sales_and_a_refund_agrees_with_the_ledger_and_the_sales_report(
    api, alpha, programme, till, cashier, manager, tasks_inline
):
    user, client = cashier
    show = programme["show"]
    opened = open_shift(client, till, 50_000)
    assert opened["till"]["id"] == till.pk and opened["status"] == "open"
    assert opened["float"] == 50_000 and opened["opened_by"] == user.email

    cash = sell(client, show, ["A1", "A2"], "cash", name="Walk-in", phone="+91 98200 00000")
    card = sell(client, show, ["A3"], "card", terminal_reference="APPR-0042")
    kept = sell(client, show, ["A4"], "cash")

    for sold in (cash, card, kept):
        assert sold["status"] == "paid"
        assert sold["payment"]["status"] == "succeeded"
    assert cash["payment"]["provider"] == "cash" and card["payment"]["provider"] == "card"
    with schema_context("alpha"):
        assert Ticket.objects.filter(order_id=cash["id"]).count() == 2
        assert set(
            ShowSeat.objects.filter(
                pk__in=seat_ids("alpha", show, ["A1", "A2", "A3", "A4"])
            ).values_list("state", flat=True)
        ) == {SeatState.SOLD}
        payments = Payment.objects.filter(order_id__in=[cash["id"], card["id"], kept["id"]])
        assert set(payments.values_list("shift_id", flat=True)) == {opened["id"]}
        assert Payment.objects.get(order_id=card["id"]).gateway_payment_id == "APPR-0042"

    # The cashier takes the first cash sale back at the counter (the policy's refund).
    cancelled = client.post(f"/api/v1/orders/{cash['id']}/cancel/", format="json")
    assert cancelled.status_code == 200, cancelled.content
    refunded = cancelled.json()["refund"]
    assert refunded > 0 and cancelled.json()["refund_status"] == "succeeded"
    with schema_context("alpha"):
        refund = Refund.objects.get(order_id=cash["id"])
        assert refund.status == Refund.Status.SUCCEEDED and refund.shift_id == opened["id"]

    cash_in = cash["total"] + kept["total"]
    expected = 50_000 + cash_in - refunded
    closed = client.post(
        f"/api/v1/shifts/{opened['id']}/close/", {"counted": expected - 150}, format="json"
    )
    assert closed.status_code == 200, closed.content
    report = closed.json()
    assert {key: report[key] for key in report if key not in ("opened_at", "closed_at")} == {
        "id": opened["id"],
        "till": {"id": till.pk, "name": "Counter 1", "venue": opened["till"]["venue"]},
        "opened_by": user.email,
        "opened_by_name": user.name,
        "status": "closed",
        "currency": alpha.currency,
        "float": 50_000,
        "cash_sales": cash_in,
        "cash_refunds": refunded,
        "card_sales": card["total"],
        "card_refunds": 0,
        "expected_cash": expected,
        "counted": expected - 150,
        "variance": -150,
        "orders": 3,
        "tickets": 4,
    }
    assert report["closed_at"] is not None
    assert client.get(f"/api/v1/shifts/{opened['id']}/report/").json() == report

    # The ledger: the counter's accounts hold exactly what the report says, all of it
    # against this shift, and every journal balances.
    assert balance(CASH) == balance(CASH, shift_id=opened["id"]) == cash_in - refunded
    assert balance(CARD) == balance(CARD, shift_id=opened["id"]) == card["total"]
    assert balance(LedgerAccount.CUSTOMER_FUNDS) == 0
    with schema_context("alpha"):
        assert LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == 0

    # The sales report (in test mode: counter money is real money, so it counts).
    with schema_context("alpha"):
        assert not PaymentSettings.current().live
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(alpha.timezone)).isoformat()
    sales = manager.get(f"/api/v1/reports/sales/?from={today}&to={today}&group=day")
    assert sales.status_code == 200, sales.content
    assert sales.json()["totals"] == {
        "tickets": 4,
        "gross": cash_in + card["total"],
        "refunds": refunded,
        "net": balance(CASH) + balance(CARD),
    }


def test_a_card_refund_goes_back_on_the_terminal_from_the_refunders_shift(
    api, alpha, programme, till, cashier, make_user, tasks_inline
):
    _, client = cashier
    shift = open_shift(client, till)
    card = sell(client, programme["show"], ["B1"], "card")
    manager_user = make_user(alpha, role=Role.MANAGER)
    boss = signed_in(api, alpha, manager_user)

    refused = boss.post(f"/api/v1/orders/{card['id']}/refunds/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "shift_required"
    assert balance(CARD) == card["total"]

    second = TillFactory(schema="alpha", venue=programme["venue"], name="Counter 2")
    own = open_shift(boss, second, 0)
    refunded = boss.post(f"/api/v1/orders/{card['id']}/refunds/", {}, format="json")

    assert refunded.status_code == 201, refunded.content
    assert balance(CARD) == 0
    assert balance(CARD, shift_id=own["id"]) == -card["total"]
    report = boss.get(f"/api/v1/shifts/{own['id']}/report/").json()
    assert (report["card_refunds"], report["card_sales"], report["expected_cash"]) == (
        card["total"],
        0,
        0,
    )
    assert boss.get(f"/api/v1/shifts/{shift['id']}/report/").json()["card_sales"] == card["total"]


def test_selling_for_cash_without_an_open_shift_is_refused_and_changes_nothing(
    programme, till, cashier
):
    _, client = cashier
    held = hold(client, programme["show"], seat_ids("alpha", programme["show"], ["A1"]))

    answer = order(client, held["id"], "cash")

    assert answer.status_code == 409
    assert answer.json()["code"] == "shift_required"
    with schema_context("alpha"):
        assert not Order.objects.exists()
        assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("provider", ["cash", "card"])
def test_a_customer_cannot_pay_at_the_counter(customer, programme, provider):
    _, client = customer
    held = hold(client, programme["show"], seat_ids("alpha", programme["show"], ["A1"]))

    answer = order(client, held["id"], provider)

    assert answer.status_code == 403
    assert answer.json()["code"] == "counter_staff_only"
    with schema_context("alpha"):
        assert not Order.objects.exists() and not Payment.objects.exists()


def test_a_scanner_can_neither_hold_nor_sell_nor_open_a_shift(as_role, programme, till):
    client = as_role(Role.SCANNER)
    seats = seat_ids("alpha", programme["show"], ["A1"])

    assert (
        client.post(
            f"/api/v1/shows/{programme['show'].pk}/holds/", {"seats": seats}, format="json"
        ).status_code
        == 403
    )
    assert (
        client.post("/api/v1/shifts/", {"till": till.pk, "float": 0}, format="json").status_code
        == 403
    )
    assert client.get("/api/v1/tills/").status_code == 403
    with schema_context("alpha"):
        assert not Shift.objects.exists()


def test_a_manager_sells_for_cash_at_the_box_office(manager, programme, till):
    shift = open_shift(manager, till)

    sold = sell(manager, programme["show"], ["C1"], "cash")

    assert sold["status"] == "paid"
    with schema_context("alpha"):
        placed = Order.objects.get(pk=sold["id"])
        assert placed.customer_id is None and placed.sold_by_id is not None
    assert manager.get("/api/v1/shifts/current/").json()["id"] == shift["id"]


def test_one_open_shift_per_till_and_per_person(api, alpha, programme, till, cashier, make_user):
    _, client = cashier
    other = signed_in(api, alpha, make_user(alpha, role=Role.BOX_OFFICE))
    second = TillFactory(schema="alpha", venue=programme["venue"], name="Counter 2")
    shift = open_shift(client, till)

    busy = other.post("/api/v1/shifts/", {"till": till.pk, "float": 0}, format="json")
    twice = client.post("/api/v1/shifts/", {"till": second.pk, "float": 0}, format="json")

    assert (busy.status_code, busy.json()["code"]) == (409, "till_busy")
    assert (twice.status_code, twice.json()["code"]) == (409, "shift_already_open")
    with schema_context("alpha"):
        assert list(Shift.objects.values_list("pk", flat=True)) == [shift["id"]]
    tills = {row["id"]: row for row in client.get("/api/v1/tills/").json()}
    assert tills[till.pk]["open_shift"] == shift["id"]
    assert tills[second.pk]["open_shift"] is None
    assert tills[till.pk]["venue"] == {"id": programme["venue"].pk, "name": programme["venue"].name}

    # Closed, the till and the person are free again.
    client.post(f"/api/v1/shifts/{shift['id']}/close/", {"counted": 50_000}, format="json")
    assert (
        other.post("/api/v1/shifts/", {"till": till.pk, "float": 0}, format="json").status_code
        == 201
    )


def test_shifts_are_their_cashiers_own_and_every_one_is_a_managers(
    api, alpha, programme, till, cashier, make_user, manager
):
    _, client = cashier
    other = signed_in(api, alpha, make_user(alpha, role=Role.BOX_OFFICE))
    shift = open_shift(client, till)

    assert other.get(f"/api/v1/shifts/{shift['id']}/report/").status_code == 404
    assert (
        other.post(
            f"/api/v1/shifts/{shift['id']}/close/", {"counted": 0}, format="json"
        ).status_code
        == 404
    )
    assert other.get("/api/v1/shifts/current/").json()["code"] == "no_open_shift"
    assert manager.get(f"/api/v1/shifts/{shift['id']}/report/").status_code == 200

    closed = manager.post(
        f"/api/v1/shifts/{shift['id']}/close/", {"counted": 49_000}, format="json"
    )

    assert closed.status_code == 200 and closed.json()["variance"] == -1_000
    again = client.post(f"/api/v1/shifts/{shift['id']}/close/", {"counted": 0}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "shift_closed")
    with schema_context("alpha"):
        actions = list(
            AuditEntry.objects.filter(action__startswith="shift.").values_list("action", flat=True)
        )
        closing = AuditEntry.objects.get(action="shift.closed")
    assert sorted(actions) == ["shift.closed", "shift.opened"]
    assert closing.details["counted"] == 49_000 and closing.details["variance"] == -1_000


def test_bad_amounts_are_refused(programme, till, cashier):
    _, client = cashier
    for body in ({"till": till.pk, "float": -1}, {"till": till.pk}, {"till": 0, "float": 0}):
        answer = client.post("/api/v1/shifts/", body, format="json")
        assert answer.status_code in (400, 404), body
    with schema_context("alpha"):
        assert not Shift.objects.exists()


def test_another_chains_tills_and_shifts_are_never_seen(
    api, alpha, beta, make_user, programme, till, cashier
):
    _, client = cashier
    shift = open_shift(client, till)
    stranger = signed_in(api, beta, make_user(beta, role=Role.MANAGER))

    assert stranger.get("/api/v1/tills/").json() == []
    assert stranger.get(f"/api/v1/shifts/{shift['id']}/report/").status_code == 404
    assert (
        stranger.post("/api/v1/shifts/", {"till": till.pk, "float": 0}, format="json").json()[
            "code"
        ]
        == "till_not_found"
    )


def test_counter_sales_are_real_money_in_test_mode_and_survive_going_live(programme, till, cashier):
    """A chain in test mode may already sell at its counter: the cash is real, so the
    sale is a live one (it counts in the sales report and pays the platform's fee), and
    going live does not void it as it voids test-mode orders. A live chain sells at
    the counter without any gateway keys."""
    _, client = cashier
    open_shift(client, till)
    sold = sell(client, programme["show"], ["D1"], "cash")
    with schema_context("alpha"):
        placed = Order.objects.get(pk=sold["id"])
        payment = Payment.objects.get(order=placed)
        assert (placed.test_mode, payment.test_mode) == (False, False)
        assert placed.lines.get().platform_fee > 0

        PaymentSettings.objects.update(mode=PaymentSettings.Mode.LIVE)
        assert cancellation.test_orders_void() == {"voided": 0, "released": 0, "failed": 0}
        placed.refresh_from_db()
        assert placed.status == Order.Status.PAID

    live = sell(client, programme["show"], ["D2"], "card")
    assert live["status"] == "paid"


def test_a_cancelled_shows_cash_refund_waits_for_the_counter_and_is_paid_out_from_a_shift(
    api, alpha, programme, till, cashier, manager, tasks_inline, django_capture_on_commit_callbacks
):
    _, client = cashier
    show = programme["show"]
    shift = open_shift(client, till)
    sold = sell(client, show, ["C2", "C3"], "cash")
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = manager.post(f"/api/v1/shows/{show.pk}/cancel-and-refund/")
    assert cancelled.status_code == 200, cancelled.content
    with schema_context("alpha"):
        owed = Refund.objects.get(order_id=sold["id"])
    # Nobody was at the counter: the money is owed, not handed over.
    assert (owed.status, owed.shift_id, owed.amount) == ("pending", None, sold["total"])
    assert balance(CASH) == sold["total"]
    assert balance(LedgerAccount.REFUNDS_PAYABLE) == -sold["total"]

    refused = manager.post(f"/api/v1/refunds/{owed.pk}/pay-out/")
    assert (refused.status_code, refused.json()["code"]) == (409, "shift_required")
    paid = client.post(f"/api/v1/refunds/{owed.pk}/pay-out/")

    assert paid.status_code == 200, paid.content
    assert (paid.json()["status"], paid.json()["shift_id"]) == ("succeeded", shift["id"])
    assert balance(CASH) == 0 and balance(LedgerAccount.REFUNDS_PAYABLE) == 0
    report = client.get(f"/api/v1/shifts/{shift['id']}/report/").json()
    assert (report["cash_sales"], report["cash_refunds"]) == (sold["total"], sold["total"])
    again = client.post(f"/api/v1/refunds/{owed.pk}/pay-out/")
    assert (again.status_code, again.json()["code"]) == (409, "refund_invalid")
    with schema_context("alpha"):
        assert AuditEntry.objects.filter(action="refund.paid_out").count() == 1


def test_a_pending_order_cannot_be_paid_at_the_counter_later(customer, programme):
    _, client = customer
    held = hold(client, programme["show"], seat_ids("alpha", programme["show"], ["A1"]))
    placed = order(client, held["id"], "sandbox").json()

    answer = client.post(
        f"/api/v1/orders/{placed['id']}/payments/", {"provider": "cash"}, format="json"
    )

    assert (answer.status_code, answer.json()["code"]) == (400, "counter_staff_only")
    with schema_context("alpha"):
        assert list(Payment.objects.values_list("provider", flat=True)) == ["sandbox"]
