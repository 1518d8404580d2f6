"""Payment attempts: creating one for an order, preparing it at its gateway, asking the
gateway about it, capturing, cancelling and closing it.

An attempt's row is committed before its gateway is called, so a gateway that answers
slowly or not at all never holds a database lock, and a payment the gateway knows
about always has a row here to land on. `prepare` moves no money; the payment's id is
its idempotency key, so preparing again never makes a second PaymentIntent. What an
attempt means for its order is the sale's business (`venue_apps.sales`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from tenants.crypto import seal, unseal
from tenants.error_codes import Conflict, DomainError, NotFound
from tenants.queue import task_enqueue_on_commit
from tenants.schemas import current_schema_name
from tenants.selectors import tenant_current
from venue_apps.orders.models import Order
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import CAPTURED, Payment
from venue_apps.payments.providers.base import (
    EventKind,
    PaymentProvider,
    ProviderError,
    ProviderRefused,
    SignatureInvalid,
)
from venue_apps.payments.services.events import EventOutcome, event_apply
from venue_apps.payments.services.gateways import provider_for, provider_for_payment

logger = logging.getLogger(__name__)
GATEWAY_CANCEL_TASK = "venue_apps.payments.tasks.payment_gateway_cancel_task"


def payment_secret_context(payment: Payment) -> str:
    """The sealing context of the payment's client secret (also used by re-sealing)."""
    return f"{current_schema_name()}:payments.payment.{payment.pk}.client_secret"


def payment_client_secret(payment: Payment) -> str:
    """The Stripe client secret, for the order's owner only."""
    if not payment.client_secret_sealed:
        return ""
    return unseal(payment.client_secret_sealed, context=payment_secret_context(payment))


def payment_create(
    order: Order,
    *,
    provider_name: str,
    test_mode: bool,
    customer_id: Any,
    address: str | None,
    shift_id: int | None = None,
) -> Payment:
    """A new attempt at paying the whole order, in the caller's transaction (at the
    counter: through till shift `shift_id`)."""
    return Payment.objects.create(
        order=order,
        provider=provider_name,
        test_mode=test_mode,
        amount=order.total,
        currency=order.currency,
        customer_id=customer_id,
        client_address=address,
        shift_id=shift_id,
    )


def payment_prepare(payment: Payment, *, provider: PaymentProvider | None = None) -> Payment:
    """Create the gateway's side of the payment; answer 502 if the gateway fails."""
    provider = provider or provider_for(payment.provider)
    order = payment.order
    description = f"{tenant_current().brand_name} order {order.reference}"
    try:
        prepared = provider.prepare(payment, description=description, email=order.email)
    except ProviderError as error:
        logger.warning("prepare %s failed: %s", payment.pk, error)
        raise DomainError(
            PaymentErrorCode.GATEWAY_UNAVAILABLE,
            "The payment gateway did not answer; try again in a moment.",
            status_code=502,
            extra={"order": str(order.pk), "payment": str(payment.pk)},
        ) from error
    except ProviderRefused as error:
        with transaction.atomic():
            Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
                status=Payment.Status.FAILED,
                failure_code="gateway_refused",
                failure_message=str(error)[:255],
            )
        raise DomainError(
            PaymentErrorCode.GATEWAY_REFUSED,
            "The payment gateway refused this payment; the chain's keys may be wrong.",
            status_code=502,
            extra={"order": str(order.pk), "payment": str(payment.pk)},
        ) from error
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        locked.gateway_reference = prepared.reference
        locked.client_data = prepared.client_data
        if prepared.client_secret:
            locked.client_secret_sealed = seal(
                prepared.client_secret, context=payment_secret_context(locked)
            )
        locked.save()
    return locked


def payment_gateway_close_on_commit(payment: Payment) -> None:
    """After commit, make the attempt unpayable at its gateway (if it got there), so
    nobody can still pay it later (if they do, the capture is refunded)."""
    if payment.gateway_reference and not payment.gateway_closed:
        task_enqueue_on_commit(GATEWAY_CANCEL_TASK, str(payment.pk))


def payment_abandon(payment: Payment, *, reason: str) -> None:
    """An unpaid attempt that will not be used: cancelled here (the caller holds its
    lock), and at the gateway after commit so it cannot be paid later (if it is anyway,
    it is refunded)."""
    payment.status = Payment.Status.CANCELLED
    payment.failure_code = reason
    payment.save(update_fields=["status", "failure_code", "updated_at"])
    if payment.gateway_reference:
        task_enqueue_on_commit(GATEWAY_CANCEL_TASK, str(payment.pk))


def payment_client_return(payment: Payment, data: Mapping[str, Any]) -> EventOutcome:
    """The customer's browser says it paid: ask the gateway and apply what it says."""
    provider = provider_for_payment(payment)
    if not payment.gateway_reference:
        raise Conflict(PaymentErrorCode.PAYMENT_NOT_PENDING, "This payment never started.")
    try:
        event = provider.client_return(payment, data)
    except SignatureInvalid as error:
        raise DomainError(PaymentErrorCode.SIGNATURE_INVALID, str(error)) from error
    except ProviderError as error:
        raise DomainError(
            PaymentErrorCode.GATEWAY_UNAVAILABLE,
            "The gateway did not answer; your payment is safe and will be confirmed shortly.",
            status_code=502,
        ) from error
    except ProviderRefused as error:
        raise DomainError(
            PaymentErrorCode.GATEWAY_REFUSED,
            "The gateway refused to tell us about this payment; the chain's keys may be wrong.",
            status_code=502,
        ) from error
    return event_apply(payment.provider, event, provider=provider)


def payment_capture(payment_id: Any) -> EventOutcome | None:
    """Capture an authorized payment (Razorpay accounts without automatic capture)."""
    payment = Payment.objects.filter(pk=payment_id, status=Payment.Status.PENDING).first()
    if payment is None or not payment.gateway_payment_id:
        return None
    provider = provider_for_payment(payment)
    event = provider.capture(payment, payment.amount)
    return event_apply(payment.provider, event, provider=provider)


def payment_gateway_close(payment_id: Any) -> EventOutcome | None:
    """Make an attempt we gave up on unpayable at its gateway, then ask the gateway what
    became of it: if the customer paid it after all, that capture is applied like any
    other (tickets, or a refund). Marks the attempt closed once the gateway says so."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or payment.gateway_closed or not payment.gateway_reference:
        return None
    try:
        provider = provider_for_payment(payment)
    except NotFound:
        return None
    if payment.status not in CAPTURED:
        provider.cancel(payment)
    event = provider.fetch(payment)
    outcome = None
    if event.kind in (
        EventKind.PAYMENT_SUCCEEDED,
        EventKind.PAYMENT_AUTHORIZED,
        EventKind.PAYMENT_FAILED,
    ):
        outcome = event_apply(payment.provider, event, provider=provider)
    if event.final:
        Payment.objects.filter(pk=payment.pk).update(gateway_closed=True)
    return outcome


def payment_get(payment_id: Any) -> Payment:
    payment = Payment.objects.select_related("order").filter(pk=payment_id).first()
    if payment is None:
        raise NotFound(PaymentErrorCode.PAYMENT_NOT_FOUND, "No such payment.")
    return payment
