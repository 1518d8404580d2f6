"""Refunds: recording a refund the sale decided, sending it through the gateway, and
recording the gateway's answer.

A refund is decided by the sale (`venue_apps.sales.cancellation`: a customer's
cancellation, a staff refund, a show cancelled, money that could not become a sale),
which gives the lines their money back and puts seats back on sale, then records the
refund here in the same transaction (the refund row, the payment's refunded amount,
the ledger's `refund_due`). It is sent after commit by a Celery task that retries; the
gateway's answer settles it (`refund_sent` in the ledger). Sending is idempotent per
refund at every gateway, so a retried or duplicated task never refunds twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from tenants.error_codes import Conflict, NotFound
from tenants.locking import lock_objects
from tenants.queue import task_enqueue_on_commit
from venue_apps.audit.services import audit_log
from venue_apps.orders.models import Order, OrderLine
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import COUNTER_PROVIDERS, Payment, Refund
from venue_apps.payments.providers.base import ProviderError, ProviderRefused, RefundResult
from venue_apps.payments.services.gateways import provider_for_payment
from venue_apps.payments.services.ledger import (
    ledger_refund_due,
    ledger_refund_returned,
    ledger_refund_sent,
    line_split,
    refund_parts,
)

logger = logging.getLogger(__name__)
REFUND_EXECUTE_TASK = "venue_apps.payments.tasks.refund_execute_task"


def _platform_reversal(line: OrderLine, amount: int) -> int:
    """The platform fee given back with `amount` of a line: proportional, and exact in
    sum however many partial refunds the line gets."""
    if not line.total or not line.platform_fee:
        return 0

    def due(refunded: int) -> int:
        return (line.platform_fee * refunded * 2 + line.total) // (2 * line.total)

    return due(line.refunded_amount + amount) - due(line.refunded_amount)


@dataclass(frozen=True)
class RefundSplit:
    """How a refund spreads over an order's lines: each line's (ticket, fee) parts, the
    ledger's splits, and the platform fee given back."""

    parts: dict[int, tuple[int, int]]
    splits: list[tuple[int, int, int]]
    platform_reversal: int
    # Lines whose ticket part this refund gives back in full: tickets no longer sold.
    tickets: int = 0


def refund_amount_check(payment: Payment, amount: int) -> None:
    """Refuse (409) a refund of more than the payment has left, or of less than nothing."""
    if amount < 0 or amount > payment.refundable:
        raise Conflict(
            PaymentErrorCode.REFUND_TOO_LARGE,
            f"At most {payment.refundable} can be refunded on this payment.",
        )


def refund_lines_split(
    order: Order, lines: Mapping[int, int], *, with_fees: bool = True
) -> RefundSplit:
    """Split `line id -> amount` into ticket and fee parts and the ledger's splits;
    refused (409) when a line has less left to refund. Changes nothing."""
    by_id = {line.pk: line for line in order.lines.all()}
    parts: dict[int, tuple[int, int]] = {}
    splits: list[tuple[int, int, int]] = []
    reversal = tickets = 0
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
            left_ticket = line.ticket_total - line.refunded_ticket
            if ticket and ticket == left_ticket:
                tickets += 1
    return RefundSplit(parts, splits, reversal, tickets)


def refund_record(
    payment: Payment,
    order: Order,
    *,
    amount: int,
    reason: str,
    split: RefundSplit | None = None,
    lines: Mapping[int, int] | None = None,
    currency: str | None = None,
    actor: Any = None,
    note: str = "",
    shift_id: int | None = None,
) -> Refund | None:
    """Record a decided refund (payment and order locked by the caller): the refund
    row, the payment's refunded amount, the ledger's `refund_due`; sent after commit.
    A refund of nothing records nothing and returns None. Audited as `refund.created`
    (by the staff member, the customer who cancelled, or the system).

    A counter payment's refund (cash, card terminal) is handed back at the counter, by
    the cashier of till shift `shift_id`, as it is recorded: it is settled at once (the
    ledger's `refund_sent` against that shift), with no gateway and no task. Without a
    shift (a show cancelled) it waits, owed, until a cashier pays it out
    (`refund_pay_out`)."""
    refund_amount_check(payment, amount)
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
        shift_id=shift_id if payment.provider in COUNTER_PROVIDERS else None,
    )
    payment.refunded_amount += amount
    payment.status = (
        Payment.Status.REFUNDED
        if payment.refunded_amount == payment.captured_amount
        else Payment.Status.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["refunded_amount", "status", "updated_at"])
    ledger_refund_due(
        refund,
        splits=split.splits if split else [],
        platform_reversal=split.platform_reversal if split else 0,
        tickets=split.tickets if split else 0,
    )
    audit_log(
        actor,
        "refund.created",
        refund,
        order=order.pk,
        amount=amount,
        currency=refund.currency,
        reason=reason,
        note=refund.note,
        shift=refund.shift_id,
    )
    if payment.provider in COUNTER_PROVIDERS:
        if refund.shift_id is not None:
            _counter_refund_settle(refund, payment)
        return refund
    task_enqueue_on_commit(REFUND_EXECUTE_TASK, str(refund.pk))
    return refund


