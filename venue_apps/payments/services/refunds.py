"""Refunds: customer cancellations under the chain's policy, staff refunds, automatic
refunds of payments that could not be honoured, and sending them through the gateway.

A refund is decided in one transaction (the refund row, the lines it gives back, seats
back on sale, the ledger's `refund_due`) and sent after commit by a Celery task that
retries; the gateway's answer settles it (`refund_sent` in the ledger). Sending is
idempotent per refund at every gateway, so a retried or duplicated task never refunds
twice.

Locks are taken in the shared order: payments of the order, then the order, then
seats; the same order as the webhook processing, so the two never deadlock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from tenants.error_codes import Conflict, DomainError, NotFound
from tenants.queue import task_enqueue_on_commit
from venue_apps.inventory.holds import hold_release
from venue_apps.inventory.models import Hold
from venue_apps.orders import policy as policy_rules
from venue_apps.orders.error_codes import OrderErrorCode
from venue_apps.orders.models import Order, OrderLine
from venue_apps.orders.services import (
    cancellation_policy,
    order_end_unpaid,
    order_lines_refund,
    order_mark_refunded_unfulfilled,
    order_notify,
)
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import Payment, Refund
from venue_apps.payments.providers.base import ProviderError, ProviderRefused, RefundResult
from venue_apps.payments.selectors import payments_live
from venue_apps.payments.services.ledger import (
    ledger_refund_due,
    ledger_refund_returned,
    ledger_refund_sent,
    line_split,
    refund_parts,
)
from venue_apps.shows.models import Show
from venue_apps.tickets.services import tickets_revoke

logger = logging.getLogger(__name__)
CAPTURED = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED)


def order_and_payments_locked(order_id: Any) -> tuple[Order, list[Payment]]:
    """Lock the order's payments (by id), then the order: the shared lock order."""
    payments = list(Payment.objects.select_for_update().filter(order_id=order_id).order_by("pk"))
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise NotFound(OrderErrorCode.ORDER_NOT_FOUND, "No such order.")
    return order, payments


def _paying(payments: list[Payment]) -> Payment | None:
    return next((payment for payment in payments if payment.paid_order), None)


def _platform_reversal(line: OrderLine, amount: int) -> int:
    """The platform fee given back with `amount` of a line: proportional, and exact in
    sum however many partial refunds the line gets."""
    if not line.total or not line.platform_fee:
        return 0

    def due(refunded: int) -> int:
        return (line.platform_fee * refunded * 2 + line.total) // (2 * line.total)

    return due(line.refunded_amount + amount) - due(line.refunded_amount)


def _refund_record(
    payment: Payment,
    order: Order,
    *,
    amount: int,
    reason: str,
    lines: dict[int, int] | None = None,
    with_fees: bool = True,
    return_seats: tuple[int, ...] = (),
    currency: str | None = None,
    actor: Any = None,
    note: str = "",
) -> Refund | None:
    """Decide a refund (both rows locked by the caller): lines, seats, ledger, then send
    it after commit. A refund of nothing only puts the seats back."""
    if amount < 0 or amount > payment.refundable:
        raise Conflict(
            PaymentErrorCode.REFUND_TOO_LARGE,
            f"At most {payment.refundable} can be refunded on this payment.",
        )
    splits: list[tuple[int, int, int]] = []
    reversal = 0
    if lines is not None:
        by_id = {line.pk: line for line in order.lines.all()}
        parts: dict[int, tuple[int, int]] = {}
        for line_id, line_amount in lines.items():
            line = by_id[line_id]
            if line_amount > line.refundable:
                raise Conflict(
                    PaymentErrorCode.REFUND_TOO_LARGE,
                    f"Seat {line.seat_label} has {line.refundable} left to refund.",
                )
            ticket, fee = refund_parts(line, line_amount, with_fees=with_fees)
            parts[line_id] = (ticket, fee)
            if line_amount:
                splits.append(line_split(line, ticket, fee))
                reversal += _platform_reversal(line, line_amount)
        order_lines_refund(order, parts, return_seats=return_seats, actor=actor, reason=reason)
        if return_seats:
            # Seats back on sale: their tickets are void from this moment.
            tickets_revoke(order, line_ids=return_seats, reason=reason)
    if amount == 0:
        return None
    refund = Refund.objects.create(
        payment=payment,
        order=order,
        amount=amount,
        currency=currency or payment.currency,
        reason=reason,
        note=note[:255],
        lines={str(key): value for key, value in (lines or {}).items() if value},
        requested_by_id=getattr(actor, "pk", None),
    )
    payment.refunded_amount += amount
    payment.status = (
        Payment.Status.REFUNDED
        if payment.refunded_amount == payment.captured_amount
        else Payment.Status.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["refunded_amount", "status", "updated_at"])
    ledger_refund_due(refund, splits=splits, platform_reversal=reversal)
    from venue_apps.payments.tasks import refund_execute_task

    task_enqueue_on_commit(refund_execute_task, str(refund.pk))
    return refund


