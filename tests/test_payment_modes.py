"""Test mode and live mode never mix: webhooks verified with one mode's secret move only
that mode's payments and refunds, and test-mode orders are worth nothing once a chain
is live (not sold, voided by a sweep, refused at the door)."""

from __future__ import annotations

import pytest
import responses
from django_tenants.utils import schema_context

from tests.checkout import (
    STRIPE_API,
    STRIPE_KEYS,
    STRIPE_LIVE_KEYS,
    checkout,
    go_live_with_stripe,
    post_stripe_webhook,
    seat_ids,
    states,
    stripe_event,
    stripe_intent,
    stripe_refunds_none_yet,
)
from venue_apps.accounts.models import Role
from venue_apps.orders.models import Order
from venue_apps.payments.models import FraudDecision, LedgerEntry, Payment, Refund, WebhookEvent
from venue_apps.payments.services.gateways import gateway_account_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(alpha, programme):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    return programme["show"]


@pytest.fixture
def gateway():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        stripe_refunds_none_yet(mock)
        yield mock


@pytest.fixture
def live_chain(alpha, show):
    """A chain that tried Stripe in test mode (its test keys are still stored) and
    then went live with its live keys."""
    with schema_context(alpha.schema_name):
        gateway_account_set("stripe", **STRIPE_KEYS)
    go_live_with_stripe(alpha.schema_name)
    return show


def _live_checkout(client, show, labels, gateway, intent_id):
    gateway.add(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents",
        json=stripe_intent(intent_id, 0),
    )
    return checkout(client, show, seat_ids("alpha", show, labels), provider="stripe")


def _snapshot() -> dict:
    return {
        "events": WebhookEvent.objects.count(),
        "fraud_decisions": FraudDecision.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "payments": sorted(Payment.objects.values_list("status", "captured_amount")),
        "refunds": sorted(Refund.objects.values_list("status", "gateway_reference")),
        "orders": sorted(Order.objects.values_list("status", flat=True)),
    }


# --- item 2: a webhook moves only payments of the mode whose secret verified it ---------


def test_a_capture_signed_with_the_test_secret_does_not_pay_a_live_order(
    api, alpha, live_chain, customer, gateway
):
    # Attack: test-mode webhook secrets are handed to developers and CI. Whoever knows
    # one could sign `payment_intent.succeeded` for a real customer's live payment and
    # get real seats and tickets without paying a rupee.
    _, client = customer
    body = _live_checkout(client, live_chain, ["A1"], gateway, "pi_live_attack1")
    seats = seat_ids("alpha", live_chain, ["A1"])
    with schema_context("alpha"):
        assert Payment.objects.get(pk=body["payment"]["id"]).test_mode is False
        before = _snapshot()

    forged = post_stripe_webhook(
        api(alpha),
        stripe_event(
            "payment_intent.succeeded",
            stripe_intent("pi_live_attack1", body["total"], status="succeeded"),
        ),
        secret=STRIPE_KEYS["webhook_secret"],
    )

    assert forged.status_code == 400, forged.content
    assert forged.json()["code"] == "mode_mismatch"
    assert client.get(f"/api/v1/orders/{body['id']}/").json()["status"] == "pending"
    assert states("alpha", seats) == {seats[0]: "held"}
    with schema_context("alpha"):
        assert _snapshot() == before


def test_the_live_secret_still_pays_a_live_order(api, alpha, live_chain, customer, gateway):
    _, client = customer
    body = _live_checkout(client, live_chain, ["A2"], gateway, "pi_live_honest1")

    paid = post_stripe_webhook(
        api(alpha),
        stripe_event(
            "payment_intent.succeeded",
            stripe_intent("pi_live_honest1", body["total"], status="succeeded"),
        ),
        secret=STRIPE_LIVE_KEYS["webhook_secret"],
    )

    assert paid.status_code == 200, paid.content
    assert client.get(f"/api/v1/orders/{body['id']}/").json()["status"] == "paid"


def test_a_refund_failure_signed_with_the_test_secret_leaves_a_live_refund_alone(
    api, alpha, live_chain, customer, gateway, as_role
):
    # Attack: with the test secret, someone reports a real refund as failed. The money
    # shows as owed again and staff "send it again": the customer is refunded twice.
    from venue_apps.payments.services.refunds import refund_execute

    _, client = customer
    body = _live_checkout(client, live_chain, ["A3"], gateway, "pi_live_refund1")
    post_stripe_webhook(
        api(alpha),
        stripe_event(
            "payment_intent.succeeded",
            stripe_intent("pi_live_refund1", body["total"], status="succeeded"),
        ),
        secret=STRIPE_LIVE_KEYS["webhook_secret"],
    )
    refund = (
        as_role(Role.MANAGER).post(f"/api/v1/orders/{body['id']}/refunds/", {}, format="json")
    ).json()
    gateway.add(
        responses.POST,
        f"{STRIPE_API}/v1/refunds",
        json={"id": "re_live_pending1", "object": "refund", "status": "pending"},
    )
    with schema_context("alpha"):
        assert refund_execute(refund["id"]) == "pending"
        before = _snapshot()

    forged = post_stripe_webhook(
        api(alpha),
        stripe_event(
            "refund.failed",
            {
                "id": "re_live_pending1",
                "object": "refund",
                "status": "failed",
                "amount": body["total"],
                "currency": "inr",
                "payment_intent": "pi_live_refund1",
                "metadata": {"refund": refund["id"]},
            },
        ),
        secret=STRIPE_KEYS["webhook_secret"],
    )

    assert forged.status_code == 400, forged.content
    assert forged.json()["code"] == "mode_mismatch"
    with schema_context("alpha"):
        assert Refund.objects.get(pk=refund["id"]).status == "pending"
        assert _snapshot() == before


