"""Stripe through its official SDK: one `StripeClient` per chain's key, PaymentIntents.

Never the global `stripe.api_key`: two chains served by one process must never share a
key. Webhooks are verified with `construct_event` on the raw body and the chain's
endpoint secret. PaymentIntents capture automatically; the card's fingerprint comes
with `charge.succeeded` (or from the expanded latest charge when we ask).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import stripe

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

TIMEOUT_RETRIES = 2
TIMEOUT_SECONDS = 15
_TRANSIENT = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)


def _method_of(details: Mapping[str, Any] | None) -> str:
    details = details or {}
    kind = details.get("type", "")
    if kind == "card":
        return "wallet" if (details.get("card") or {}).get("wallet") else "card"
    return {"upi": "upi", "netbanking": "netbanking"}.get(kind, "other" if kind else "")


def _charge_facts(charge: Mapping[str, Any] | str | None) -> dict[str, Any]:
    if not isinstance(charge, Mapping):
        return {"gateway_payment_id": charge or ""} if isinstance(charge, str) else {}
    details = charge.get("payment_method_details") or {}
    return {
        "gateway_payment_id": charge.get("id", ""),
        "method": _method_of(details),
        "card_fingerprint": (details.get("card") or {}).get("fingerprint", "") or "",
    }


class StripeProvider(PaymentProvider):
    name = "stripe"
    methods = ("card", "wallet", "upi")

    def _client(self) -> stripe.StripeClient:
        return stripe.StripeClient(
            self.credentials.secret_key,
            max_network_retries=TIMEOUT_RETRIES,
            http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        )

    def _call(self, function, *args, **kwargs) -> dict[str, Any]:
        try:
            return function(*args, **kwargs).to_dict()
        except _TRANSIENT as error:
            raise ProviderError(f"Stripe is unavailable: {type(error).__name__}") from error
        except stripe.StripeError as error:
            reason = error.user_message or type(error).__name__
            raise ProviderRefused(f"Stripe refused: {reason}") from error

    def prepare(self, payment: Payment, *, description: str, email: str) -> PreparedPayment:
        params: dict[str, Any] = {
            "amount": payment.amount,
            "currency": payment.currency.lower(),
            "automatic_payment_methods": {"enabled": True},
            "description": description[:350],
            "metadata": {
                "payment": str(payment.pk),
                "order": str(payment.order_id),
                "tenant": self.schema,
            },
        }
        if email:
            params["receipt_email"] = email
        intent = self._call(
            self._client().v1.payment_intents.create,
            params=params,
            options={"idempotency_key": f"payment-intent-{payment.pk}"},
        )
        return PreparedPayment(
            reference=intent["id"],
            client_data={
                "publishable_key": self.credentials.public_key,
                "payment_intent": intent["id"],
            },
            client_secret=intent.get("client_secret", ""),
        )

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> GatewayEvent:
        signature = headers.get("Stripe-Signature") or headers.get("stripe-signature")
        try:
            self._client().construct_event(body, signature, self.credentials.webhook_secret)
        except (stripe.SignatureVerificationError, ValueError) as error:
            raise SignatureInvalid("The Stripe signature does not verify.") from error
        event = json.loads(body)
        return self._translate(event)

    def _translate(self, event: Mapping[str, Any]) -> GatewayEvent:
        kind = event.get("type", "")
        obj = (event.get("data") or {}).get("object") or {}
        base = {"event_id": event.get("id", ""), "event_type": kind, "payload": event}
        if kind in (
            "payment_intent.succeeded",
            "payment_intent.payment_failed",
            "payment_intent.canceled",
        ):
            return self._from_intent(obj, **base)
        if kind == "charge.succeeded":
            return GatewayEvent(
                kind=EventKind.PAYMENT_SUCCEEDED,
                reference=obj.get("payment_intent") or "",
                amount=obj.get("amount_captured") or obj.get("amount"),
                currency=(obj.get("currency") or "").upper(),
                **_charge_facts(obj),
                **base,
            )
        if kind in ("refund.created", "refund.updated", "refund.failed", "charge.refund.updated"):
            return self._from_refund(obj, **base)
        return GatewayEvent(
            kind=EventKind.IGNORED, reference=obj.get("payment_intent") or "", **base
        )

    def _from_intent(self, intent: Mapping[str, Any], **base: Any) -> GatewayEvent:
        status = intent.get("status")
        facts = _charge_facts(intent.get("latest_charge"))
        common = {
            "reference": intent.get("id", ""),
            "currency": (intent.get("currency") or "").upper(),
            **base,
        }
        if status == "succeeded":
            return GatewayEvent(
                kind=EventKind.PAYMENT_SUCCEEDED,
                amount=intent.get("amount_received") or intent.get("amount"),
                **facts,
                **common,
            )
        error = intent.get("last_payment_error") or {}
        if status == "canceled" or (status == "requires_payment_method" and error):
            return GatewayEvent(
                kind=EventKind.PAYMENT_FAILED,
                amount=intent.get("amount"),
                failure_code=error.get("decline_code")
                or error.get("code")
                or intent.get("cancellation_reason")
                or "canceled",
                failure_message=(error.get("message") or "The payment was not completed.")[:255],
                final=status == "canceled",
                **common,
            )
        return GatewayEvent(kind=EventKind.IGNORED, amount=intent.get("amount"), **common)

    def _from_refund(self, refund: Mapping[str, Any], **base: Any) -> GatewayEvent:
        status = refund.get("status")
        kind = {
            "succeeded": EventKind.REFUND_SUCCEEDED,
            "failed": EventKind.REFUND_FAILED,
            "canceled": EventKind.REFUND_FAILED,
        }.get(status or "", EventKind.IGNORED)
        return GatewayEvent(
            kind=kind,
            reference=refund.get("payment_intent") or "",
            gateway_payment_id=refund.get("charge") or "",
            amount=refund.get("amount"),
            currency=(refund.get("currency") or "").upper(),
            refund_reference=refund.get("id", ""),
            refund_id=(refund.get("metadata") or {}).get("refund", ""),
            failure_code=refund.get("failure_reason") or "",
            **base,
        )

    def fetch(self, payment: Payment) -> GatewayEvent:
        intent = self._call(
            self._client().v1.payment_intents.retrieve,
            payment.gateway_reference,
            params={"expand": ["latest_charge"]},
        )
        return self._from_intent(
            intent,
            event_id=f"fetch:{intent['id']}:{intent.get('status')}",
            event_type=f"fetched.{intent.get('status')}",
            payload={"object": intent},
        )

    def client_return(self, payment: Payment, data: Mapping[str, Any]) -> GatewayEvent:
        # Whatever the browser says, the PaymentIntent at Stripe is the truth.
        return self.fetch(payment)

    def refund(self, refund: Refund, payment: Payment) -> RefundResult:
        client = self._client()
        # Sent before? Look it up rather than trust the idempotency key alone (Stripe
        # forgets keys after a day; a refund can stay pending longer than that).
        if refund.gateway_reference:
            return self._refund_result(
                self._call(client.v1.refunds.retrieve, refund.gateway_reference)
            )
        existing = self._call(
            client.v1.refunds.list,
            params={"payment_intent": payment.gateway_reference, "limit": 100},
        )
        for item in existing.get("data") or []:
            if (item.get("metadata") or {}).get("refund") == str(refund.pk):
                return self._refund_result(item)
        result = self._call(
            client.v1.refunds.create,
            params={
                "payment_intent": payment.gateway_reference,
                "amount": refund.amount,
                "metadata": {"refund": str(refund.pk), "order": str(refund.order_id)},
            },
            options={"idempotency_key": f"refund-{refund.pk}"},
        )
        return self._refund_result(result)

    @staticmethod
    def _refund_result(result: Mapping[str, Any]) -> RefundResult:
        status = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}.get(
            result.get("status", ""), "pending"
        )
        return RefundResult(
            reference=result["id"], status=status, failure=result.get("failure_reason") or ""
        )

    def cancel(self, payment: Payment) -> None:
        if not payment.gateway_reference:
            return
        try:
            self._client().v1.payment_intents.cancel(payment.gateway_reference)
        except stripe.InvalidRequestError:
            pass  # already succeeded or cancelled: nothing to stop
        except _TRANSIENT as error:
            raise ProviderError("Stripe is unavailable") from error
        except stripe.StripeError as error:
            raise ProviderRefused(f"Stripe refused: {type(error).__name__}") from error
