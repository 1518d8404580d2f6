"""Razorpay through the official SDK with only the network replaced (`responses`
answers api.razorpay.com); signatures are computed the way Razorpay computes them."""

from __future__ import annotations

import json

import pytest
import responses
from django_tenants.utils import schema_context

from tests.checkout import (
    RAZORPAY_API,
    RAZORPAY_KEYS,
    checkout,
    post_razorpay_webhook,
    razorpay_payment,
    razorpay_signature,
    razorpay_webhook_body,
    seat_ids,
    states,
)
from venue_apps.orders.models import Order
from venue_apps.payments.models import Payment, Refund, WebhookEvent
from venue_apps.payments.services.gateways import gateway_account_set
from venue_apps.payments.services.ledger import ledger_balances

pytestmark = pytest.mark.django_db
ORDER_ID = "order_RzpAlpha0001"


@pytest.fixture
def razorpay_chain(alpha, programme):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    with schema_context(alpha.schema_name):
        gateway_account_set("razorpay", **RAZORPAY_KEYS)
    return programme["show"]


@pytest.fixture
def gateway():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _start(client, show, labels, gateway):
    seats = seat_ids("alpha", show, labels)
    gateway.add(
        responses.POST,
        f"{RAZORPAY_API}/v1/orders",
        json={"id": ORDER_ID, "entity": "order", "status": "created"},
    )
    body = checkout(client, show, seats, provider="razorpay")
    return body, seats, body["total"]


def _captured(payment_id: str, amount: int, event: str = "payment.captured") -> bytes:
    return razorpay_webhook_body(
        event, {"payment": {"entity": razorpay_payment(payment_id, ORDER_ID, amount)}}
    )


def test_razorpay_order_then_signed_return_then_paid(alpha, razorpay_chain, customer, gateway):
    _, client = customer
    body, seats, amount = _start(client, razorpay_chain, ["A1", "A2"], gateway)
    created = gateway.calls[0].request
    assert created.headers["Authorization"].startswith("Basic ")
    assert json.loads(created.body)["amount"] == amount
    assert body["payment"]["razorpay_order_id"] == ORDER_ID
    assert body["payment"]["key_id"] == RAZORPAY_KEYS["public_key"]
    gateway.add(
        responses.GET,
        f"{RAZORPAY_API}/v1/payments/pay_Alpha001",
        json=razorpay_payment("pay_Alpha001", ORDER_ID, amount),
    )

    returned = client.post(
        f"/api/v1/payments/{body['payment']['id']}/confirm/",
        {
            "razorpay_payment_id": "pay_Alpha001",
            "razorpay_order_id": ORDER_ID,
            "razorpay_signature": razorpay_signature(
                f"{ORDER_ID}|pay_Alpha001", RAZORPAY_KEYS["secret_key"]
            ),
        },
        format="json",
    )

    assert returned.status_code == 200, returned.content
    assert returned.json()["order_status"] == "paid"
    assert returned.json()["method"] == "upi"
    assert states("alpha", seats) == {seat: "sold" for seat in seats}
    with schema_context("alpha"):
        assert ledger_balances()["funds:razorpay"] == amount


def test_a_return_signed_for_another_razorpay_order_is_refused(
    alpha, razorpay_chain, customer, gateway
):
    _, client = customer
    body, seats, _ = _start(client, razorpay_chain, ["A3"], gateway)
    # A genuine signature, but for another order of the attacker's: the browser claims it
    # is ours. We verify against the order id we stored, so it fails.
    forged = client.post(
        f"/api/v1/payments/{body['payment']['id']}/confirm/",
        {
            "razorpay_payment_id": "pay_Cheap001",
            "razorpay_order_id": "order_AttackerCheap",
            "razorpay_signature": razorpay_signature(
                "order_AttackerCheap|pay_Cheap001", RAZORPAY_KEYS["secret_key"]
            ),
        },
        format="json",
    )

    assert forged.status_code == 400
    assert forged.json()["code"] == "signature_invalid"
    assert states("alpha", seats) == {seats[0]: "held"}
    assert len(gateway.calls) == 1  # the order; no payment was even fetched


def test_a_captured_webhook_pays_and_a_duplicate_is_ignored(
    api, alpha, razorpay_chain, customer, gateway
):
    _, client = customer
    body, _seats, amount = _start(client, razorpay_chain, ["A4"], gateway)
    payload = _captured("pay_Alpha002", amount)

    first = post_razorpay_webhook(api(alpha), payload, event_id="evt_rzp_0001")
    again = post_razorpay_webhook(api(alpha), payload, event_id="evt_rzp_0001")
    order_paid = post_razorpay_webhook(api(alpha), _captured("pay_Alpha002", amount, "order.paid"))

    assert first.json()["result"] == "processed"
    assert again.json()["result"] == "duplicate"
    assert order_paid.json()["result"] == "ignored"  # the same capture, told again
    with schema_context("alpha"):
        assert Order.objects.get(pk=body["id"]).status == "paid"
        assert WebhookEvent.objects.filter(provider="razorpay").count() == 2
        assert ledger_balances()["funds:razorpay"] == amount