def _seats_back_unpaid(order: Order, line_ids: list[int], *, reason: str, actor: Any) -> None:
    """A free order's seats go back on sale and its tickets are void; no money moves."""
    order_lines_refund(
        order,
        {line_id: (0, 0) for line_id in line_ids},
        return_seats=tuple(line_ids),
        actor=actor,
        reason=reason,
    )
    tickets_revoke(order, line_ids=line_ids, reason=reason)


def refund_unfulfilled(payment: Payment, order: Order, *, reason: str) -> Refund | None:
    """Give back a captured payment that did not become (or pay for) a sale: paid
    after the seats were gone, the wrong amount, refused by fraud checks, or paid twice.
    Both rows are locked by the caller."""
    if order.status != Order.Status.PAID or not payment.paid_order:
        order_mark_refunded_unfulfilled(order, reason=reason)
    refund = _refund_record(payment, order, amount=payment.refundable, reason=reason, currency=None)
    order_notify(order, "payment_returned")
    return refund


# --- customers cancel -------------------------------------------------------------------


def _policy() -> policy_rules.Policy:
    row = cancellation_policy()
    return policy_rules.Policy(
        customers_may_cancel=row.customers_may_cancel,
        cutoff_hours=row.cutoff_hours,
        refund_booking_fee=row.refund_booking_fee,
        tiers=tuple(
            policy_rules.Tier(tier.hours_before, tier.refund_percent) for tier in row.tiers.all()
        ),
    )


def order_cancel_quote(order: Order, *, now: datetime | None = None) -> policy_rules.Quote:
    """What cancelling the order now would refund under the chain's policy; changes nothing."""
    now = now or timezone.now()
    show = Show.objects.only("starts_at").get(pk=order.show_id)
    rules = _policy()
    if order.current_status == Order.Status.PENDING:
        return policy_rules.Quote(
            True,
            "ok",
            "Nothing was paid; cancelling releases the seats.",
            0,
            0,
            round((show.starts_at - now).total_seconds() / 3600, 2),
            show.starts_at,
            {},
        )
    if order.status != Order.Status.PAID:
        return policy_rules.Quote(
            False,
            OrderErrorCode.ORDER_NOT_PAID,
            f"The order is {order.current_status}.",
            0,
            0,
            round((show.starts_at - now).total_seconds() / 3600, 2),
            show.starts_at,
            {},
        )
    lines = [
        policy_rules.LineMoney(
            line.pk, line.total, line.fee_total, line.refunded_ticket, line.refunded_fee
        )
        for line in order.lines.filter(status=OrderLine.Status.SOLD)
    ]
    return policy_rules.quote(rules, lines=lines, starts_at=show.starts_at, now=now)


@dataclass(frozen=True)
class Cancellation:
    order: Order
    refund: Refund | None
    amount: int


