"""Applying what gateways say: webhooks, customers' returns, reconciliation answers.

Every event goes through `event_apply`, in one transaction:

1. It is recorded under its gateway event id; a second delivery of the same id finds
   the row and changes nothing (duplicates, including concurrent ones, wait on the
   unique index and then see the first). An event verified with one mode's keys (test
   or live) about a payment or refund of the other mode is refused (400
   `mode_mismatch`) and leaves no trace.
2. The payment is locked (`tenants.locking.lock_objects`, which also sets the lock
   timeout), and the event moves the payment forward, never back: a failure reported
   after a capture is ignored, a capture after a failure is still a capture (the money
   is real), a refund reported before its capture makes us ask the gateway about the
   capture first. So events may arrive in any order.
3. What the event means for the order is handed to the sale layer above payments
   (`handoff.sale_handler()`, registered by `venue_apps.sales`), in the same
   transaction: captured money always ends somewhere, as a paid order (seats sold,
   tickets) or as a refund (seats gone after a late payment, the wrong amount, refused
   by the fraud checks, or the order was already paid).

A lock timeout or any failure rolls everything back, including the event row, and
answers 5xx, so the gateway delivers it again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tenants.error_codes import DomainError
from tenants.locking import lock_objects, lock_timeout_set
from tenants.queue import task_enqueue_on_commit
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import CAPTURED, Payment, Refund, WebhookEvent
from venue_apps.payments.providers.base import (
    EventKind,
    GatewayEvent,
    PaymentProvider,
    SignatureInvalid,
)
from venue_apps.payments.services import fraud
from venue_apps.payments.services.gateways import webhook_providers
from venue_apps.payments.services.handoff import sale_handler
from venue_apps.payments.services.ledger import ledger_capture
from venue_apps.payments.services.refunds import refund_settle

logger = logging.getLogger(__name__)
CAPTURE_TASK = "venue_apps.payments.tasks.payment_capture_task"


@dataclass(frozen=True)
class EventOutcome:
    result: str  # "processed", "duplicate" or "ignored"
    detail: str
    payment: Payment | None = None


def webhook_receive(provider_name: str, body: bytes, headers: Mapping[str, str]) -> EventOutcome:
    """Verify a gateway's webhook with the chain's secret and apply it.

    A bad signature is a DomainError (400) and changes nothing; so is a body that is not
    JSON. An unconfigured gateway is NotFound (404).
    """
    refusal: Exception | None = None
    for provider in webhook_providers(provider_name):
        try:
            event = provider.parse_webhook(body, headers)
            break
        except SignatureInvalid as error:
            refusal = error
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            raise DomainError(
                PaymentErrorCode.PAYLOAD_INVALID, "The body is not a JSON event."
            ) from error
    else:
        logger.warning("%s webhook refused: %s", provider_name, refusal)
        raise DomainError(PaymentErrorCode.SIGNATURE_INVALID, str(refusal))
    if not event.event_id:
        raise DomainError(PaymentErrorCode.PAYLOAD_INVALID, "The event has no id.")
    return event_apply(provider_name, event, provider=provider)


# Gateway objects carry what we keep sealed (a PaymentIntent's client secret): never
# stored in the event log in the clear.
_SECRET_FIELDS = frozenset({"client_secret"})


def _scrubbed(value):
    if isinstance(value, dict):
        return {
            key: "[removed]" if key in _SECRET_FIELDS else _scrubbed(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    return value


def _payment_of(provider_name: str, event: GatewayEvent) -> Payment | None:
    """The event's payment, locked; None if it is not one of ours."""
    payment_id = None
    if event.reference:
        payment_id = (
            Payment.objects.filter(provider=provider_name, gateway_reference=event.reference)
            .values_list("pk", flat=True)
            .first()
        )
    if payment_id is None and event.refund_id:
        payment_id = (
            Refund.objects.filter(pk=_uuid_or_none(event.refund_id))
            .values_list("payment_id", flat=True)
            .first()
        )
    if payment_id is None and event.refund_reference:
        payment_id = (
            Refund.objects.filter(gateway_reference=event.refund_reference)
            .values_list("payment_id", flat=True)
            .first()
        )
    if payment_id is None:
        return None
    [payments] = lock_objects(Payment.objects.filter(pk=payment_id))
    return payments[0]


