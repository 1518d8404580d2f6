"""Checkout: a hold becomes an order and a payment attempt at one of the chain's gateways.

The order and the payment row are committed before the gateway is called, so a
gateway that answers slowly or not at all never holds a database lock, and a payment
the gateway knows about always has a row here to land on. `prepare` moves no money;
the payment's id is its idempotency key, so preparing again never makes a second
PaymentIntent. Orders with nothing to pay (a 100 % promo code) are paid at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tenants.crypto import seal, unseal
from tenants.error_codes import Conflict, DomainError, NotFound
from tenants.schemas import current_schema_name
from venue_apps.inventory.models import Hold
from venue_apps.orders.error_codes import OrderErrorCode
from venue_apps.orders.models import Order
from venue_apps.orders.services import Buyer, order_create, order_fulfil
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import Payment, PaymentSettings
from venue_apps.payments.providers.base import (
    EventKind,
    PaymentProvider,
    ProviderError,
    ProviderRefused,
)
from venue_apps.payments.services import fraud
from venue_apps.payments.services.events import EventOutcome, event_apply
from venue_apps.payments.services.gateways import provider_for, provider_for_payment
from venue_apps.payments.services.refunds import CAPTURED
from venue_apps.tickets.services import tickets_email_on_commit, tickets_issue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Checkout:
    order: Order
    payment: Payment | None


def _secret_context(payment: Payment) -> str:
    return f"{current_schema_name()}:payments.payment.{payment.pk}.client_secret"


def payment_client_secret(payment: Payment) -> str:
    """The Stripe client secret, for the order's owner only."""
    if not payment.client_secret_sealed:
        return ""
    return unseal(payment.client_secret_sealed, context=_secret_context(payment))


def checkout_start(
    hold: Hold,
    *,
    buyer: Buyer,
    provider_name: str,
    currency: str,
    promo_code: str | None = None,
) -> Checkout:
    """Order the hold's seats and start paying with `provider_name`.

    Raises NotFound (404) for a gateway the chain does not offer, PaymentRefused (429 or
    403) when the fraud checks refuse the attempt, and what `order_create` raises.
    """
    settings = PaymentSettings.current()
    provider = provider_for(provider_name, settings=settings)
    customer_id = getattr(buyer.customer, "pk", None)
    # Outside the order's transaction: a refusal is logged, and stays logged.
    fraud.attempt_check(customer_id=customer_id, address=buyer.address)
    with transaction.atomic():
        order = order_create(
            hold,
            buyer=buyer,
            currency=currency,
            promo_code=promo_code,
            test_mode=not settings.live,
        )
        if order.total == 0:
            fulfilment = order_fulfil(order, actor=buyer.sold_by or buyer.customer)
            if not fulfilment.sold:
                raise Conflict(OrderErrorCode.SEATS_UNAVAILABLE, "The seats are no longer held.")
            tickets_issue(order)
            tickets_email_on_commit(order)
            return Checkout(order, None)
        payment = Payment.objects.create(
            order=order,
            provider=provider_name,
            test_mode=not settings.live,
            amount=order.total,
            currency=order.currency,
            customer_id=customer_id,
            client_address=buyer.address,
        )
    return Checkout(order, payment_prepare(payment, provider=provider))


def payment_prepare(payment: Payment, *, provider: PaymentProvider | None = None) -> Payment:
    """Create the gateway's side of the payment; answer 502 if the gateway fails."""
    provider = provider or provider_for(payment.provider)
    order = payment.order
    from tenants.selectors import tenant_current

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
                prepared.client_secret, context=_secret_context(locked)
            )
        locked.save()
    return locked


def payment_retry(order: Order, *, provider_name: str, address: str | None) -> Payment:
    """Another attempt at paying a pending order (after a gateway hiccup, or to switch
    gateway). Other unpaid attempts are cancelled at their gateways. Refused (409
    `mode_changed`) when the chain changed mode (test or live) since the order."""
    from venue_apps.payments.services.refunds import _payment_abandon, order_and_payments_locked

    settings = PaymentSettings.current()
    if order.test_mode == settings.live:
        # The chain changed mode since the order was made: a test-mode order is never
        # paid with real money, nor a live one with test money (`test_mode` never
        # changes, so no lock is needed to read it). Book again.
        made, now = ("test", "live") if order.test_mode else ("live", "test")
        raise Conflict(
            PaymentErrorCode.MODE_CHANGED,
            f"This order was made in {made} mode and the chain is in {now} mode now; "
            "book the seats again.",
        )
    provider = provider_for(provider_name, settings=settings)
    fraud.attempt_check(customer_id=order.customer_id, address=address, order=order)
    with transaction.atomic():
        order, payments = order_and_payments_locked(order.pk)
        if order.current_status != Order.Status.PENDING:
            raise Conflict(
                OrderErrorCode.ORDER_NOT_PENDING, f"The order is {order.current_status}."
            )
        for other in payments:
            if other.status == Payment.Status.PENDING:
                _payment_abandon(other, reason="replaced")
        payment = Payment.objects.create(
            order=order,
            provider=provider_name,
            test_mode=not settings.live,
            amount=order.total,
            currency=order.currency,
            customer_id=order.customer_id,
            client_address=address,
        )
    # The gateway is called after commit, never while the order is locked.
    return payment_prepare(payment, provider=provider)


def payment_client_return(payment: Payment, data: Mapping[str, Any]) -> EventOutcome:
    """The customer's browser says it paid: ask the gateway and apply what it says."""
    provider = provider_for_payment(payment)
    if not payment.gateway_reference:
        raise Conflict(PaymentErrorCode.PAYMENT_NOT_PENDING, "This payment never started.")
    from venue_apps.payments.providers.base import SignatureInvalid

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


def unpaid_orders_expire(*, now: Any = None) -> int:
    """End the unpaid orders whose time is up (their seats go back on sale), then close
    their attempts at the gateways, so a customer who was too slow cannot pay them; one
    who pays anyway in between is a late payment (tickets if the seats are still free,
    else a refund)."""
    from venue_apps.orders.services import orders_expire
    from venue_apps.payments.tasks import payment_gateway_cancel_task

    expired = orders_expire(now=now)
    attempts = (
        Payment.objects.filter(order_id__in=expired, gateway_closed=False)
        .exclude(status__in=CAPTURED)
        .exclude(gateway_reference="")
        .values_list("pk", flat=True)
    )
    for payment_id in attempts:
        try:
            payment_gateway_cancel_task.apply_async(args=[str(payment_id)])
        except Exception:  # the broker is down: reconciliation closes it later
            logger.exception("could not queue closing payment %s", payment_id)
    return len(expired)