@transaction.atomic
def order_cancel(order_id: Any, *, actor: Any = None, now: datetime | None = None) -> Cancellation:
    """A customer cancels: an unpaid order just lets its seats go; a paid one is
    refunded under the chain's policy and its seats go back on sale.

    Refused (409) past the policy's cut-off, after the show started, when the chain
    takes no cancellations, or when the order is not paid.
    """
    now = now or timezone.now()
    order, payments = order_and_payments_locked(order_id)
    if order.status == Order.Status.PENDING:
        order_end_unpaid(
            order,
            status=Order.Status.CANCELLED,
            reason=Order.Reason.CUSTOMER_CANCELLED,
            actor=actor,
        )
        for attempt in payments:
            if attempt.status == Payment.Status.PENDING:
                _payment_abandon(attempt, reason="order_cancelled")
        return Cancellation(order, None, 0)
    quote = order_cancel_quote(order, now=now)
    if not quote.allowed:
        raise Conflict(quote.code, quote.detail)
    payment = _paying(payments)
    sold = [line.pk for line in order.lines.filter(status=OrderLine.Status.SOLD)]
    if payment is None:
        if order.total:
            raise Conflict(OrderErrorCode.ORDER_NOT_PAID, "No payment paid this order.")
        _seats_back_unpaid(order, sold, reason=Refund.Reason.CUSTOMER_CANCELLED, actor=actor)
        return Cancellation(order, None, 0)
    rules = _policy()
    refund = _refund_record(
        payment,
        order,
        amount=quote.refund,
        reason=Refund.Reason.CUSTOMER_CANCELLED,
        lines={line_id: quote.per_line.get(line_id, 0) for line_id in sold},
        with_fees=rules.refund_booking_fee,
        return_seats=tuple(sold),
        actor=actor,
        note=f"{quote.refund_percent} % under the policy, {quote.hours_before} h before",
    )
    order_notify(order, "cancelled")
    return Cancellation(order, refund, quote.refund)


def _payment_abandon(payment: Payment, *, reason: str) -> None:
    """An unpaid attempt that will not be used: cancelled here, and at the gateway
    after commit so it cannot be paid later (if it is anyway, it is refunded)."""
    from venue_apps.payments.tasks import payment_gateway_cancel_task

    payment.status = Payment.Status.CANCELLED
    payment.failure_code = reason
    payment.save(update_fields=["status", "failure_code", "updated_at"])
    if payment.gateway_reference:
        task_enqueue_on_commit(payment_gateway_cancel_task, str(payment.pk))


# --- staff refund ----------------------------------------------------------------------


def order_refund(
    order_id: Any,
    *,
    actor: Any,
    seat_ids: list[int] | None = None,
    amount: int | None = None,
    note: str = "",
    reason: str = Refund.Reason.STAFF,
) -> Refund:
    """Staff refund a paid order: some seats (in full, back on sale), an amount (a
    goodwill refund; the seats stay sold), or, given neither, everything. Refused (409)
    when nothing is left to refund."""
    refund = _order_refund(
        order_id, actor=actor, seat_ids=seat_ids, amount=amount, note=note, reason=reason
    )
    assert refund is not None  # _order_refund raises rather than refund nothing
    return refund