# --- item 3: once a chain is live, test-mode orders are worth nothing -----------------


def _sandbox_paid(client, show, labels) -> dict:
    from tests.checkout import sandbox

    body = checkout(client, show, seat_ids("alpha", show, labels))
    assert sandbox(client, body["payment"]["id"], "approve").json()["order_status"] == "paid"
    return body


def _today(show) -> None:
    """Move the show to half an hour from now, so its tickets are good at the door."""
    from datetime import timedelta

    from django.utils import timezone

    from venue_apps.shows.models import Show

    with schema_context("alpha"):
        show = Show.objects.select_related("venue").get(pk=show.pk)
        starts = timezone.now() + timedelta(minutes=30)
        Show.objects.filter(pk=show.pk).update(
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            busy_until=starts + timedelta(hours=2, minutes=20),
            local_date=starts.astimezone(show.venue.zone).date(),
        )


def test_a_test_mode_ticket_is_refused_at_the_door_once_the_chain_is_live(
    alpha, show, customer, as_role
):
    # Attack: in test mode the sandbox "pays" for nothing. Whoever booked then (or books
    # in the minutes before a chain goes live) holds tickets that would get them into a
    # real show for free, and the platform charges no fee on them. Going live here
    # voids nothing (its task never ran, as when the broker is down): the door must
    # still say no.
    from venue_apps.tickets.models import CheckIn, Ticket

    _, client = customer
    body = _sandbox_paid(client, show, ["B5"])
    _today(show)
    qr = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]["qr"]
    go_live_with_stripe("alpha")

    scan = as_role(Role.SCANNER).post("/api/v1/checkin/", {"qr": qr}, format="json")

    assert scan.status_code == 403, scan.content
    assert scan.json()["code"] == "test_ticket"
    with schema_context("alpha"):
        assert Ticket.objects.get(order_id=body["id"]).checked_in_at is None
        assert list(CheckIn.objects.values_list("verdict", "admitted")) == [("test_ticket", False)]


def test_a_test_mode_ticket_is_still_admitted_while_the_chain_is_in_test_mode(
    alpha, show, customer, as_role
):
    _, client = customer
    body = _sandbox_paid(client, show, ["B6"])
    _today(show)
    qr = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]["qr"]

    scan = as_role(Role.SCANNER).post("/api/v1/checkin/", {"qr": qr}, format="json")

    assert scan.status_code == 200, scan.content


def test_offline_scanners_are_told_that_test_tickets_are_void_once_live(
    alpha, show, customer, as_role
):
    # Attack: a door scanner working offline knows only the key and the revocations;
    # without this a test-mode ticket (free through the sandbox) still gets in there.
    import uuid

    _, client = customer
    body = _sandbox_paid(client, show, ["B7"])
    ticket = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]
    test_mode_keys = as_role(Role.SCANNER).get("/api/v1/checkin/keys/").json()
    go_live_with_stripe("alpha")

    live_keys = as_role(Role.SCANNER).get("/api/v1/checkin/keys/").json()

    assert test_mode_keys["revoked"] == []
    assert [(item["ticket"], item["reason"]) for item in live_keys["revoked"]] == [
        (uuid.UUID(ticket["id"]).hex, "test_ticket")
    ]


def test_voiding_test_orders_is_a_periodic_sweep_through_the_tenant_fan_out(settings):
    # A single task queued on going live is lost with the broker: test tickets would
    # keep real seats off sale and stay valid for offline doors. The sweep comes back.
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry.get("args") == ("venue_apps.sales.tasks.test_orders_void_task",)
    ]

    assert len(entries) == 1
    assert entries[0]["task"] == "tenants.tasks.tenants_fan_out"
    assert entries[0]["schedule"] <= 600


def test_the_sweep_leaves_a_chain_in_test_mode_alone(alpha, show, customer):
    # A sweep that voided test orders while the chain is still testing would cancel
    # its staff's rehearsal bookings every five minutes.
    from venue_apps.sales.cancellation import test_orders_void

    _, client = customer
    _sandbox_paid(client, show, ["B8"])
    seats = seat_ids("alpha", show, ["B8"])
    with schema_context("alpha"):
        before = _snapshot()

        done = test_orders_void()

        assert done == {"voided": 0, "released": 0, "failed": 0}
        assert _snapshot() == before
    assert states("alpha", seats) == {seats[0]: "sold"}


