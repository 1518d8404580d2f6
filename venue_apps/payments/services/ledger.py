"""The double-entry, append-only ledger: every movement of money, as balanced journals.

Called inside the transaction of the change it records, so the books and the state
never disagree. The database checks at commit that each journal sums to zero and
refuses to change or delete an entry (payments migration 0002).

Signs: debit positive, credit negative. Reading the accounts:
- a capture:     funds:<provider> +A, customer_funds -A
- a sale:        customer_funds +T, ticket_sales -S, booking_fees -F, tax -X  (S+F+X = T)
  and the platform's fee: platform_fees +P, platform_fees_payable -P
- a refund due:  revenue accounts + (or customer_funds + when nothing was sold),
                 refunds_payable -R
- a refund sent: refunds_payable +R, funds:<provider> -R
Counter money (`funds:cash`, `funds:card`) carries the till shift it went through
(`shift_id`, on the capture, the sale and the refund sent), so a shift's report is a
sum over the ledger.
So `customer_funds` is zero whenever no transaction is in flight: every captured payment
became a sale or a refund.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db.models import Sum

from venue_apps.orders.pricing import spread
from venue_apps.payments.models import LedgerAccount, LedgerEntry, funds_account

if TYPE_CHECKING:
    from venue_apps.orders.models import Order, OrderLine
    from venue_apps.payments.models import Payment, Refund

Kind = LedgerEntry.Kind


def _post(
    kind: str,
    entries: Iterable[tuple[str, int]],
    *,
    currency: str,
    order: Order | None = None,
    payment: Payment | None = None,
    refund: Refund | None = None,
    memo: str = "",
    shift_id: int | None = None,
    tickets: int = 0,
) -> uuid.UUID:
    """Write one balanced journal. `tickets` (sold +, given back -) go on its
    `ticket_sales` entry, which is kept even at amount 0 when it carries tickets (seats
    that were free, their fees paid): the platform bills tickets from here."""
    rows = [
        (account, amount)
        for account, amount in entries
        if amount or (tickets and account == LedgerAccount.TICKET_SALES)
    ]
    if sum(amount for _, amount in rows) != 0:
        raise ValueError(f"unbalanced {kind} journal: {rows}")
    journal = uuid.uuid4()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            journal=journal,
            kind=kind,
            account=account,
            amount=amount,
            currency=currency,
            order=order,
            payment=payment,
            refund=refund,
            memo=memo[:255],
            shift_id=shift_id,
            tickets=tickets if account == LedgerAccount.TICKET_SALES else 0,
        )
        for account, amount in rows
    )
    return journal


def ledger_capture(payment: Payment, *, amount: int, currency: str) -> uuid.UUID:
    """Money arrived at the gateway for `payment`; not yet anybody's sale."""
    return _post(
        Kind.CAPTURE,
        [(funds_account(payment.provider), amount), (LedgerAccount.CUSTOMER_FUNDS, -amount)],
        currency=currency,
        order=payment.order,
        payment=payment,
        memo=f"{payment.provider} {payment.gateway_payment_id or payment.gateway_reference}",
        shift_id=payment.shift_id,
    )


def line_parts(line: OrderLine) -> tuple[int, int, int]:
    """(ticket sales, booking fees, tax) of a line; they add up to its total."""
    fees = line.fee_total - line.fee_tax
    sales = line.total - line.fee_total - line.ticket_tax
    return sales, fees, line.ticket_tax + line.fee_tax


def refund_parts(line: OrderLine, amount: int, *, with_fees: bool) -> tuple[int, int]:
    """(ticket part, fee part) of `amount` refunded on a line, taken from what is left
    of each part: a refund that keeps fees comes out of the ticket part only."""
    left_ticket = line.ticket_total - line.refunded_ticket
    left_fee = line.fee_total - line.refunded_fee
    if with_fees:
        if left_ticket + left_fee == 0:
            return 0, 0
        ticket, fee = spread(amount, [left_ticket, left_fee])
        return ticket, fee
    ticket = min(amount, left_ticket)
    return ticket, amount - ticket


def _cumulative(part_tax: int, part_total: int, refunded: int) -> int:
    return (part_tax * refunded * 2 + part_total) // (2 * part_total) if part_total else 0


def line_split(line: OrderLine, ticket: int, fee: int) -> tuple[int, int, int]:
    """How refunding `ticket` and `fee` of a line splits into (sales, fees, tax).

    Each part's tax goes back in proportion to how much of that part has gone back in
    all, so however many partial refunds a line gets, the tax returned never passes the
    tax charged and reaches it exactly when the part is refunded in full.
    """
    ticket_total = line.total - line.fee_total
    ticket_tax = _cumulative(line.ticket_tax, ticket_total, line.refunded_ticket + ticket) - (
        _cumulative(line.ticket_tax, ticket_total, line.refunded_ticket)
    )
    fee_tax = _cumulative(line.fee_tax, line.fee_total, line.refunded_fee + fee) - (
        _cumulative(line.fee_tax, line.fee_total, line.refunded_fee)
    )
    return ticket - ticket_tax, fee - fee_tax, ticket_tax + fee_tax