def _uuid_or_none(value: str):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def event_apply(
    provider_name: str, event: GatewayEvent, *, provider: PaymentProvider
) -> EventOutcome:
    """Apply one event exactly once (see the module's docstring)."""
    with transaction.atomic():
        lock_timeout_set()
        try:
            with transaction.atomic():
                record = WebhookEvent.objects.create(
                    provider=provider_name,
                    event_id=event.event_id[:100],
                    event_type=event.event_type[:80],
                    payload=_scrubbed(json.loads(json.dumps(dict(event.payload), default=str))),
                )
        except IntegrityError:
            WebhookEvent.objects.filter(provider=provider_name, event_id=event.event_id).update(
                duplicates=F("duplicates") + 1
            )
            return EventOutcome("duplicate", "This event was already processed.")
        payment = _payment_of(provider_name, event)
        if payment is None:
            record.outcome = "no such payment here"
            record.save(update_fields=["outcome"])
            return EventOutcome("ignored", record.outcome)
        if payment.test_mode != provider.test_mode:
            # Test secrets are handed to developers and CI; an event they sign must never
            # move live money (nor a live event test money). Raising rolls back the
            # event's row too: nothing is recorded or changed.
            logger.warning(
                "%s %s verified in %s mode refused: payment %s is %s-mode",
                provider_name,
                event.event_type,
                "test" if provider.test_mode else "live",
                payment.pk,
                "test" if payment.test_mode else "live",
            )
            raise DomainError(
                PaymentErrorCode.MODE_MISMATCH,
                "This event was signed for the other mode (test or live) than its payment.",
            )
        detail = _apply(payment, event, provider)
        record.payment = payment
        record.outcome = detail[:255]
        record.save(update_fields=["payment", "outcome"])
    logger.info("%s %s for payment %s: %s", provider_name, event.event_type, payment.pk, detail)
    return EventOutcome("ignored" if detail.startswith("ignored") else "processed", detail, payment)


def _apply(payment: Payment, event: GatewayEvent, provider: PaymentProvider) -> str:
    if event.kind == EventKind.PAYMENT_SUCCEEDED:
        return _captured(payment, event)
    if event.kind == EventKind.PAYMENT_FAILED:
        return _failed(payment, event)
    if event.kind == EventKind.PAYMENT_AUTHORIZED:
        return _authorized(payment, event)
    if event.kind in (EventKind.REFUND_SUCCEEDED, EventKind.REFUND_FAILED):
        return _refund_reported(payment, event, provider)
    return f"ignored: {event.event_type}"


def _note_payer(payment: Payment, event: GatewayEvent) -> None:
    payment.gateway_payment_id = event.gateway_payment_id or payment.gateway_payment_id
    payment.method = event.method or payment.method
    payment.card_fingerprint = event.card_fingerprint or payment.card_fingerprint


def _captured(payment: Payment, event: GatewayEvent) -> str:
    if payment.status in CAPTURED:
        if event.card_fingerprint and not payment.card_fingerprint:
            _note_payer(payment, event)
            payment.save(update_fields=["gateway_payment_id", "method", "card_fingerprint"])
        return "ignored: already captured"
    amount = int(event.amount or 0)
    currency = (event.currency or payment.currency).upper()
    _note_payer(payment, event)
    payment.status = Payment.Status.SUCCEEDED
    payment.captured_amount = amount
    payment.captured_at = timezone.now()
    payment.failure_code = payment.failure_message = ""
    payment.save()
    ledger_capture(payment, amount=amount, currency=currency)
    return sale_handler().payment_captured(payment, amount=amount, currency=currency)


