"""Fraud checks: velocity per customer, address and card; blocks after repeated
failures; money that does not match the order. Every decision is logged."""

from __future__ import annotations

import pytest
import responses
from django_tenants.utils import schema_context

from tests.checkout import (
    STRIPE_API,
    STRIPE_KEYS,
    checkout,
    hold,
    order,
    post_stripe_webhook,
    sandbox,
    seat_ids,
    stripe_charge,
    stripe_event,
    stripe_intent,
)
from venue_apps.accounts.models import Role
from venue_apps.orders.models import Order
from venue_apps.payments.models import FraudDecision, Payment, PaymentSettings, Refund
from venue_apps.payments.services.gateways import gateway_account_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(alpha, programme):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    return programme["show"]


def _limits(**values) -> None:
    with schema_context("alpha"):
        PaymentSettings.objects.update_or_create(pk=1, defaults=values)


def test_repeated_failures_block_the_customer_for_a_while(show, customer, as_role):
    _limits(failures_before_block=2, block_minutes=30)
    _, client = customer
    for label in ("A1", "A2"):
        body = checkout(client, show, seat_ids("alpha", show, [label]))
        assert sandbox(client, body["payment"]["id"], "decline").json()["status"] == "failed"

    blocked = order(client, hold(client, show, seat_ids("alpha", show, ["A3"]))["id"])
    other = as_role(Role.CUSTOMER)
    someone_else = order(other, hold(other, show, seat_ids("alpha", show, ["A4"]))["id"])

    assert blocked.status_code == 429
    assert blocked.json()["code"] == "too_many_failures"
    assert 1500 < int(blocked["Retry-After"]) <= 1800
    assert someone_else.status_code == 201  # the same address, another account: not blocked
    with schema_context("alpha"):
        assert not Order.objects.filter(lines__seat_label="A3").exists()  # nothing was made
        denied = FraudDecision.objects.filter(verdict="deny").get()
        assert (denied.stage, denied.reason) == ("attempt", "too_many_failures")
        assert FraudDecision.objects.filter(verdict="allow", stage="attempt").count() == 3


def test_a_customer_may_only_try_so_often_an_hour(show, customer):
    _limits(attempts_per_customer_hour=2)
    _, client = customer
    for label in ("B1", "B2"):
        checkout(client, show, seat_ids("alpha", show, [label]))

    third = order(client, hold(client, show, seat_ids("alpha", show, ["B3"]))["id"])

    assert third.status_code == 429
    assert third.json()["code"] == "customer_velocity"
    assert third["Retry-After"] == "3600"


def test_an_address_gets_a_generous_ceiling_not_a_tight_limit(show, as_role):
    _limits(attempts_per_address_hour=3, attempts_per_customer_hour=1)
    answers = []
    for label in ("C1", "C2", "C3", "C4"):
        client = as_role(Role.CUSTOMER)  # four customers behind one cinema Wi-Fi
        answers.append(order(client, hold(client, show, seat_ids("alpha", show, [label]))["id"]))

    assert [answer.status_code for answer in answers] == [201, 201, 201, 429]
    assert answers[-1].json()["code"] == "address_velocity"


@pytest.fixture
def stripe_gateway(alpha):
    with schema_context(alpha.schema_name):
        gateway_account_set("stripe", **STRIPE_KEYS)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def test_a_payment_for_the_wrong_amount_is_refunded_not_accepted(
    api, alpha, show, customer, stripe_gateway
):
    _, client = customer
    seats = seat_ids("alpha", show, ["D1"])
    stripe_gateway.add(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents",
        json=stripe_intent("pi_mismatch1", 20000),
    )
    body = checkout(client, show, seats, provider="stripe")

    answer = post_stripe_webhook(
        api(alpha),
        stripe_event(
            "payment_intent.succeeded",
            stripe_intent("pi_mismatch1", 100, status="succeeded"),  # one rupee, not two hundred
        ),
    )

    assert answer.json()["detail"] == "captured but refused (amount_mismatch); refunding"
    with schema_context("alpha"):
        assert Order.objects.get(pk=body["id"]).status == "refunded"
        refund = Refund.objects.get()
        assert (refund.amount, refund.reason) == (100, "amount_mismatch")
        decision = FraudDecision.objects.get(stage="capture")
        assert (decision.verdict, decision.reason) == ("deny", "amount_mismatch")
        assert "Got 100 INR" in decision.detail


def test_one_card_paying_too_often_is_refused(api, alpha, show, as_role, stripe_gateway):
    _limits(payments_per_card_hour=2)
    outcomes = []
    for index, label in enumerate(("A5", "A6", "A7")):
        client = as_role(Role.CUSTOMER)
        intent = f"pi_card{index:05d}"
        stripe_gateway.add(
            responses.POST, f"{STRIPE_API}/v1/payment_intents", json=stripe_intent(intent, 20000)
        )
        body = checkout(client, show, seat_ids("alpha", show, [label]), provider="stripe")
        amount = body["total"]
        post_stripe_webhook(
            api(alpha),
            stripe_event(
                "charge.succeeded", stripe_charge(intent, amount, fingerprint="fpStolenCard")
            ),
        )
        outcomes.append(client.get(f"/api/v1/orders/{body['id']}/").json()["status"])

    assert outcomes == ["paid", "paid", "refunded"]
    with schema_context("alpha"):
        assert Refund.objects.get().reason == "fraud"
        assert FraudDecision.objects.filter(reason="card_velocity").count() == 1
        assert Payment.objects.filter(card_fingerprint="fpStolenCard").count() == 3
