"""Stripe through the official SDK, with only the network replaced (`responses` answers
api.stripe.com); webhooks are signed the way Stripe signs them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import responses
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.checkout import (
    STRIPE_API,
    STRIPE_KEYS,
    checkout,
    fake_key,
    hold,
    post_stripe_webhook,
    seat_ids,
    states,
    stripe_charge,
    stripe_event,
    stripe_intent,
    stripe_refunds_none_yet,
    stripe_signature,
)
from tests.fixtures import obtain_tokens
from venue_apps.accounts.models import Role
from venue_apps.inventory.models import Hold, ShowSeat
from venue_apps.orders.models import Order
from venue_apps.payments.models import (
    GatewayAccount,
    Payment,
    PaymentSettings,
    Refund,
    WebhookEvent,
)
from venue_apps.payments.services.gateways import gateway_account_set
from venue_apps.payments.services.ledger import ledger_balances

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_chain(alpha, programme):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    with schema_context(alpha.schema_name):
        gateway_account_set("stripe", **STRIPE_KEYS)
    return programme["show"]


@pytest.fixture
def gateway():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        stripe_refunds_none_yet(mock)
        yield mock


def _intent_created(gateway, amount: int, intent_id: str = "pi_alpha0001") -> None:
    gateway.add(
        responses.POST, f"{STRIPE_API}/v1/payment_intents", json=stripe_intent(intent_id, amount)
    )


def _start(client, show, labels, gateway, intent_id="pi_alpha0001"):
    seats = seat_ids("alpha", show, labels)
    with schema_context("alpha"):
        amount = sum(
            int(show.prices[seat.category]) for seat in ShowSeat.objects.filter(pk__in=seats)
        )
    _intent_created(gateway, amount, intent_id)
    return checkout(client, show, seats, provider="stripe"), seats, amount


def _succeeded(intent_id: str, amount: int) -> bytes:
    return stripe_event(
        "payment_intent.succeeded",
        stripe_intent(intent_id, amount, status="succeeded", latest_charge="ch_1"),
    )


def test_a_stripe_payment_goes_from_intent_to_paid(api, alpha, stripe_chain, customer, gateway):
    _, client = customer
    body, seats, amount = _start(client, stripe_chain, ["A1", "A2"], gateway)

    created = gateway.calls[0].request
    sent = dict(part.split("=", 1) for part in created.body.split("&"))
    assert created.headers["Authorization"] == f"Bearer {STRIPE_KEYS['secret_key']}"
    assert created.headers["Idempotency-Key"] == f"payment-intent-{body['payment']['id']}"
    assert sent["amount"] == str(amount) and sent["currency"] == "inr"
    payment = body["payment"]
    assert payment["provider"] == "stripe"
    assert payment["client_secret"].startswith("pi_alpha0001_secret_")
    assert payment["publishable_key"] == STRIPE_KEYS["public_key"]

    answer = post_stripe_webhook(api(alpha), _succeeded("pi_alpha0001", amount))

    assert answer.status_code == 200, answer.content
    assert answer.json()["result"] == "processed"
    assert client.get(f"/api/v1/orders/{body['id']}/").json()["status"] == "paid"
    assert states("alpha", seats) == {seat: "sold" for seat in seats}
    with schema_context("alpha"):
        assert ledger_balances()["funds:stripe"] == amount


def test_the_card_fingerprint_arrives_with_the_charge(api, alpha, stripe_chain, customer, gateway):
    _, client = customer
    body, _, amount = _start(client, stripe_chain, ["A3"], gateway)

    post_stripe_webhook(
        api(alpha),
        stripe_event("charge.succeeded", stripe_charge("pi_alpha0001", amount, fingerprint="fpX")),
    )
    post_stripe_webhook(api(alpha), _succeeded("pi_alpha0001", amount))

    with schema_context("alpha"):
        payment = Payment.objects.get(pk=body["payment"]["id"])
        assert (payment.status, payment.method, payment.card_fingerprint) == (
            "succeeded",
            "card",
            "fpX",
        )
        assert WebhookEvent.objects.filter(provider="stripe").count() == 2


def test_a_declined_card_keeps_the_seats_for_a_retry_until_the_hold_lapses(
    api, alpha, stripe_chain, customer, gateway, tasks_inline, django_capture_on_commit_callbacks
):
    from venue_apps.sales.expiry import unpaid_orders_expire

    _, client = customer
    body, seats, amount = _start(client, stripe_chain, ["A4"], gateway)
    declined = stripe_intent(
        "pi_alpha0001",
        amount,
        last_payment_error={
            "code": "card_declined",
            "decline_code": "insufficient_funds",
            "message": "Your card has insufficient funds.",
        },
    )

    answer = post_stripe_webhook(
        api(alpha), stripe_event("payment_intent.payment_failed", declined)
    )

    # The customer may try another card on the same intent: nothing is released yet.
    assert answer.json()["detail"] == "failed (insufficient_funds); the customer may try again"
    order_body = client.get(f"/api/v1/orders/{body['id']}/").json()
    assert order_body["status"] == "pending"
    assert order_body["payment"]["status"] == "failed"
    assert order_body["payment"]["failure_code"] == "insufficient_funds"
    assert states("alpha", seats) == {seats[0]: "held"}

    # The hold's time runs out: the order expires, the seat comes free, and the intent
    # is cancelled at Stripe so that nobody can pay it afterwards (then asked about).
    gateway.add(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents/pi_alpha0001/cancel",
        json=stripe_intent("pi_alpha0001", amount, status="canceled"),
    )
    gateway.add(
        responses.GET,
        f"{STRIPE_API}/v1/payment_intents/pi_alpha0001",
        json=stripe_intent("pi_alpha0001", amount, status="canceled"),
    )
    with schema_context("alpha"):
        Order.objects.filter(pk=body["id"]).update(expires_at=timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            assert unpaid_orders_expire() == 1

    assert client.get(f"/api/v1/orders/{body['id']}/").json()["status"] == "expired"
    assert states("alpha", seats) == {seats[0]: "available"}
    urls = [call.request.url for call in gateway.calls]
    assert urls[-2].endswith("/v1/payment_intents/pi_alpha0001/cancel")
    assert "/v1/payment_intents/pi_alpha0001?" in urls[-1]
    with schema_context("alpha"):
        assert Payment.objects.get(pk=body["payment"]["id"]).gateway_closed is True


def test_a_cancelled_intent_ends_the_order_at_once(api, alpha, stripe_chain, customer, gateway):
    _, client = customer
    body, seats, amount = _start(client, stripe_chain, ["A8"], gateway)

    post_stripe_webhook(
        api(alpha),
        stripe_event(
            "payment_intent.canceled",
            stripe_intent(
                "pi_alpha0001", amount, status="canceled", cancellation_reason="abandoned"
            ),
        ),
    )

    assert client.get(f"/api/v1/orders/{body['id']}/").json()["status"] == "cancelled"
    assert states("alpha", seats) == {seats[0]: "available"}


def test_a_forged_webhook_is_refused_and_changes_nothing(
    api, alpha, stripe_chain, customer, gateway
):
    _, client = customer
    body, seats, amount = _start(client, stripe_chain, ["A5"], gateway)
    payload = _succeeded("pi_alpha0001", amount)

    wrong_secret = post_stripe_webhook(
        api(alpha), payload, secret=fake_key("whsec", "attackerSecret")
    )
    altered = api(alpha).post(
        "/api/v1/payments/webhooks/stripe/",
        data=payload.replace(str(amount).encode(), b"1"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload, STRIPE_KEYS["webhook_secret"]),
    )
    unsigned = api(alpha).post(
        "/api/v1/payments/webhooks/stripe/", data=payload, content_type="application/json"
    )
    stale = api(alpha).post(
        "/api/v1/payments/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(
            payload,
            STRIPE_KEYS["webhook_secret"],
            timestamp=int((timezone.now() - timedelta(hours=1)).timestamp()),
        ),
    )

    for answer in (wrong_secret, altered, unsigned, stale):
        assert answer.status_code == 400
        assert answer.json()["code"] == "signature_invalid"
    assert client.get(f"/api/v1/orders/{body['id']}/").json()["status"] == "pending"
    assert states("alpha", seats) == {seats[0]: "held"}
    with schema_context("alpha"):
        assert not WebhookEvent.objects.exists()
        assert ledger_balances() == {}


def test_another_chains_webhook_secret_does_not_verify_here(
    api, alpha, beta, stripe_chain, customer, gateway
):
    _, client = customer
    body, _, amount = _start(client, stripe_chain, ["A6"], gateway)
    with schema_context(beta.schema_name):
        gateway_account_set(
            "stripe",
            public_key=fake_key("pk_test", "51BetaPublic00000"),
            secret_key=fake_key("sk_test", "51BetaSecretKey00000"),
            webhook_secret=fake_key("whsec", "betaWebhookSecret00"),
        )

    signed_for_beta = post_stripe_webhook(
        api(alpha),
        _succeeded("pi_alpha0001", amount),
        secret=fake_key("whsec", "betaWebhookSecret00"),
    )

    assert signed_for_beta.status_code == 400
    assert client.get(f"/api/v1/orders/{body['id']}/").json()["status"] == "pending"


def test_a_duplicated_webhook_is_processed_once(api, alpha, stripe_chain, customer, gateway):
    _, client = customer
    _body, _, amount = _start(client, stripe_chain, ["B1"], gateway)
    payload = stripe_event(
        "payment_intent.succeeded",
        stripe_intent("pi_alpha0001", amount, status="succeeded"),
        event_id="evt_same_event_0001",
    )

    first = post_stripe_webhook(api(alpha), payload)
    second = post_stripe_webhook(api(alpha), payload)

    assert first.json()["result"] == "processed"
    assert second.status_code == 200
    assert second.json()["result"] == "duplicate"
    with schema_context("alpha"):
        assert WebhookEvent.objects.get(event_id="evt_same_event_0001").duplicates == 1
        # One capture in the books, not two.
        assert ledger_balances()["funds:stripe"] == amount


def test_a_failure_reported_after_the_capture_changes_nothing(
    api, alpha, stripe_chain, customer, gateway
):
    _, client = customer
    body, seats, amount = _start(client, stripe_chain, ["B2"], gateway)
    failed = stripe_event(
        "payment_intent.payment_failed",
        stripe_intent(
            "pi_alpha0001",
            amount,
            last_payment_error={"code": "card_declined", "message": "Declined"},
        ),
    )

    post_stripe_webhook(api(alpha), _succeeded("pi_alpha0001", amount))
    late_failure = post_stripe_webhook(api(alpha), failed)

    assert late_failure.json()["result"] == "ignored"
    assert client.get(f"/api/v1/orders/{body['id']}/").json()["status"] == "paid"
    assert states("alpha", seats) == {seats[0]: "sold"}


def test_a_capture_reported_after_a_failure_still_books_free_seats(
    api, alpha, stripe_chain, customer, gateway
):
    _, client = customer
    body, seats, amount = _start(client, stripe_chain, ["B3"], gateway)
    gateway.add(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents/pi_alpha0001/cancel",
        json={"error": {"message": "already succeeded", "type": "invalid_request_error"}},
        status=400,
    )
    failed = stripe_event(
        "payment_intent.payment_failed",
        stripe_intent(
            "pi_alpha0001",
            amount,
            last_payment_error={"code": "card_declined", "message": "Declined"},
        ),
    )

    post_stripe_webhook(api(alpha), failed)  # first attempt declined, seats released
    paid = post_stripe_webhook(api(alpha), _succeeded("pi_alpha0001", amount))  # retry paid

    assert paid.json()["result"] == "processed"
    assert paid.json()["detail"] == "captured; paid"  # the seats were kept for the retry
    assert client.get(f"/api/v1/orders/{body['id']}/").json()["status"] == "paid"
    assert states("alpha", seats) == {seats[0]: "sold"}


def test_a_late_payment_for_seats_someone_else_took_is_refunded(
    api,
    alpha,
    stripe_chain,
    customer,
    gateway,
    as_role,
    tasks_inline,
    django_capture_on_commit_callbacks,
):
    _, client = customer
    body, seats, amount = _start(client, stripe_chain, ["B4"], gateway)
    with schema_context("alpha"):
        order = Order.objects.get(pk=body["id"])
        past = timezone.now() - timedelta(seconds=1)
        Hold.objects.filter(pk=order.hold_id).update(expires_at=past)
        ShowSeat.objects.filter(hold_id=order.hold_id).update(held_until=past)
    hold(as_role(Role.CUSTOMER), stripe_chain, seats)
    gateway.add(
        responses.POST,
        f"{STRIPE_API}/v1/refunds",
        json={
            "id": "re_late0001",
            "object": "refund",
            "amount": amount,
            "status": "succeeded",
            "payment_intent": "pi_alpha0001",
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        answer = post_stripe_webhook(api(alpha), _succeeded("pi_alpha0001", amount))

    assert answer.json()["detail"] == "captured but seats unavailable; refunding"
    refund_call = gateway.calls[-1].request
    assert refund_call.url == f"{STRIPE_API}/v1/refunds"
    assert "payment_intent=pi_alpha0001" in refund_call.body
    assert f"amount={amount}" in refund_call.body
    with schema_context("alpha"):
        refund = Refund.objects.get()
        assert refund_call.headers["Idempotency-Key"] == f"refund-{refund.pk}"
        assert (refund.status, refund.reason, refund.gateway_reference) == (
            "succeeded",
            "seats_unavailable",
            "re_late0001",
        )
        assert Order.objects.get(pk=body["id"]).status == "refunded"
        assert ledger_balances().get("funds:stripe", 0) == 0


def test_a_refund_made_in_stripes_dashboard_is_recorded(
    api, alpha, stripe_chain, customer, gateway
):
    _, client = customer
    body, _, amount = _start(client, stripe_chain, ["B5", "B6"], gateway)
    post_stripe_webhook(api(alpha), _succeeded("pi_alpha0001", amount))

    answer = post_stripe_webhook(
        api(alpha),
        stripe_event(
            "refund.updated",
            {
                "id": "re_dash0001",
                "object": "refund",
                "amount": 5000,
                "currency": "inr",
                "status": "succeeded",
                "payment_intent": "pi_alpha0001",
                "metadata": {},
            },
        ),
    )

    assert answer.json()["result"] == "processed"
    with schema_context("alpha"):
        refund = Refund.objects.get()
        assert (refund.amount, refund.reason, refund.status) == (5000, "gateway", "succeeded")
        assert Order.objects.get(pk=body["id"]).refunded_amount == 5000
        assert ledger_balances()["funds:stripe"] == amount - 5000


def test_a_refund_reported_before_its_capture_asks_stripe_first(
    api, alpha, stripe_chain, customer, gateway
):
    _, client = customer
    body, _, amount = _start(client, stripe_chain, ["C1"], gateway)
    gateway.add(
        responses.GET,
        f"{STRIPE_API}/v1/payment_intents/pi_alpha0001",
        json=stripe_intent(
            "pi_alpha0001",
            amount,
            status="succeeded",
            latest_charge=stripe_charge("pi_alpha0001", amount),
        ),
    )

    answer = post_stripe_webhook(
        api(alpha),
        stripe_event(
            "refund.created",
            {
                "id": "re_early01",
                "object": "refund",
                "amount": 1000,
                "currency": "inr",
                "status": "succeeded",
                "payment_intent": "pi_alpha0001",
                "metadata": {},
            },
        ),
    )

    assert answer.json()["result"] == "processed"
    order = client.get(f"/api/v1/orders/{body['id']}/").json()
    assert (order["status"], order["refunded"]) == ("paid", 1000)


def test_the_customer_return_asks_stripe_not_the_browser(
    api, alpha, stripe_chain, customer, gateway
):
    _, client = customer
    body, _seats, amount = _start(client, stripe_chain, ["C2"], gateway)
    gateway.add(
        responses.GET,
        f"{STRIPE_API}/v1/payment_intents/pi_alpha0001",
        json=stripe_intent("pi_alpha0001", amount),
    )

    pending = client.post(f"/api/v1/payments/{body['payment']['id']}/confirm/", {}, format="json")
    gateway.replace(
        responses.GET,
        f"{STRIPE_API}/v1/payment_intents/pi_alpha0001",
        json=stripe_intent("pi_alpha0001", amount, status="succeeded"),
    )
    paid = client.post(f"/api/v1/payments/{body['payment']['id']}/confirm/", {}, format="json")

    assert pending.json()["order_status"] == "pending"
    assert paid.json()["order_status"] == "paid"
    assert gateway.calls[-1].request.headers["Authorization"] == (
        f"Bearer {STRIPE_KEYS['secret_key']}"
    )


def test_stripe_being_down_at_checkout_is_a_502_and_the_order_can_be_paid_later(
    alpha, stripe_chain, customer, gateway
):
    _, client = customer
    seats = seat_ids("alpha", stripe_chain, ["C3"])
    gateway.add(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents",
        json={"error": {"message": "down", "type": "api_error"}},
        status=500,
    )

    created = client.post(
        "/api/v1/orders/",
        {"hold": hold(client, stripe_chain, seats)["id"], "provider": "stripe"},
        format="json",
    )

    assert created.status_code == 502
    assert created.json()["code"] == "gateway_unavailable"
    order_id = created.json()["order"]
    gateway.replace(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents",
        json=stripe_intent("pi_retry0001", 20000),
    )
    retried = client.post(
        f"/api/v1/orders/{order_id}/payments/", {"provider": "stripe"}, format="json"
    )
    assert retried.status_code == 201, retried.content
    assert retried.json()["payment"]["client_secret"].startswith("pi_retry0001")
    assert states("alpha", seats) == {seats[0]: "held"}


def test_keys_are_sealed_in_the_database_and_never_returned(
    api, alpha, beta, stripe_chain, as_role
):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret_key_sealed, webhook_secret_sealed, public_key "
            "FROM alpha.payments_gatewayaccount"
        )
        secret_sealed, webhook_sealed, public_key = cursor.fetchone()
    owner = as_role(Role.OWNER)

    listed = owner.get("/api/v1/payment-accounts/")
    one = owner.get("/api/v1/payment-accounts/stripe/")
    manager = as_role(Role.MANAGER).get("/api/v1/payment-accounts/")

    assert STRIPE_KEYS["secret_key"] not in secret_sealed
    assert STRIPE_KEYS["webhook_secret"] not in webhook_sealed
    assert secret_sealed.startswith("s1.")
    assert public_key == STRIPE_KEYS["public_key"]  # publishable keys are public
    assert listed.status_code == one.status_code == 200
    text = json.dumps(listed.json()) + json.dumps(one.json())
    assert STRIPE_KEYS["secret_key"] not in text and STRIPE_KEYS["webhook_secret"] not in text
    assert one.json()["secret_key_hint"] == "sk_test_…Leak"
    assert one.json()["webhook_url"].endswith("/api/v1/payments/webhooks/stripe/")
    assert manager.status_code == 403
    # A sealed key copied into another chain's row does not open there.
    from tenants.crypto import SealError
    from venue_apps.payments.services.gateways import provider_for

    with schema_context(beta.schema_name):
        GatewayAccount.objects.create(
            provider="stripe",
            live=False,
            public_key=fake_key("pk_test", "51Copied00000"),
            secret_key_sealed=secret_sealed,
            webhook_secret_sealed=webhook_sealed,
        )
        with pytest.raises(SealError):
            provider_for("stripe")


def test_the_owner_enters_keys_through_the_api_and_wrong_keys_are_refused(alpha, as_role):
    owner = as_role(Role.OWNER)

    saved = owner.put("/api/v1/payment-accounts/stripe/", STRIPE_KEYS, format="json")
    kept = owner.put(
        "/api/v1/payment-accounts/stripe/", {"public_key": STRIPE_KEYS["public_key"]}, format="json"
    )
    mixed = owner.put(
        "/api/v1/payment-accounts/stripe/",
        {**STRIPE_KEYS, "secret_key": fake_key("sk_live", "51MixedModes0000")},
        format="json",
    )
    junk = owner.put(
        "/api/v1/payment-accounts/stripe/",
        {**STRIPE_KEYS, "secret_key": "password123"},
        format="json",
    )
    live_without_keys = owner.patch("/api/v1/payment-settings/", {"mode": "live"}, format="json")

    assert saved.status_code == 200 and saved.json()["mode"] == "test"
    assert kept.status_code == 200 and kept.json()["secret_key_set"] is True
    assert (mixed.status_code, mixed.json()["code"]) == (400, "key_wrong_mode")
    assert (junk.status_code, junk.json()["code"]) == (400, "key_invalid")
    assert (live_without_keys.status_code, live_without_keys.json()["code"]) == (
        400,
        "provider_unavailable",
    )
    with schema_context(alpha.schema_name):
        assert PaymentSettings.current().mode == "test"
        from venue_apps.audit.models import AuditEntry

        entries = AuditEntry.objects.filter(action="gateway.keys_changed")
        assert entries.count() == 2
        assert "sk_test" not in json.dumps(list(entries.values("before", "after", "details")))


def test_reconciliation_asks_stripe_about_payments_pending_too_long(
    api, alpha, stripe_chain, customer, gateway
):
    from venue_apps.payments.services.reconciliation import payments_reconcile

    _, client = customer
    body, seats, amount = _start(client, stripe_chain, ["C4"], gateway)
    gateway.add(
        responses.GET,
        f"{STRIPE_API}/v1/payment_intents/pi_alpha0001",
        json=stripe_intent(
            "pi_alpha0001",
            amount,
            status="succeeded",
            latest_charge=stripe_charge("pi_alpha0001", amount),
        ),
    )
    with schema_context("alpha"):
        Payment.objects.filter(pk=body["payment"]["id"]).update(
            created_at=timezone.now() - timedelta(minutes=20)
        )

        done = payments_reconcile()

        assert done["asked"] == 1 and done["changed"] == 1
        assert Order.objects.get(pk=body["id"]).status == "paid"
        # The webhook arriving afterwards changes nothing.
    late_webhook = post_stripe_webhook(api(alpha), _succeeded("pi_alpha0001", amount))
    assert late_webhook.json()["result"] == "ignored"
    assert states("alpha", seats) == {seats[0]: "sold"}


def test_another_customer_never_sees_the_client_secret(
    alpha, stripe_chain, customer, gateway, api, make_user
):
    _, client = customer
    body, _, _ = _start(client, stripe_chain, ["C5"], gateway)
    stranger = make_user(alpha, role=Role.CUSTOMER)
    other = api(alpha)
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(other, stranger.email)['access']}")

    assert other.get(f"/api/v1/payments/{body['payment']['id']}/").status_code == 404
    assert (
        other.post(
            f"/api/v1/payments/{body['payment']['id']}/confirm/", {}, format="json"
        ).status_code
        == 404
    )
    assert "client_secret" in client.get(f"/api/v1/payments/{body['payment']['id']}/").json()


def test_a_refund_made_at_stripe_after_a_cancellation_is_still_recorded(
    api, alpha, stripe_chain, customer, gateway, tasks_inline, django_capture_on_commit_callbacks
):
    _, client = customer
    body, _, amount = _start(client, stripe_chain, ["D1"], gateway)
    post_stripe_webhook(api(alpha), _succeeded("pi_alpha0001", amount))
    gateway.add(
        responses.POST,
        f"{STRIPE_API}/v1/refunds",
        json={
            "id": "re_policy01",
            "object": "refund",
            "amount": amount // 4,
            "status": "succeeded",
            "payment_intent": "pi_alpha0001",
        },
    )
    with schema_context("alpha"):
        from venue_apps.shows.models import Show

        # Ten hours before the show: the policy gives 25 % back.
        starts = timezone.now() + timedelta(hours=10)
        Show.objects.filter(pk=stripe_chain.pk).update(
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            busy_until=starts + timedelta(hours=3),
        )
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(f"/api/v1/orders/{body['id']}/cancel/").json()
    rest = amount - cancelled["refund"]

    answer = post_stripe_webhook(
        api(alpha),
        stripe_event(
            "refund.updated",
            {
                "id": "re_dash0002",
                "object": "refund",
                "amount": rest,
                "currency": "inr",
                "status": "succeeded",
                "payment_intent": "pi_alpha0001",
                "metadata": {},
            },
        ),
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["detail"] == f"refund made at the gateway recorded ({rest})"
    with schema_context("alpha"):
        assert Order.objects.get(pk=body["id"]).status == "cancelled"
        assert ledger_balances().get("funds:stripe", 0) == 0


def test_the_event_log_never_keeps_a_client_secret(api, alpha, stripe_chain, customer, gateway):
    _, client = customer
    _, _, amount = _start(client, stripe_chain, ["D2"], gateway)

    post_stripe_webhook(api(alpha), _succeeded("pi_alpha0001", amount))

    with schema_context("alpha"):
        stored = json.dumps(list(WebhookEvent.objects.values_list("payload", flat=True)))
    assert "_secret_" not in stored
    assert '"client_secret": "[removed]"' in stored