def test_a_forged_razorpay_webhook_is_refused(api, alpha, razorpay_chain, customer, gateway):
    _, client = customer
    _body, seats, amount = _start(client, razorpay_chain, ["A5"], gateway)
    payload = _captured("pay_Alpha003", amount)

    forged = post_razorpay_webhook(api(alpha), payload, secret="not-the-chains-secret")
    without_id = api(alpha).post(
        "/api/v1/payments/webhooks/razorpay/",
        data=payload,
        content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE=razorpay_signature(
            payload.decode(), RAZORPAY_KEYS["webhook_secret"]
        ),
    )

    assert forged.status_code == 400 and forged.json()["code"] == "signature_invalid"
    assert without_id.status_code == 400
    assert states("alpha", seats) == {seats[0]: "held"}
    with schema_context("alpha"):
        assert not WebhookEvent.objects.exists()


def test_an_authorized_payment_is_checked_then_captured(
    api, alpha, razorpay_chain, customer, gateway, tasks_inline, django_capture_on_commit_callbacks
):
    _, client = customer
    body, _seats, amount = _start(client, razorpay_chain, ["A6"], gateway)
    gateway.add(
        responses.POST,
        f"{RAZORPAY_API}/v1/payments/pay_Alpha004/capture",
        json=razorpay_payment("pay_Alpha004", ORDER_ID, amount, method="card"),
    )
    authorized = razorpay_webhook_body(
        "payment.authorized",
        {
            "payment": {
                "entity": razorpay_payment(
                    "pay_Alpha004", ORDER_ID, amount, status="authorized", method="card"
                )
            }
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        answer = post_razorpay_webhook(api(alpha), authorized)

    assert answer.json()["detail"] == "authorized; capturing"
    capture = gateway.calls[-1].request
    assert capture.url.endswith("/v1/payments/pay_Alpha004/capture")
    assert json.loads(capture.body)["amount"] == amount
    with schema_context("alpha"):
        payment = Payment.objects.get(pk=body["payment"]["id"])
        assert (payment.status, payment.method) == ("succeeded", "card")
        assert Order.objects.get(pk=body["id"]).status == "paid"


def test_an_authorization_for_the_wrong_amount_is_never_captured(
    api, alpha, razorpay_chain, customer, gateway, tasks_inline, django_capture_on_commit_callbacks
):
    _, client = customer
    body, seats, amount = _start(client, razorpay_chain, ["A7"], gateway)
    authorized = razorpay_webhook_body(
        "payment.authorized",
        {
            "payment": {
                "entity": razorpay_payment(
                    "pay_Alpha005", ORDER_ID, amount - 100, status="authorized"
                )
            }
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        post_razorpay_webhook(api(alpha), authorized)

    assert not any("capture" in call.request.url for call in gateway.calls)
    with schema_context("alpha"):
        payment = Payment.objects.get(pk=body["payment"]["id"])
        assert (payment.status, payment.failure_code) == ("failed", "amount_mismatch")
        from venue_apps.payments.models import FraudDecision

        decision = FraudDecision.objects.filter(stage="capture").get()
        assert (decision.verdict, decision.reason) == ("deny", "amount_mismatch")
    assert states("alpha", seats) == {seats[0]: "available"}


def test_a_refund_goes_through_razorpay_once_even_when_sent_twice(
    api, alpha, razorpay_chain, customer, gateway, as_role
):
    from venue_apps.payments.services.refunds import refund_execute

    _, client = customer
    body, seats, amount = _start(client, razorpay_chain, ["B1", "B2"], gateway)
    post_razorpay_webhook(api(alpha), _captured("pay_Alpha006", amount))
    manager = as_role("manager")
    refund = manager.post(
        f"/api/v1/orders/{body['id']}/refunds/", {"seats": [seats[0]]}, format="json"
    ).json()
    listing = f"{RAZORPAY_API}/v1/payments/pay_Alpha006/refunds"
    gateway.add(responses.GET, listing, json={"entity": "collection", "count": 0, "items": []})
    gateway.add(
        responses.POST,
        f"{RAZORPAY_API}/v1/payments/pay_Alpha006/refund",
        json={
            "id": "rfnd_A001",
            "entity": "refund",
            "amount": refund["amount"],
            "status": "pending",
            "notes": {"refund": refund["id"]},
        },
    )

    with schema_context("alpha"):
        assert refund_execute(refund["id"]) == "pending"
    # The task runs again after its answer was lost (nothing recorded here): the refund
    # is found at Razorpay by our id in its notes, not made a second time.
    with schema_context("alpha"):
        Refund.objects.filter(pk=refund["id"]).update(gateway_reference="")
    gateway.replace(
        responses.GET,
        listing,
        json={
            "entity": "collection",
            "count": 1,
            "items": [
                {
                    "id": "rfnd_A001",
                    "amount": refund["amount"],
                    "status": "pending",
                    "notes": {"refund": refund["id"]},
                }
            ],
        },
    )
    with schema_context("alpha"):
        assert refund_execute(refund["id"]) == "pending"
    posts = [call for call in gateway.calls if call.request.url.endswith("/refund")]
    assert len(posts) == 1
    processed = razorpay_webhook_body(
        "refund.processed",
        {
            "refund": {
                "entity": {
                    "id": "rfnd_A001",
                    "payment_id": "pay_Alpha006",
                    "amount": refund["amount"],
                    "currency": "INR",
                    "notes": {"refund": refund["id"]},
                }
            },
            "payment": {"entity": razorpay_payment("pay_Alpha006", ORDER_ID, amount)},
        },
    )

    settled = post_razorpay_webhook(api(alpha), processed)

    assert settled.json()["detail"].endswith("succeeded")
    with schema_context("alpha"):
        assert Refund.objects.get(pk=refund["id"]).status == "succeeded"
        assert ledger_balances()["funds:razorpay"] == amount - refund["amount"]
    assert states("alpha", seats) == {seats[0]: "available", seats[1]: "sold"}


def test_a_failed_upi_payment_keeps_the_seats_for_a_retry(
    api, alpha, razorpay_chain, customer, gateway
):
    _, client = customer
    body, seats, amount = _start(client, razorpay_chain, ["B3"], gateway)
    failed = razorpay_webhook_body(
        "payment.failed",
        {
            "payment": {
                "entity": razorpay_payment("pay_Alpha007", ORDER_ID, amount, status="failed")
            }
        },
    )

    post_razorpay_webhook(api(alpha), failed)

    with schema_context("alpha"):
        payment = Payment.objects.get(pk=body["payment"]["id"])
        assert (payment.status, payment.failure_code) == ("failed", "BAD_REQUEST_ERROR")
        # Razorpay's checkout lets the customer try again on the same order.
        assert Order.objects.get(pk=body["id"]).status == "pending"
    assert states("alpha", seats) == {seats[0]: "held"}
    retried = post_razorpay_webhook(api(alpha), _captured("pay_Alpha008", amount))
    assert retried.json()["detail"] == "captured; paid"


def test_a_signed_event_replayed_under_a_new_event_id_changes_nothing(
    api, alpha, razorpay_chain, customer, gateway, as_role
):
    # Razorpay signs the body, not the X-Razorpay-Event-Id header. Whoever captured one
    # signed delivery (from a proxy's log, say) could send it again under fresh ids:
    # here a refund the bank sent back would be marked sent once more, so the customer
    # is never refunded and staff see nothing left to send again.
    _, client = customer
    body, seats, amount = _start(client, razorpay_chain, ["C1"], gateway)
    post_razorpay_webhook(api(alpha), _captured("pay_Alpha009", amount))
    refund = (
        as_role("manager")
        .post(f"/api/v1/orders/{body['id']}/refunds/", {"seats": [seats[0]]}, format="json")
        .json()
    )

    def refund_event(event: str) -> bytes:
        return razorpay_webhook_body(
            event,
            {
                "refund": {
                    "entity": {
                        "id": "rfnd_A009",
                        "payment_id": "pay_Alpha009",
                        "amount": refund["amount"],
                        "currency": "INR",
                        "notes": {"refund": refund["id"]},
                    }
                },
                "payment": {"entity": razorpay_payment("pay_Alpha009", ORDER_ID, amount)},
            },
        )

    processed = refund_event("refund.processed")
    assert post_razorpay_webhook(api(alpha), processed, event_id="evt_rzp_p1").status_code == 200
    returned = post_razorpay_webhook(
        api(alpha), refund_event("refund.failed"), event_id="evt_rzp_f1"
    )
    assert returned.json()["detail"].endswith("failed")
    with schema_context("alpha"):
        before = (
            list(Refund.objects.values_list("status", flat=True)),
            ledger_balances(),
            WebhookEvent.objects.count(),
        )

    replayed = post_razorpay_webhook(api(alpha), processed, event_id="evt_rzp_forged")

    assert replayed.status_code == 200
    assert replayed.json()["result"] == "duplicate"
    with schema_context("alpha"):
        assert Refund.objects.get(pk=refund["id"]).status == "failed"  # still owed
        after = (
            list(Refund.objects.values_list("status", flat=True)),
            ledger_balances(),
            WebhookEvent.objects.count(),
        )
    assert after == before
