"""Money under real concurrency: several connections at once, committed data.

Each test starts its threads on a barrier so that the requests really overlap.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import responses
from django.db import connections
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tests.checkout import (
    STRIPE_API,
    STRIPE_KEYS,
    stripe_event,
    stripe_intent,
    stripe_signature,
)
from tests.fixtures import PASSWORD
from tests.programme import build_programme, programme_delete
from venue_apps.accounts.models import Role
from venue_apps.accounts.services.users import user_create
from venue_apps.inventory.models import Hold, ShowSeat
from venue_apps.orders.models import Order, OrderLine, PromoCode
from venue_apps.payments.models import Payment, WebhookEvent
from venue_apps.payments.services.gateways import gateway_account_set
from venue_apps.payments.services.ledger import ledger_balances

HOST = "beta.localhost"


@pytest.fixture
def race_chain(committed, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "checkout_client": "100000/min",
            "checkout_address": "100000/min",
            "hold_client": "100000/min",
            "hold_address": "100000/min",
        },
    }
    beta = Tenant.objects.get(slug="beta")
    before = beta.holds_per_customer
    Tenant.objects.filter(pk=beta.pk).update(holds_per_customer=20)
    programme = build_programme("beta")
    users = []
    with schema_context("beta"):
        for index in range(8):
            user = user_create(
                email=f"racer{index}@beta.test", password=PASSWORD, role=Role.CUSTOMER
            )
            committed.append(("beta", user))
            users.append(user)
        seats = dict(ShowSeat.objects.filter(show=programme["show"]).values_list("label", "id"))
    try:
        yield programme["show"], users, seats
    finally:
        programme_delete("beta")
        Tenant.objects.filter(pk=beta.pk).update(holds_per_customer=before)
        connections.close_all()


def _client(user) -> Client:
    client = Client(HTTP_HOST=HOST)
    token = client.post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    ).json()["access"]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def _order(client: Client, show, seats: list[int], **extra) -> dict:
    held = client.post(
        f"/api/v1/shows/{show.pk}/holds/", {"seats": seats}, content_type="application/json"
    )
    assert held.status_code == 201, held.content
    created = client.post(
        "/api/v1/orders/", {"hold": held.json()["id"], **extra}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    return created.json()


def _at_once(functions) -> list:
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        barrier.wait()
        try:
            results[index] = function()
        except Exception as error:  # reported, and the test fails on it
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_one_webhook_delivered_eight_times_at_once_is_applied_once(race_chain):
    show, users, seats = race_chain
    with schema_context("beta"):
        gateway_account_set("stripe", **STRIPE_KEYS)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as gateway:
        gateway.add(
            responses.POST,
            f"{STRIPE_API}/v1/payment_intents",
            json=stripe_intent("pi_race00001", 20000),
        )
        body = _order(_client(users[0]), show, [seats["A1"]], provider="stripe")
    payload = stripe_event(
        "payment_intent.succeeded",
        stripe_intent("pi_race00001", body["total"], status="succeeded", currency="eur"),
        event_id="evt_race_once",
    )

    def deliver():
        return Client(HTTP_HOST=HOST).post(
            "/api/v1/payments/webhooks/stripe/",
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=stripe_signature(payload, STRIPE_KEYS["webhook_secret"]),
        )

    answers = _at_once([deliver] * 8)

    assert [answer.status_code for answer in answers] == [200] * 8, answers
    assert Counter(answer.json()["result"] for answer in answers) == {
        "processed": 1,
        "duplicate": 7,
    }
    with schema_context("beta"):
        assert WebhookEvent.objects.get(event_id="evt_race_once").duplicates == 7
        assert Order.objects.get(pk=body["id"]).status == "paid"
        assert ledger_balances()["funds:stripe"] == body["total"]


def test_the_last_use_of_a_promo_code_goes_to_exactly_one_customer(race_chain):
    show, users, seats = race_chain
    with schema_context("beta"):
        PromoCode.objects.create(code="LASTONE", kind="percent", value=5000, max_uses=1)
    labels = ["A1", "A2", "A3", "A4", "A5", "A6"]
    clients = [_client(user) for user in users[:6]]
    holds = []
    for client, label in zip(clients, labels, strict=True):
        held = client.post(
            f"/api/v1/shows/{show.pk}/holds/",
            {"seats": [seats[label]]},
            content_type="application/json",
        )
        holds.append(held.json()["id"])

    def buy(client, hold_id):
        return lambda: client.post(
            "/api/v1/orders/",
            {"hold": hold_id, "provider": "sandbox", "promo_code": "LASTONE"},
            content_type="application/json",
        )

    answers = _at_once([buy(c, h) for c, h in zip(clients, holds, strict=True)])

    assert sorted(answer.status_code for answer in answers) == [201] + [409] * 5, answers
    assert {answer.json()["code"] for answer in answers if answer.status_code == 409} == {
        "promo_used_up"
    }
    with schema_context("beta"):
        assert Order.objects.filter(promo_code__code="LASTONE").count() == 1


def test_a_customer_cancelling_while_the_payment_lands_loses_nothing(race_chain):
    show, users, seats = race_chain
    outcomes = []
    for round_index, label in enumerate(["B1", "B2", "B3", "B4"]):
        client = _client(users[round_index])
        body = _order(client, show, [seats[label]], provider="sandbox")
        pay = lambda b=body, c=client: c.post(  # noqa: E731
            f"/api/v1/payments/{b['payment']['id']}/sandbox/",
            {"outcome": "approve"},
            content_type="application/json",
        )
        cancel = lambda b=body, c=client: c.post(f"/api/v1/orders/{b['id']}/cancel/")  # noqa: E731
        answers = _at_once([pay, cancel])
        assert all(not isinstance(a, Exception) and a.status_code < 500 for a in answers), answers
        with schema_context("beta"):
            order = Order.objects.get(pk=body["id"])
            payment = Payment.objects.get(order=order)
            outcomes.append(order.status)
            # Either way, captured money is tickets or is on its way back.
            if payment.captured_amount:
                assert payment.paid_order or payment.refunded_amount == payment.captured_amount
                if payment.paid_order:
                    assert order.status in ("paid", "cancelled")
            seat = ShowSeat.objects.get(pk=seats[label])
            sold = OrderLine.objects.filter(show_seat=seat, status="sold").count()
            assert (seat.state == "sold") == (sold == 1)
    with schema_context("beta"):
        balances = ledger_balances()
        assert balances.get("customer_funds", 0) == 0
        assert sum(balances.values()) == 0
    assert set(outcomes) <= {"paid", "cancelled", "refunded"}


def test_two_late_payments_for_one_seat_sell_it_once(race_chain):
    show, users, seats = race_chain
    seat = seats["C1"]
    first_client, second_client = _client(users[0]), _client(users[1])
    first = _order(first_client, show, [seat], provider="sandbox")
    past = timezone.now() - timedelta(seconds=1)
    with schema_context("beta"):
        # The first hold lapses, so the second customer can hold and order the seat...
        hold_id = Order.objects.get(pk=first["id"]).hold_id
        Hold.objects.filter(pk=hold_id).update(expires_at=past)
        ShowSeat.objects.filter(pk=seat).update(held_until=past)
    second = _order(second_client, show, [seat], provider="sandbox")
    with schema_context("beta"):
        # ...and then the second hold lapses too. Both customers pay, late, at once.
        hold_id = Order.objects.get(pk=second["id"]).hold_id
        Hold.objects.filter(pk=hold_id).update(expires_at=past)
        ShowSeat.objects.filter(pk=seat).update(held_until=past)

    answers = _at_once(
        [
            lambda: first_client.post(
                f"/api/v1/payments/{first['payment']['id']}/sandbox/",
                {"outcome": "approve"},
                content_type="application/json",
            ),
            lambda: second_client.post(
                f"/api/v1/payments/{second['payment']['id']}/sandbox/",
                {"outcome": "approve"},
                content_type="application/json",
            ),
        ]
    )

    assert [answer.status_code for answer in answers] == [200, 200]
    assert sorted(answer.json()["order_status"] for answer in answers) == ["paid", "refunded"]
    with schema_context("beta"):
        assert OrderLine.objects.filter(show_seat_id=seat, status="sold").count() == 1
        assert ShowSeat.objects.get(pk=seat).state == "sold"
        assert ledger_balances().get("customer_funds", 0) == 0


def test_sweepers_new_holds_and_late_payments_at_once_never_deadlock(race_chain):
    from venue_apps.inventory.holds import holds_expire
    from venue_apps.sales.expiry import unpaid_orders_expire

    show, users, seats = race_chain
    labels = [f"{row}{n}" for row in "AB" for n in range(1, 9)]
    bodies = []
    for index, label in enumerate(labels):
        bodies.append(
            (index, _order(_client(users[index % 8]), show, [seats[label]], provider="sandbox"))
        )
    past = timezone.now() - timedelta(seconds=1)
    with schema_context("beta"):
        Hold.objects.filter(show=show).update(expires_at=past)
        ShowSeat.objects.filter(show=show, state="held").update(held_until=past)
        Order.objects.filter(show=show).update(expires_at=past)

    def sweep_holds():
        with schema_context("beta"):
            return holds_expire()

    def sweep_orders():
        with schema_context("beta"):
            return unpaid_orders_expire()

    def grab_seats():
        client = Client(HTTP_HOST=HOST)
        return [
            client.post(
                f"/api/v1/shows/{show.pk}/holds/",
                {"seats": [seats[label]]},
                content_type="application/json",
                HTTP_X_CART_ID=f"grabber-cart-{label}-xxxxxxxx",
            ).status_code
            for label in labels[::2]
        ]

    def pay_late(index, body):
        client = Client(HTTP_HOST=HOST)
        client.defaults["HTTP_AUTHORIZATION"] = _client(users[index % 8]).defaults[
            "HTTP_AUTHORIZATION"
        ]
        return client.post(
            f"/api/v1/payments/{body['payment']['id']}/sandbox/",
            {"outcome": "approve"},
            content_type="application/json",
        ).status_code

    results = _at_once(
        [sweep_holds, sweep_orders, grab_seats]
        + [lambda i=i, b=b: pay_late(i, b) for i, b in bodies[1::2]]
    )

    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    assert all(code in (201, 409) for code in results[2])
    assert all(code == 200 for code in results[3:])
    with schema_context("beta"):
        sold = OrderLine.objects.filter(order__show=show, status="sold")
        assert sold.values("show_seat").distinct().count() == sold.count()
        assert ledger_balances().get("customer_funds", 0) == 0