def _counter_refund_settle(refund: Refund, payment: Payment) -> None:
    result = provider_for_payment(payment).refund(refund, payment)
    settled = refund_settle(refund.pk, status=result.status, reference=result.reference)
    refund.status, refund.gateway_reference = settled.status, settled.gateway_reference
    refund.settled_at = settled.settled_at


@transaction.atomic
def refund_pay_out(refund: Refund, *, shift_id: int, actor: Any) -> Refund:
    """A cashier hands over a counter refund that was decided without one (a show
    cancelled): paid from till shift `shift_id` now. Refused (409) unless the refund is
    a counter refund still owed. Audited as `refund.paid_out`."""
    [refunds] = lock_objects(
        Refund.objects.select_related("payment").filter(pk=refund.pk), of=("self",)
    )
    if not refunds:
        raise NotFound(PaymentErrorCode.REFUND_INVALID, "No such refund.")
    owed = refunds[0]
    if owed.payment.provider not in COUNTER_PROVIDERS or owed.status != Refund.Status.PENDING:
        raise Conflict(
            PaymentErrorCode.REFUND_INVALID,
            "Only a box-office refund still owed can be paid out at the counter.",
        )
    owed.shift_id = shift_id
    owed.save(update_fields=["shift_id"])
    _counter_refund_settle(owed, owed.payment)
    audit_log(
        actor,
        "refund.paid_out",
        owed,
        order=owed.order_id,
        amount=owed.amount,
        currency=owed.currency,
        shift=shift_id,
    )
    return owed


# --- sending -----------------------------------------------------------------------------


def refund_execute(refund_id: Any) -> str:
    """Send a decided refund through its gateway and record the answer.

    One sender at a time per refund (the row is locked, NOWAIT: a second sender backs
    off), and the gateway is asked about an earlier send before sending again, so
    retries, duplicated tasks and reconciliation never refund twice. Raises
    ProviderError when the gateway is unreachable (the task retries). A refusal marks
    the refund failed for staff to look at; the money stays owed in the ledger.
    """
    with transaction.atomic():
        try:
            [refunds] = lock_objects(
                Refund.objects.select_related("payment").filter(pk=refund_id),
                nowait=True,
                of=("self",),
            )
        except OperationalError:
            return "busy"  # another sender has it right now
        refund = refunds[0] if refunds else None
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
    [refunds] = lock_objects(
        Refund.objects.select_related("payment").filter(pk=refund_id), of=("self",)
    )
    if not refunds:
        raise Refund.DoesNotExist(f"No refund {refund_id}.")
    refund = refunds[0]
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
    failed and was not sent again already. Audited as `refund.retried`.
    """
    # Only the refund row is locked (not its order): refunds come last in the lock order
    # (`tenants.locking.LOCK_ORDER`), so this must never wait for a payment or order.
    [refunds] = lock_objects(
        Refund.objects.select_related("order").filter(pk=refund.pk), of=("self",)
    )
    if not refunds:
        raise Refund.DoesNotExist(f"No refund {refund.pk}.")
    failed = refunds[0]
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
    # The failed refund is the target: it is the one retried; `refund` is the new one.
    audit_log(
        actor,
        "refund.retried",
        failed,
        order=failed.order_id,
        refund=str(again.pk),
        amount=again.amount,
        last_error=failed.last_error,
    )
    task_enqueue_on_commit(REFUND_EXECUTE_TASK, str(again.pk))
    return again