def ledger_sale(order: Order, payment: Payment, lines: Sequence[OrderLine]) -> uuid.UUID:
    """The payment's money becomes the order's sale: revenue, fees, tax, platform fee."""
    sales = fees = tax = 0
    for line in lines:
        line_sales, line_fees, line_tax = line_parts(line)
        sales, fees, tax = sales + line_sales, fees + line_fees, tax + line_tax
    journal = _post(
        Kind.SALE,
        [
            (LedgerAccount.CUSTOMER_FUNDS, order.total),
            (LedgerAccount.TICKET_SALES, -sales),
            (LedgerAccount.BOOKING_FEES, -fees),
            (LedgerAccount.TAX, -tax),
        ],
        currency=order.currency,
        order=order,
        payment=payment,
        memo=f"order {order.reference}",
        shift_id=payment.shift_id,
        tickets=len(lines),
    )
    platform = sum(line.platform_fee for line in lines)
    _post(
        Kind.PLATFORM_FEE,
        [(LedgerAccount.PLATFORM_FEES, platform), (LedgerAccount.PLATFORM_FEES_PAYABLE, -platform)],
        currency=order.currency,
        order=order,
        payment=payment,
        memo=f"platform fee, {len(lines)} tickets",
    )
    return journal


def ledger_refund_due(
    refund: Refund,
    *,
    splits: Sequence[tuple[int, int, int]] = (),
    platform_reversal: int = 0,
    tickets: int = 0,
) -> uuid.UUID:
    """A refund is decided: move its amount into `refunds_payable`.

    `splits` are the (sales, fees, tax) shares of the sold lines it gives back; with
    none, the money was never a sale (a late or refused payment) and comes out of
    `customer_funds`. `tickets` is how many lines it refunds in full (their ticket part
    all given back), recorded as minus that many tickets sold.
    """
    if splits:
        sales = sum(part[0] for part in splits)
        fees = sum(part[1] for part in splits)
        tax = sum(part[2] for part in splits)
        entries = [
            (LedgerAccount.TICKET_SALES, sales),
            (LedgerAccount.BOOKING_FEES, fees),
            (LedgerAccount.TAX, tax),
            (LedgerAccount.REFUNDS_PAYABLE, -refund.amount),
        ]
    else:
        entries = [
            (LedgerAccount.CUSTOMER_FUNDS, refund.amount),
            (LedgerAccount.REFUNDS_PAYABLE, -refund.amount),
        ]
    journal = _post(
        Kind.REFUND_DUE,
        entries,
        currency=refund.currency,
        order=refund.order,
        payment=refund.payment,
        refund=refund,
        memo=refund.reason,
        tickets=-tickets if splits else 0,
    )
    if platform_reversal:
        _post(
            Kind.PLATFORM_FEE,
            [
                (LedgerAccount.PLATFORM_FEES_PAYABLE, platform_reversal),
                (LedgerAccount.PLATFORM_FEES, -platform_reversal),
            ],
            currency=refund.currency,
            order=refund.order,
            refund=refund,
            memo="platform fee given back with refunded tickets",
        )
    return journal


def ledger_refund_sent(refund: Refund, *, provider: str) -> uuid.UUID:
    """The gateway sent the refund: the money leaves the chain's gateway balance."""
    return _post(
        Kind.REFUND_SENT,
        [(LedgerAccount.REFUNDS_PAYABLE, refund.amount), (funds_account(provider), -refund.amount)],
        currency=refund.currency,
        order=refund.order,
        payment=refund.payment,
        refund=refund,
        memo=f"{provider} {refund.gateway_reference}",
        shift_id=refund.shift_id,
    )


def ledger_refund_returned(refund: Refund, *, provider: str) -> uuid.UUID:
    """A refund the gateway had sent failed after all (the bank sent it back): the
    money is at the gateway again and owed to the customer again."""
    return _post(
        Kind.REFUND_RETURNED,
        [(funds_account(provider), refund.amount), (LedgerAccount.REFUNDS_PAYABLE, -refund.amount)],
        currency=refund.currency,
        order=refund.order,
        payment=refund.payment,
        refund=refund,
        memo=f"{provider} {refund.gateway_reference} failed after it was sent",
        shift_id=refund.shift_id,
    )


def ledger_balances(*, currency: str | None = None) -> dict[str, int]:
    """Each account's balance (debit positive), over the whole ledger of this schema."""
    entries = LedgerEntry.objects.all()
    if currency:
        entries = entries.filter(currency=currency)
    return {
        row["account"]: int(row["balance"])
        for row in entries.values("account").annotate(balance=Sum("amount")).order_by("account")
    }
