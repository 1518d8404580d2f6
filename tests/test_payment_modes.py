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
from venue_apps.payments.models import LedgerEntry, Payment, Refund, WebhookEvent
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
