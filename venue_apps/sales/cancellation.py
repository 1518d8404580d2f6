"""Cancellation: what cancelling would refund, customers cancelling, staff refunds,
refunds of money that could not become a sale, a show cancelled, test-mode orders
voided when a chain goes live.

A refund is decided in one transaction (`refund_decide`): the lines get their money
back, seats go back on sale and their tickets are void, then payments records the
refund (its row, the ledger's `refund_due`) and sends it after commit. Rows are locked
through `tenants.locking.lock_objects`: payments of the order, then the order, then its
lines and seats; the same order as the webhook processing, so the two never deadlock.

A show is cancelled at once, in the request (`show_cancel_and_refund`): from then on
nothing can be sold for it. Its orders are then settled by a Celery task
(`show_cancellation_run`), one transaction per order, which counts its progress on the
`ShowCancellation` row that the API reads.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tenants.error_codes import Conflict, DomainError
from tenants.queue import task_enqueue_on_commit
from venue_apps.inventory.holds import hold_release
from venue_apps.inventory.models import Hold
from venue_apps.orders import policy as policy_rules
from venue_apps.orders.error_codes import OrderErrorCode
from venue_apps.orders.models import Order, OrderLine
from venue_apps.orders.pricing import spread
from venue_apps.orders.services import (
    cancellation_policy,
    order_end_unpaid,
    order_lines_refund,
    order_locked,
    order_log,
    order_mark_refunded_unfulfilled,
    order_notify,
)
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import COUNTER_PROVIDERS, Payment, Refund
from venue_apps.payments.selectors import payments_live
from venue_apps.payments.services.attempts import payment_abandon
from venue_apps.payments.services.refunds import (
    refund_amount_check,
    refund_lines_split,
    refund_pay_out,
    refund_record,
    refund_settle,
)
from venue_apps.sales.locks import order_and_payments_locked, paying_payment
from venue_apps.sales.models import ShowCancellation
from venue_apps.shows.models import Show
from venue_apps.shows.services import show_cancel
from venue_apps.tickets.services import tickets_revoke
from venue_apps.tills.services import shift_for_counter

logger = logging.getLogger(__name__)
SHOW_CANCELLATION_TASK = "venue_apps.sales.tasks.show_cancellation_task"


# --- deciding a refund -------------------------------------------------------------------


def refund_decide(
    payment: Payment,
    order: Order,
    *,
    amount: int,
    reason: str,
    lines: Mapping[int, int] | None = None,
    with_fees: bool = True,
    return_seats: tuple[int, ...] = (),
    currency: str | None = None,
    actor: Any = None,
    note: str = "",
    shift_id: int | None = None,
) -> Refund | None:
    """Decide a refund (payment and order locked by the caller): the lines' money,
    seats back on sale and their tickets void, then the refund recorded by payments and
    sent after commit (a counter payment's: handed back now from till shift
    `shift_id`, or owed at the counter without one). A refund of nothing only puts the
    seats back."""
    refund_amount_check(payment, amount)
    split = None
    if lines is not None:
        split = refund_lines_split(order, lines, with_fees=with_fees)
        order_lines_refund(
            order, split.parts, return_seats=return_seats, actor=actor, reason=reason
        )
        if return_seats:
            # Seats back on sale: their tickets are void from this moment.
            tickets_revoke(order, line_ids=return_seats, reason=reason)
    return refund_record(
        payment,
        order,
        amount=amount,
        reason=reason,
        split=split,
        lines=lines,
        currency=currency,
        actor=actor,
        note=note,
        shift_id=shift_id,
    )


def counter_shift_for_refund(order_id: Any, *, refunder: Any) -> int | None:
    """For an order paid at the counter (cash, card terminal): the open till shift of
    the person refunding it, taken for share (it is first in the lock order, so before
    the order's rows), from which the money goes back; 409 `shift_required` when they
    have none. None for any other order."""
    provider = (
        Payment.objects.filter(order_id=order_id, paid_order=True)
        .values_list("provider", flat=True)
        .first()
    )
    if provider not in COUNTER_PROVIDERS:
        return None
    return shift_for_counter(refunder).pk


@transaction.atomic
def refund_pay_out_at_counter(refund: Refund, *, actor: Any) -> Refund:
    """A cashier hands over a box-office refund that was decided with nobody at the
    counter (a show cancelled): from their open till shift (409 `shift_required`
    without one), settled now. Audited as `refund.paid_out`."""
    shift = shift_for_counter(actor)
    return refund_pay_out(refund, shift_id=shift.pk, actor=actor)


def seats_back_unpaid(order: Order, line_ids: list[int], *, reason: str, actor: Any) -> None:
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
    refund = refund_decide(payment, order, amount=payment.refundable, reason=reason)
    order_notify(order, "payment_returned")
    return refund


def gateway_refund_record(payment: Payment, *, amount: int, reference: str) -> str:
    """A refund made at the gateway itself (the chain's Stripe dashboard, say), of at
    most what the payment has left: recorded against the order so the books match the
    gateway, and settled at once; seats stay as they are. The payment is locked."""
    order = order_locked(payment.order_id)
    lines = None
    if payment.paid_order:
        open_lines = sorted(
            (line for line in order.lines.all() if line.refundable > 0), key=lambda line: line.pk
        )
        parts = spread(amount, [line.refundable for line in open_lines])
        lines = {line.pk: part for line, part in zip(open_lines, parts, strict=True)}
    refund = refund_decide(
        payment,
        order,
        amount=amount,
        reason=Refund.Reason.GATEWAY,
        lines=lines,
        note="Refunded at the gateway",
    )
    assert refund is not None
    # It already happened: settle it now rather than asking the gateway to do it again.
    refund_settle(refund.pk, status="succeeded", reference=reference)
    order_notify(order, "refund")
    return f"refund made at the gateway recorded ({amount})"


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


def _attempts_abandon(payments: list[Payment], *, reason: str) -> None:
    for attempt in payments:
        if attempt.status == Payment.Status.PENDING:
            payment_abandon(attempt, reason=reason)


@transaction.atomic
def order_cancel(order_id: Any, *, actor: Any = None, now: datetime | None = None) -> Cancellation:
    """A customer cancels: an unpaid order just lets its seats go; a paid one is
    refunded under the chain's policy and its seats go back on sale.

    Refused (409) past the policy's cut-off, after the show started, when the chain
    takes no cancellations, or when the order is not paid.
    """
    now = now or timezone.now()
    shift_id = counter_shift_for_refund(order_id, refunder=actor)
    order, payments = order_and_payments_locked(order_id)
    if order.status == Order.Status.PENDING:
        order_end_unpaid(
            order,
            status=Order.Status.CANCELLED,
            reason=Order.Reason.CUSTOMER_CANCELLED,
            actor=actor,
        )
        _attempts_abandon(payments, reason="order_cancelled")
        return Cancellation(order, None, 0)
    quote = order_cancel_quote(order, now=now)
    if not quote.allowed:
        raise Conflict(quote.code, quote.detail)
    payment = paying_payment(payments)
    sold = [line.pk for line in order.lines.filter(status=OrderLine.Status.SOLD)]
    if payment is None:
        if order.total:
            raise Conflict(OrderErrorCode.ORDER_NOT_PAID, "No payment paid this order.")
        seats_back_unpaid(order, sold, reason=Refund.Reason.CUSTOMER_CANCELLED, actor=actor)
        return Cancellation(order, None, 0)
    rules = _policy()
    refund = refund_decide(
        payment,
        order,
        amount=quote.refund,
        reason=Refund.Reason.CUSTOMER_CANCELLED,
        lines={line_id: quote.per_line.get(line_id, 0) for line_id in sold},
        with_fees=rules.refund_booking_fee,
        return_seats=tuple(sold),
        actor=actor,
        note=f"{quote.refund_percent} % under the policy, {quote.hours_before} h before",
        shift_id=shift_id,
    )
    order_notify(order, "cancelled")
    return Cancellation(order, refund, quote.refund)


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
    at_counter: bool = True,
) -> Refund | None:
    """`order_refund`; with `allow_nothing`, an order with nothing left to refund still
    gives its seats back. A counter order's refund is handed back from the refunder's
    till shift; without `at_counter` (a show cancelled, nobody at the counter) it is
    owed until a cashier pays it out."""
    shift_id = counter_shift_for_refund(order_id, refunder=actor) if at_counter else None
    order, payments = order_and_payments_locked(order_id)
    if order.status != Order.Status.PAID:
        raise Conflict(OrderErrorCode.ORDER_NOT_PAID, f"The order is {order.status}.")
    payment = paying_payment(payments)
    sold = {line.show_seat_id: line for line in order.lines.filter(status=OrderLine.Status.SOLD)}
    if payment is None:
        # A free order (a 100 % promo code): nothing to give back but the seats.
        if order.total or not allow_nothing:
            raise Conflict(
                PaymentErrorCode.NOTHING_TO_REFUND,
                "This order was free: nothing to refund; cancel it to free its seats.",
            )
        seats_back_unpaid(order, [line.pk for line in sold.values()], reason=reason, actor=actor)
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
    refund = refund_decide(
        payment,
        order,
        amount=total,
        reason=reason,
        lines=lines,
        with_fees=True,
        return_seats=return_seats,
        actor=actor,
        note=note,
        shift_id=shift_id,
    )
    if refund is not None:
        order_notify(order, "refund")
    return refund


# --- a show is cancelled -----------------------------------------------------------------


def _show_orders(show_id: int) -> Any:
    return Order.objects.filter(
        show_id=show_id, status__in=[Order.Status.PAID, Order.Status.PENDING]
    ).order_by("pk")


@transaction.atomic
def show_cancel_and_refund(show: Show, *, actor: Any) -> ShowCancellation:
    """Cancel a show now and give everybody their money back in full, fees included,
    in the background: returns the run's `ShowCancellation`, whose counters say how
    far it got.

    The show is cancelled in this transaction: from its commit on nothing can be sold
    for it, and a payment that lands late is refunded. After commit a Celery task
    settles each order in a transaction of its own (paid ones refunded, unpaid ones let
    go) and releases the holds. Calling it again for a cancelled show starts another
    run, which picks up whatever is left (orders that failed, say).
    """
    # show_cancel writes the one `show.cancelled` row, by this actor.
    show_cancel(show, with_sales=True, actor=actor)
    cancellation = ShowCancellation.objects.create(
        show_id=show.pk,
        requested_by_id=getattr(actor, "pk", None),
        requested_by_email=getattr(actor, "email", "") or "",
        orders_total=_show_orders(show.pk).count(),
    )
    task_enqueue_on_commit(SHOW_CANCELLATION_TASK, cancellation.pk)
    return cancellation


def show_cancellation_run(cancellation_id: int) -> ShowCancellation:
    """Settle the orders and holds of a cancelled show, counting on the run's row.

    One transaction per order, which also bumps the row's counters, so the progress
    read by the API is exactly what has been committed. Safe to run twice at once or
    again after a crash: an order already settled is not paid or pending any more.
    """
    runs = ShowCancellation.objects.filter(pk=cancellation_id)
    cancellation = runs.select_related("show").get()
    if cancellation.status == ShowCancellation.Status.DONE:
        return cancellation
    runs.update(status=ShowCancellation.Status.RUNNING, started_at=timezone.now())
    show = cancellation.show
    actor = cancellation.requested_by
    for order_id in list(_show_orders(show.pk).values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                counter = _show_cancelled_order(order_id, actor=actor)
                if counter:
                    runs.update(**{counter: F(counter) + 1, "orders_done": F("orders_done") + 1})
        except DomainError:
            # One order that cannot be settled must not stop the others; running the
            # cancellation again picks it up. Its tickets are refused at the door anyway
            # (the show is cancelled).
            logger.exception("show %s cancelled: order %s not settled", show.pk, order_id)
            runs.update(failed=F("failed") + 1, orders_done=F("orders_done") + 1)
    for hold in Hold.objects.filter(show=show, status=Hold.Status.ACTIVE).order_by("pk"):
        hold_release(hold)
        runs.update(released_holds=F("released_holds") + 1)
    runs.update(status=ShowCancellation.Status.DONE, finished_at=timezone.now())
    return runs.get()


def _show_cancelled_order(order_id: Any, *, actor: Any) -> str:
    """Settle one order of a cancelled show (in the caller's transaction); returns the
    counter it adds to, or "" when the order was settled meanwhile."""
    order, payments = order_and_payments_locked(order_id)
    if order.status == Order.Status.PAID:
        _order_refund(
            order.pk,
            actor=actor,
            reason=Refund.Reason.SHOW_CANCELLED,
            note="The show was cancelled.",
            allow_nothing=True,
            at_counter=False,
        )
        return "refunded_orders"
    if order.status == Order.Status.PENDING:
        order_end_unpaid(
            order, status=Order.Status.CANCELLED, reason=Order.Reason.SHOW_CANCELLED, actor=actor
        )
        _attempts_abandon(payments, reason="show_cancelled")
        return "released_orders"
    return ""


# --- a chain goes live -------------------------------------------------------------------


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

    Audited as one `order.voided` row per order (actor None: the system), in that
    order's transaction, not one row per run: each order's money and tickets change
    in a transaction of their own, so its row commits or rolls back with it, a run
    that fails half-way leaves rows for exactly the orders it voided, and the order's
    history shows why it ended.
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
                    at_counter=False,
                )
                order_log(order, "voided", actor=actor, was=Order.Status.PAID)
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
            _attempts_abandon(payments, reason="test_mode")
            order_log(order, "voided", actor=actor, was=Order.Status.PENDING)
            done["released"] += 1
    return done