@transaction.atomic
def _order_refund(
    order_id: Any,
    *,
    actor: Any,
    seat_ids: list[int] | None = None,
    amount: int | None = None,
    note: str = "",
    reason: str = Refund.Reason.STAFF,
    allow_nothing: bool = False,
) -> Refund | None:
    """`order_refund`; with `allow_nothing`, an order with nothing left to refund still
    gives its seats back."""
    order, payments = order_and_payments_locked(order_id)
    if order.status != Order.Status.PAID:
        raise Conflict(OrderErrorCode.ORDER_NOT_PAID, f"The order is {order.status}.")
    payment = _paying(payments)
    sold = {line.show_seat_id: line for line in order.lines.filter(status=OrderLine.Status.SOLD)}
    if payment is None:
        # A free order (a 100 % promo code): nothing to give back but the seats.
        if order.total or not allow_nothing:
            raise Conflict(
                PaymentErrorCode.NOTHING_TO_REFUND,
                "This order was free: nothing to refund; cancel it to free its seats.",
            )
        _seats_back_unpaid(order, [line.pk for line in sold.values()], reason=reason, actor=actor)
        return None
    if seat_ids is not None and amount is not None:
        raise DomainError(PaymentErrorCode.REFUND_INVALID, "Refund seats or an amount, not both.")
    if seat_ids is not None:
        unknown = sorted(set(seat_ids) - set(sold))
        if unknown or not seat_ids:
            raise DomainError(
                PaymentErrorCode.REFUND_INVALID,
                "These seats are not sold on this order.",
                extra={"seats": unknown},
            )
        chosen = [sold[seat_id] for seat_id in sorted(set(seat_ids))]
        lines = {line.pk: line.refundable for line in chosen}
        return_seats = tuple(line.pk for line in chosen)
    elif amount is not None:
        refundable = sum(line.refundable for line in sold.values())
        if not 0 < amount <= refundable:
            raise DomainError(
                PaymentErrorCode.REFUND_TOO_LARGE, f"Refund 1 to {refundable} on this order."
            )
        from venue_apps.orders.pricing import spread

        ordered = sorted(sold.values(), key=lambda line: line.pk)
        parts = spread(amount, [line.refundable for line in ordered])
        lines = {line.pk: part for line, part in zip(ordered, parts, strict=True)}
        return_seats = ()
    else:
        lines = {line.pk: line.refundable for line in sold.values()}
        return_seats = tuple(lines)
    total = sum(lines.values())
    if total <= 0 and not allow_nothing:
        raise Conflict(PaymentErrorCode.NOTHING_TO_REFUND, "Nothing is left to refund.")
    refund = _refund_record(
        payment,
        order,
        amount=total,
        reason=reason,
        lines=lines,
        with_fees=True,
        return_seats=return_seats,
        actor=actor,
        note=note,
    )
    if refund is not None:
        order_notify(order, "refund")
    return refund