def _failed(payment: Payment, event: GatewayEvent) -> str:
    """A declined or abandoned attempt.

    A decline the customer may retry (a card refused inside Stripe's or Razorpay's
    checkout, or on the sandbox's page) keeps the seats until the hold's time is up, so
    a retry, on the same attempt or a new one, pays normally. A final failure (the
    gateway closed the attempt, the customer gave up on the sandbox page, a fraud
    refusal) or too many failures ends the order and gives the seats back at once.
    """
    if payment.status not in (Payment.Status.PENDING, Payment.Status.FAILED):
        return f"ignored: failure reported for a payment that is {payment.status}"
    if payment.status == Payment.Status.FAILED and not event.final:
        return "ignored: already failed"
    _note_payer(payment, event)
    payment.status = Payment.Status.FAILED
    payment.failure_code = (event.failure_code or payment.failure_code or "declined")[:64]
    payment.failure_message = (event.failure_message or payment.failure_message)[:255]
    payment.gateway_closed = payment.gateway_closed or event.final
    payment.save()
    return sale_handler().payment_failed(payment, final=event.final)


def _authorized(payment: Payment, event: GatewayEvent) -> str:
    if payment.status != Payment.Status.PENDING:
        return f"ignored: authorization for a payment that is {payment.status}"
    _note_payer(payment, event)
    payment.save(update_fields=["gateway_payment_id", "method", "card_fingerprint", "updated_at"])
    verdict = fraud.capture_check(
        payment,
        amount=event.amount,
        currency=event.currency or payment.currency,
        fingerprint=payment.card_fingerprint,
    )
    if not verdict.allowed:
        # Not captured, so no money moves: the gateway voids the authorization.
        return _failed(
            payment,
            GatewayEvent(
                event_id=event.event_id,
                event_type=event.event_type,
                kind=EventKind.PAYMENT_FAILED,
                failure_code=verdict.reason,
                failure_message=verdict.detail,
                final=True,  # we refuse it: it is never captured
            ),
        )
    task_enqueue_on_commit(CAPTURE_TASK, str(payment.pk))
    return "authorized; capturing"


def _refund_reported(payment: Payment, event: GatewayEvent, provider: PaymentProvider) -> str:
    refund: Refund | None = None
    if event.refund_id:
        refund = Refund.objects.filter(pk=_uuid_or_none(event.refund_id), payment=payment).first()
    if refund is None and event.refund_reference:
        refund = Refund.objects.filter(
            gateway_reference=event.refund_reference, payment=payment
        ).first()
    status = "succeeded" if event.kind == EventKind.REFUND_SUCCEEDED else "failed"
    if refund is not None:
        settled = refund_settle(refund.pk, status=status, reference=event.refund_reference)
        return f"refund {settled.pk} {settled.status}"
    if payment.status not in CAPTURED:
        # A refund can only follow a capture that we have not heard of yet: ask.
        fetched = provider.fetch(payment)
        if fetched.kind == EventKind.PAYMENT_SUCCEEDED:
            _captured(payment, fetched)
            payment.refresh_from_db()
        else:
            return "ignored: refund reported for a payment not captured"
    if status != "succeeded":
        return "ignored: a refund we did not ask for failed"
    return _refund_from_gateway(payment, event)


def _refund_from_gateway(payment: Payment, event: GatewayEvent) -> str:
    """A refund made at the gateway itself (the chain's Stripe dashboard, say): the sale
    records it against the order so the books match the gateway; seats stay as they
    are. Whatever the order's state, as long as the payment has money left to give back."""
    amount = int(event.amount or 0)
    if amount <= 0 or amount > payment.refundable:
        logger.error("payment %s: gateway refund of %s exceeds what is left", payment.pk, amount)
        return "ignored: gateway refund larger than what is left; flagged"
    return sale_handler().gateway_refund_recorded(
        payment, amount=amount, reference=event.refund_reference
    )