def test_the_sweep_voids_test_orders_after_going_live_and_again_does_nothing(alpha, show, customer):
    # Going live queued one task; here it never ran (the broker was down). The sweep
    # finds the test orders all the same, and a second pass changes nothing.
    from venue_apps.sales.cancellation import test_orders_void

    _, client = customer
    paid = _sandbox_paid(client, show, ["C1"])
    pending = checkout(client, show, seat_ids("alpha", show, ["C2"]))
    seats = seat_ids("alpha", show, ["C1", "C2"])
    go_live_with_stripe("alpha")

    with schema_context("alpha"):
        first = test_orders_void()
        after_first = _snapshot()
        second = test_orders_void()
        assert _snapshot() == after_first
        assert Order.objects.get(pk=paid["id"]).status == "refunded"
        assert Order.objects.get(pk=pending["id"]).status == "cancelled"

    assert first == {"voided": 1, "released": 1, "failed": 0}
    assert second == {"voided": 0, "released": 0, "failed": 0}
    assert states("alpha", seats) == {seats[0]: "available", seats[1]: "available"}


def test_a_test_payment_captured_after_going_live_is_refunded_not_sold(
    api, alpha, show, customer, gateway
):
    # Attack: start a Stripe checkout while the chain is in test mode, wait for it to
    # go live, then pay with Stripe's test card: without this, real seats are sold
    # (and tickets issued) for test money.
    _, client = customer
    with schema_context("alpha"):
        gateway_account_set("stripe", **STRIPE_KEYS)
    gateway.add(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents",
        json=stripe_intent("pi_test_late01", 0),
    )
    body = checkout(client, show, seat_ids("alpha", show, ["C3"]), provider="stripe")
    seats = seat_ids("alpha", show, ["C3"])
    go_live_with_stripe("alpha")

    paid = post_stripe_webhook(
        api(alpha),
        stripe_event(
            "payment_intent.succeeded",
            stripe_intent("pi_test_late01", body["total"], status="succeeded"),
        ),
        secret=STRIPE_KEYS["webhook_secret"],
    )

    assert paid.status_code == 200, paid.content
    order_body = client.get(f"/api/v1/orders/{body['id']}/").json()
    assert (order_body["status"], order_body["reason"]) == ("refunded", "test_mode")
    assert states("alpha", seats) == {seats[0]: "available"}
    with schema_context("alpha"):
        from venue_apps.tickets.models import Ticket

        assert not Ticket.objects.filter(order_id=body["id"]).exists()
        refund = Refund.objects.get(order_id=body["id"])
        assert (refund.amount, refund.reason) == (body["total"], "test_mode")


def test_a_test_mode_order_cannot_be_paid_with_live_money(alpha, show, customer, gateway):
    # Paying a test-mode order with a live card would make tickets that the sweep then
    # voids (and refunds); a live order paid in test mode would be real tickets for
    # test money. An attempt in the other mode than the order's is refused.
    _, client = customer
    body = checkout(client, show, seat_ids("alpha", show, ["C4"]))
    go_live_with_stripe("alpha")
    with schema_context("alpha"):
        before = _snapshot()

    retry = client.post(
        f"/api/v1/orders/{body['id']}/payments/", {"provider": "stripe"}, format="json"
    )

    assert retry.status_code == 409, retry.content
    assert retry.json()["code"] == "mode_changed"
    with schema_context("alpha"):
        assert _snapshot() == before


def test_test_and_live_keys_cannot_share_a_webhook_secret(alpha, as_role):
    # Razorpay lets the chain choose its webhook secrets. If the test one (handed to
    # developers) were also the live one, events signed with it would verify as live
    # events and move real money: the two modes must have different secrets.
    from tests.checkout import RAZORPAY_KEYS
    from venue_apps.audit.models import AuditEntry
    from venue_apps.payments.models import GatewayAccount

    owner = as_role(Role.OWNER)
    assert (
        owner.put("/api/v1/payment-accounts/razorpay/", RAZORPAY_KEYS, format="json").status_code
        == 200
    )
    with schema_context("alpha"):
        before = (
            list(GatewayAccount.objects.values_list("provider", "live", "webhook_secret_hint")),
            AuditEntry.objects.count(),
        )

    same = owner.put(
        "/api/v1/payment-accounts/razorpay/",
        {
            **RAZORPAY_KEYS,
            "public_key": "rzp_live_Alpha01",  # a made-up key id
            "secret_key": "AlphaLiveSecret01234",
        },
        format="json",
    )

    assert (same.status_code, same.json()["code"]) == (400, "key_invalid")
    with schema_context("alpha"):
        after = (
            list(GatewayAccount.objects.values_list("provider", "live", "webhook_secret_hint")),
            AuditEntry.objects.count(),
        )
    assert after == before