def show_cancel_and_refund(show: Show, *, actor: Any) -> dict[str, int]:
    """Cancel a show and give everybody their money back in full, fees included.

    The show is cancelled first, in its own transaction: from then on nothing can be
    sold for it, and a payment that lands late is refunded. Then each order is settled
    in a transaction of its own (paid ones refunded, unpaid ones let go) and the holds
    are released. Safe to run again: it picks up whatever is left.
    """
    from venue_apps.shows.services import show_cancel

    show_cancel(show, with_sales=True)
    done = {"refunded_orders": 0, "released_orders": 0, "released_holds": 0, "failed": 0}
    for order_id in list(
        Order.objects.filter(show=show, status__in=[Order.Status.PAID, Order.Status.PENDING])
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        try:
            _show_cancelled_order(order_id, actor=actor, done=done)
        except DomainError:
            # One order that cannot be settled must not stop the others; running the
            # cancellation again picks it up. Its tickets are refused at the door anyway
            # (the show is cancelled).
            logger.exception("show %s cancelled: order %s not settled", show.pk, order_id)
            done["failed"] += 1
    for hold in Hold.objects.filter(show=show, status=Hold.Status.ACTIVE).order_by("pk"):
        hold_release(hold)
        done["released_holds"] += 1
    return done


def _show_cancelled_order(order_id: Any, *, actor: Any, done: dict[str, int]) -> None:
    with transaction.atomic():
        order, payments = order_and_payments_locked(order_id)
        if order.status == Order.Status.PAID:
            _order_refund(
                order.pk,
                actor=actor,
                reason=Refund.Reason.SHOW_CANCELLED,
                note="The show was cancelled.",
                allow_nothing=True,
            )
            done["refunded_orders"] += 1
        elif order.status == Order.Status.PENDING:
            order_end_unpaid(
                order,
                status=Order.Status.CANCELLED,
                reason=Order.Reason.SHOW_CANCELLED,
                actor=actor,
            )
            for payment in payments:
                if payment.status == Payment.Status.PENDING:
                    _payment_abandon(payment, reason="show_cancelled")
            done["released_orders"] += 1


def test_orders_void(*, actor: Any = None) -> dict[str, int]:
    """Once the chain is live: void the orders made in test mode for shows not yet over
    (their tickets revoked, their seats back on sale, the test money refunded through
    the test keys), and let unpaid test-mode orders go, so that no test ticket gets
    anyone into a real show. Free test-mode orders too: no payment, but tickets.

    A periodic sweep (beat, through the tenant fan-out) as well as a kick when the chain
    goes live: a test order paid in the moment of going live, or a task lost with the
    broker, is found by the next pass. Idempotent: a voided order is not test-mode and
    open any more, so a second pass finds nothing; a chain in test mode is left alone.
    One transaction per order; one that cannot be voided is logged and retried next time.
    """
    done = {"voided": 0, "released": 0, "failed": 0}
    if not payments_live():
        return done
    now = timezone.now()
    # Shows not yet over: one that has started still admits latecomers.
    upcoming = Order.objects.filter(test_mode=True, show__ends_at__gt=now)
    for order_id in list(
        upcoming.filter(status=Order.Status.PAID).order_by("pk").values_list("pk", flat=True)
    ):
        try:
            with transaction.atomic():
                order, _ = order_and_payments_locked(order_id)
                if order.status != Order.Status.PAID:
                    continue  # refunded or cancelled meanwhile
                _order_refund(
                    order_id,
                    actor=actor,
                    reason=Refund.Reason.TEST_MODE,
                    note="Test-mode order voided when the chain went live",
                    allow_nothing=True,
                )
                done["voided"] += 1
        except DomainError:
            logger.exception("test-mode order %s not voided; the next sweep tries again", order_id)
            done["failed"] += 1
    for order_id in list(
        upcoming.filter(status=Order.Status.PENDING).order_by("pk").values_list("pk", flat=True)
    ):
        with transaction.atomic():
            order, payments = order_and_payments_locked(order_id)
            if order.status != Order.Status.PENDING:
                continue
            order_end_unpaid(
                order, status=Order.Status.CANCELLED, reason=Order.Reason.TEST_MODE, actor=actor
            )
            for payment in payments:
                if payment.status == Payment.Status.PENDING:
                    _payment_abandon(payment, reason="test_mode")
            done["released"] += 1
    return done


# --- sending -----------------------------------------------------------------------------


def refund_execute(refund_id: Any) -> str:
    """Send a decided refund through its gateway and record the answer.

    One sender at a time per refund (the row is locked, NOWAIT: a second sender backs
    off), and the gateway is asked about an earlier send before sending again, so
    retries, duplicated tasks and reconciliation never refund twice. Raises
    ProviderError when the gateway is unreachable (the task retries). A refusal marks
    the refund failed for staff to look at; the money stays owed in the ledger.
    """
    from venue_apps.payments.services.gateways import provider_for_payment

    with transaction.atomic():
        try:
            refund = (
                Refund.objects.select_for_update(nowait=True)
                .select_related("payment")
                .filter(pk=refund_id)
                .first()
            )
        except OperationalError:
            return "busy"  # another sender has it right now
        if refund is None or refund.status != Refund.Status.PENDING:
            return refund.status if refund else "missing"
        Refund.objects.filter(pk=refund.pk).update(attempts=F("attempts") + 1)
        payment = refund.payment
        try:
            result = provider_for_payment(payment).refund(refund, payment)
        except ProviderRefused as error:
            result = RefundResult(reference="", status="failed", failure=str(error)[:255])
        except NotFound as error:
            result = RefundResult(reference="", status="failed", failure=error.detail)
        except ProviderError:
            logger.warning("refund %s: gateway unavailable, will retry", refund.pk)
            raise
        refund_settle(
            refund.pk, status=result.status, reference=result.reference, failure=result.failure
        )
    return result.status


@transaction.atomic
def refund_settle(refund_id: Any, *, status: str, reference: str = "", failure: str = "") -> Refund:
    """Record the gateway's answer about a refund; repeating an answer changes nothing.

    Pending becomes sent or failed. A refund reported sent after we marked it failed is
    sent after all; one reported failed after it was sent (the bank returned it) is
    owed again: the ledger follows both ways.
    """
    refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)
    provider = refund.payment.provider
    if reference and not refund.gateway_reference:
        refund.gateway_reference = reference
    if status == "succeeded" and refund.status != Refund.Status.SUCCEEDED:
        retry = Refund.objects.filter(retry_of=refund).values_list("pk", flat=True).first()
        if retry is not None:
            # The gateway sent it after all, and staff had sent it again: the books follow
            # the gateway, and someone must look whether the customer got it twice.
            logger.error(
                "refund %s was sent after all, after it was sent again as %s: check for a "
                "double refund",
                refund.pk,
                retry,
            )
        refund.status = Refund.Status.SUCCEEDED
        refund.settled_at = timezone.now()
        refund.last_error = ""
        ledger_refund_sent(refund, provider=provider)
    elif status == "failed" and refund.status != Refund.Status.FAILED:
        if refund.status == Refund.Status.SUCCEEDED:
            ledger_refund_returned(refund, provider=provider)
        refund.status = Refund.Status.FAILED
        refund.settled_at = None
        refund.last_error = (failure or "refused by the gateway")[:255]
        logger.error("refund %s failed at the gateway; staff must act", refund.pk)
    refund.save()
    return refund


