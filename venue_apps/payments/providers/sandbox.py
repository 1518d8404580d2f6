"""The built-in sandbox gateway, for demos and development (test mode only).

It behaves like a hosted payment page with a gateway behind it: the page records the
customer's choice in the sandbox's own books (`SandboxCharge`), then delivers a signed
webhook that goes through the same verification and processing as Stripe's and
Razorpay's. Reconciliation can ask it about a payment, and refunds go through it.
Nothing here moves real money, and a chain in live mode cannot reach it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core import signing

from venue_apps.payments.providers.base import (
    EventKind,
    GatewayEvent,
    PaymentProvider,
    PreparedPayment,
    RefundResult,
    SignatureInvalid,
)

if TYPE_CHECKING:
    from venue_apps.payments.models import Payment, Refund

SIGNATURE_HEADER = "X-Sandbox-Signature"
TOLERANCE_SECONDS = 300
_KINDS = {
    "payment.succeeded": EventKind.PAYMENT_SUCCEEDED,
    "payment.failed": EventKind.PAYMENT_FAILED,
    "refund.succeeded": EventKind.REFUND_SUCCEEDED,
}


def webhook_secret(schema: str) -> str:
    """The chain's sandbox signing secret (derived, so there is nothing to configure)."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"sandbox-webhook:{schema}".encode(), hashlib.sha256
    ).hexdigest()


def sign(body: bytes, secret: str, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(body: bytes, header: str, secret: str) -> None:
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError) as error:
        raise SignatureInvalid("Malformed sandbox signature.") from error
    if len(str(timestamp)) > 12:
        raise SignatureInvalid("Malformed sandbox signature.")
    if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
        raise SignatureInvalid("The sandbox signature is too old.")
    expected = sign(body, secret, timestamp=timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        raise SignatureInvalid("The sandbox signature does not verify.")


PAGE_SALT = "sandbox-page"
PAGE_MAX_AGE = 3600


def page_token(payment: Payment, schema: str) -> str:
    """Opens the hosted page of one payment, like a gateway's checkout session link."""
    return signing.dumps({"payment": str(payment.pk), "schema": schema}, salt=PAGE_SALT)


def page_token_valid(token: str, *, payment_id: str, schema: str) -> bool:
    try:
        data = signing.loads(token, salt=PAGE_SALT, max_age=PAGE_MAX_AGE)
    except signing.BadSignature:
        return False
    return data == {"payment": str(payment_id), "schema": schema}


def event_body(event_type: str, obj: Mapping[str, Any]) -> bytes:
    """A sandbox webhook as the gateway would send it."""
    return json.dumps(
        {"id": f"evt_sbx_{secrets.token_hex(12)}", "type": event_type, "data": dict(obj)},
        separators=(",", ":"),
    ).encode()


class SandboxProvider(PaymentProvider):
    name = "sandbox"
    methods = ("card", "upi", "netbanking", "wallet")

    def prepare(self, payment: Payment, *, description: str, email: str) -> PreparedPayment:
        from venue_apps.payments.models import SandboxCharge

        charge, _ = SandboxCharge.objects.get_or_create(
            idempotency_key=str(payment.pk),
            kind="payment",
            defaults={
                "reference": f"sbx_{secrets.token_hex(12)}",
                "status": "pending",
                "amount": payment.amount,
                "currency": payment.currency,
            },
        )
        return PreparedPayment(
            reference=charge.reference,
            client_data={
                "test_mode": True,
                "sandbox_url": f"/pay/sandbox/{payment.pk}/?t={page_token(payment, self.schema)}",
                "api": f"/api/v1/payments/{payment.pk}/sandbox/",
            },
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        verify(body, headers.get(SIGNATURE_HEADER) or "", webhook_secret(self.schema))
        event = json.loads(body)
        return self._translate(event)

    def _translate(self, event: Mapping[str, Any], **override: Any) -> GatewayEvent:
        data = event.get("data") or {}
        return GatewayEvent(
            event_id=override.get("event_id", event.get("id", "")),
            event_type=override.get("event_type", event.get("type", "")),
            kind=_KINDS.get(event.get("type", ""), EventKind.IGNORED),
            reference=data.get("payment", ""),
            gateway_payment_id=data.get("payment", ""),
            amount=data.get("amount"),
            currency=data.get("currency", ""),
            method=data.get("method", ""),
            card_fingerprint=data.get("fingerprint", ""),
            refund_reference=data.get("refund", ""),
            refund_id=data.get("refund_id", ""),
            failure_code=data.get("failure_code", ""),
            failure_message=data.get("failure_message", ""),
            # A decline on the sandbox page is not final (the customer may try again
            # with another attempt); giving up on the page is. Events written before the
            # page said which were final failures.
            final=bool(
                override.get("final", data.get("final", event.get("type") == "payment.failed"))
            ),
            payload=event,
        )

    def fetch(self, payment: Payment) -> GatewayEvent:
        from venue_apps.payments.models import SandboxCharge

        charge = SandboxCharge.objects.filter(reference=payment.gateway_reference).first()
        status = charge.status if charge else "missing"
        kind = {
            "succeeded": "payment.succeeded",
            "failed": "payment.failed",
            "declined": "payment.failed",
            "cancelled": "payment.failed",
        }.get(status, "")
        return self._translate(
            {
                "type": kind,
                "data": {
                    "payment": payment.gateway_reference,
                    "amount": charge.amount if charge else None,
                    "currency": charge.currency if charge else "",
                    "method": "card",
                    "failure_code": {
                        "failed": "card_declined",
                        "declined": "card_declined",
                        "cancelled": "payment_cancelled",
                    }.get(status, ""),
                },
            },
            event_id=f"fetch:{payment.gateway_reference}:{status}",
            event_type=f"fetched.{status}",
            final=status in ("failed", "cancelled", "missing"),
        )

    def client_return(self, payment: Payment, data: Mapping[str, Any]) -> GatewayEvent:
        return self.fetch(payment)

    def refund(self, refund: Refund, payment: Payment) -> RefundResult:
        from venue_apps.payments.models import SandboxCharge

        charge, _ = SandboxCharge.objects.get_or_create(
            idempotency_key=str(refund.pk),
            kind="refund",
            defaults={
                "reference": f"sbx_re_{secrets.token_hex(10)}",
                "status": "succeeded",
                "amount": refund.amount,
                "currency": refund.currency,
                "parent": payment.gateway_reference,
            },
        )
        return RefundResult(reference=charge.reference, status=charge.status)

    def cancel(self, payment: Payment) -> None:
        from venue_apps.payments.models import SandboxCharge

        # A declined attempt could still be paid on the page, as at a real gateway, so
        # it is closed too.
        SandboxCharge.objects.filter(
            reference=payment.gateway_reference, status__in=("pending", "declined")
        ).update(status="cancelled")
