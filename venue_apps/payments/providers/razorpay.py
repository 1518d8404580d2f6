"""Razorpay through its official SDK: Orders, payment signatures, webhooks, refunds.

The browser's `razorpay_signature` is verified against the Razorpay order id we
stored for the payment, never the one the browser sends; then the payment itself is
fetched from Razorpay, because a signature proves which payment belongs to the order,
not that it was captured or for how much. Payments that arrive `authorized` (accounts
without automatic capture) are captured by us after the fraud checks.

Webhooks are known by a digest of their signed body, never by the unsigned
X-Razorpay-Event-Id header, so a replayed body is a duplicate whatever id it carries.

Razorpay has no idempotency keys for refunds: before refunding, the payment's refunds
are listed and one carrying our refund id in its notes is reused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import razorpay
import requests
from razorpay.errors import BadRequestError, GatewayError, ServerError, SignatureVerificationError

from venue_apps.payments.providers.base import (
    EventKind,
    GatewayEvent,
    PaymentProvider,
    PreparedPayment,
    ProviderError,
    ProviderRefused,
    RefundResult,
    SignatureInvalid,
)

if TYPE_CHECKING:
    from venue_apps.payments.models import Payment, Refund

TIMEOUT = 10  # seconds per call to Razorpay
_METHODS = {"card": "card", "upi": "upi", "netbanking": "netbanking", "wallet": "wallet"}


def _payment_event(entity: Mapping[str, Any], **base: Any) -> GatewayEvent:
    status = entity.get("status")
    kind = {
        "captured": EventKind.PAYMENT_SUCCEEDED,
        "authorized": EventKind.PAYMENT_AUTHORIZED,
        "failed": EventKind.PAYMENT_FAILED,
    }.get(status or "", EventKind.IGNORED)
    # Who paid: the card for cards, the UPI address for UPI; for velocity checks.
    payer = entity.get("card_id") or entity.get("vpa") or entity.get("wallet") or ""
    return GatewayEvent(
        kind=kind,
        reference=entity.get("order_id") or "",
        gateway_payment_id=entity.get("id", ""),
        amount=entity.get("amount"),
        currency=(entity.get("currency") or "").upper(),
        method=_METHODS.get(entity.get("method") or "", "other"),
        card_fingerprint=str(payer)[:64],
        failure_code=entity.get("error_code") or "",
        failure_message=(entity.get("error_description") or "")[:255],
        **base,
    )


class RazorpayProvider(PaymentProvider):
    name = "razorpay"
    methods = ("card", "upi", "netbanking", "wallet")

    def _client(self) -> razorpay.Client:
        return razorpay.Client(auth=(self.credentials.public_key, self.credentials.secret_key))

    def _call(self, function, *args, **kwargs) -> Any:
        try:
            return function(*args, timeout=TIMEOUT, **kwargs)
        except (requests.RequestException, ServerError, GatewayError) as error:
            raise ProviderError(f"Razorpay is unavailable: {type(error).__name__}") from error
        except BadRequestError as error:
            raise ProviderRefused(f"Razorpay refused: {error}") from error

    def prepare(self, payment: Payment, *, description: str, email: str) -> PreparedPayment:
        order = self._call(
            self._client().order.create,
            {
                "amount": payment.amount,
                "currency": payment.currency,
                "receipt": str(payment.pk)[:40],
                "notes": {
                    "payment": str(payment.pk),
                    "order": str(payment.order_id),
                    "tenant": self.schema,
                },
            },
        )
        return PreparedPayment(
            reference=order["id"],
            client_data={
                "key_id": self.credentials.public_key,
                "razorpay_order_id": order["id"],
                "amount": payment.amount,
                "currency": payment.currency,
                "description": description[:255],
                "prefill": {"email": email} if email else {},
            },
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        signature = headers.get("X-Razorpay-Signature") or ""
        try:
            self._client().utility.verify_webhook_signature(
                body.decode("utf-8"), signature, self.credentials.webhook_secret
            )
        except (SignatureVerificationError, UnicodeDecodeError) as error:
            raise SignatureInvalid("The Razorpay signature does not verify.") from error
        event = json.loads(body)
        if not headers.get("X-Razorpay-Event-Id"):
            # Every delivery of Razorpay's names its event; one without is not theirs.
            raise SignatureInvalid("The webhook has no X-Razorpay-Event-Id.")
        # The signature covers the body only, not the X-Razorpay-Event-Id header, so the
        # header cannot say which event this is: a signed body replayed under a new id
        # would be applied again. The event is named by its signed body instead.
        # Razorpay repeats and replays an event byte for byte, so its repeats still
        # find the first; two different events never have the same body (the event's
        # name, its entity and its time are all in it).
        event_id = f"rzp_{hashlib.sha256(body).hexdigest()}"
        kind = event.get("event", "")
        payload = event.get("payload") or {}
        base = {"event_id": event_id, "event_type": kind, "payload": event}
        payment_entity = (payload.get("payment") or {}).get("entity") or {}
        if kind in ("payment.captured", "payment.failed", "payment.authorized", "order.paid"):
            return _payment_event(payment_entity, **base)
        if kind in ("refund.processed", "refund.failed"):
            refund = (payload.get("refund") or {}).get("entity") or {}
            return GatewayEvent(
                kind=EventKind.REFUND_SUCCEEDED
                if kind == "refund.processed"
                else EventKind.REFUND_FAILED,
                reference=payment_entity.get("order_id") or "",
                gateway_payment_id=refund.get("payment_id", ""),
                amount=refund.get("amount"),
                currency=(refund.get("currency") or "").upper(),
                refund_reference=refund.get("id", ""),
                refund_id=(refund.get("notes") or {}).get("refund", "")
                if isinstance(refund.get("notes"), dict)
                else "",
                **base,
            )
        return GatewayEvent(
            kind=EventKind.IGNORED, reference=payment_entity.get("order_id", ""), **base
        )

    def fetch(self, payment: Payment) -> GatewayEvent:
        listing = self._call(self._client().order.payments, payment.gateway_reference, {})
        items = listing.get("items") or []
        # The best thing that happened to the order decides: captured, then authorized,
        # then failed; nothing at all means the customer has not paid (yet).
        for status in ("captured", "authorized", "failed"):
            for entity in items:
                if entity.get("status") == status:
                    return _payment_event(
                        entity,
                        event_id=f"fetch:{entity.get('id')}:{status}",
                        event_type=f"fetched.{status}",
                        payload={"object": entity},
                    )
        return GatewayEvent(
            event_id=f"fetch:{payment.gateway_reference}:none",
            event_type="fetched.none",
            kind=EventKind.IGNORED,
            reference=payment.gateway_reference,
        )

    def client_return(self, payment: Payment, data: Mapping[str, Any]) -> GatewayEvent:
        payment_id = str(data.get("razorpay_payment_id") or "")
        try:
            self._client().utility.verify_payment_signature(
                {
                    # Ours, not the browser's: a signature for another order must fail.
                    "razorpay_order_id": payment.gateway_reference,
                    "razorpay_payment_id": payment_id,
                    "razorpay_signature": str(data.get("razorpay_signature") or ""),
                }
            )
        except SignatureVerificationError as error:
            raise SignatureInvalid("The Razorpay payment signature does not verify.") from error
        entity = self._call(self._client().payment.fetch, payment_id, {})
        if entity.get("order_id") != payment.gateway_reference:
            raise SignatureInvalid("That payment belongs to another Razorpay order.")
        return _payment_event(
            entity,
            event_id=f"return:{payment_id}:{entity.get('status')}",
            event_type=f"returned.{entity.get('status')}",
            payload={"object": entity},
        )

    def capture(self, payment: Payment, amount: int) -> GatewayEvent:
        entity = self._call(
            self._client().payment.capture,
            payment.gateway_payment_id,
            amount,
            {"currency": payment.currency},
        )
        return _payment_event(
            entity,
            event_id=f"capture:{entity.get('id')}:{entity.get('status')}",
            event_type=f"captured.{entity.get('status')}",
            payload={"object": entity},
        )

    def refund(self, refund: Refund, payment: Payment) -> RefundResult:
        client = self._client()
        if refund.gateway_reference:
            return self._refund_result(
                self._call(client.refund.fetch, refund.gateway_reference, {})
            )
        existing = self._call(client.payment.fetch_multiple_refund, payment.gateway_payment_id, {})
        for item in existing.get("items") or []:
            notes = item.get("notes") if isinstance(item.get("notes"), dict) else {}
            if notes.get("refund") == str(refund.pk):
                return self._refund_result(item)
        created = self._call(
            client.payment.refund,
            payment.gateway_payment_id,
            {
                "amount": refund.amount,
                "speed": "normal",
                "receipt": str(refund.pk)[:40],
                "notes": {"refund": str(refund.pk), "order": str(refund.order_id)},
            },
        )
        return self._refund_result(created)

    @staticmethod
    def _refund_result(item: Mapping[str, Any]) -> RefundResult:
        status = {"processed": "succeeded", "failed": "failed"}.get(
            item.get("status", ""), "pending"
        )
        return RefundResult(reference=item.get("id", ""), status=status)