@transaction.atomic
def refund_retry(refund: Refund, *, actor: Any = None) -> Refund:
    """Staff send a failed refund again; returns the new refund.

    The money is still owed in the ledger (`refunds_payable`), so no new debt is
    recorded: a new refund row for the same payment, amount, lines and reason is sent
    through the gateway under its own id, which is its idempotency key (Stripe) and the
    id in its notes (Razorpay). Sending the failed refund itself again would only find
    the gateway's failed refund, or replay the refusal cached under its key. The failed
    refund stays in the history, pointing to its retry. Refused (409) unless the refund
    failed and was not sent again already.
    """
    from venue_apps.orders.services import order_log
    from venue_apps.payments.tasks import refund_execute_task

    # Only the refund row is locked (not its order): webhooks lock payment, order, then
    # refund, and this must never wait for them the other way round.
    failed = (
        Refund.objects.select_for_update(of=("self",)).select_related("order").get(pk=refund.pk)
    )
    if failed.status != Refund.Status.FAILED:
        raise Conflict(PaymentErrorCode.REFUND_INVALID, f"The refund is {failed.status}.")
    earlier = Refund.objects.filter(retry_of=failed).values_list("pk", flat=True).first()
    if earlier is not None:
        raise Conflict(
            PaymentErrorCode.REFUND_INVALID, f"This refund was already sent again as {earlier}."
        )
    again = Refund.objects.create(
        payment_id=failed.payment_id,
        order_id=failed.order_id,
        amount=failed.amount,
        currency=failed.currency,
        reason=failed.reason,
        note=failed.note,
        lines=failed.lines,
        requested_by_id=getattr(actor, "pk", None),
        retry_of=failed,
    )
    order_log(
        failed.order,
        "refund_sent_again",
        actor=actor,
        failed_refund=str(failed.pk),
        refund=str(again.pk),
        amount=again.amount,
        last_error=failed.last_error,
    )
    task_enqueue_on_commit(refund_execute_task, str(again.pk))
    return again
