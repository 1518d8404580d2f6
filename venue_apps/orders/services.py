"""State changes of orders, their lines and promo codes (current schema).

An order is made from a hold and keeps the hold's seats held until it is paid or its
time is up (the hold's own deadline). Paying is the sale's business
(`venue_apps.sales.settlement`): it calls `order_fulfil` with the order locked, in the
transaction that records the payment.

Rows are locked through `tenants.locking.lock_objects`, which owns the lock order
shared with payments, inventory and the sale.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tenants.error_codes import Conflict, DomainError
from tenants.locking import lock_objects
from tenants.queue import task_enqueue_on_commit
from venue_apps.audit.services import audit_log, audit_snapshot
from venue_apps.inventory.holds import hold_release
from venue_apps.inventory.models import Hold
from venue_apps.inventory.sales import seats_return, seats_sell
from venue_apps.orders import pricing
from venue_apps.orders.error_codes import OrderErrorCode
from venue_apps.orders.models import (
    CancellationPolicy,
    CancellationTier,
    CheckoutSettings,
    Order,
    OrderLine,
    OrderNotice,
    PromoCode,
    PromoRedemption,
)
from venue_apps.orders.selectors import hold_checkable, hold_price, show_sellable
from venue_apps.shows.models import Show


def show_lock_shared(show_id: int) -> None:
    """Hold the show's row for share until commit: a cancellation (which takes it for
    update) waits for sales in flight and is seen by every sale after it."""
    lock_objects(shared=[Show.objects.filter(pk=show_id)])


def order_log(
    order: Order,
    what: str,
    *,
    actor: Any = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    **details: Any,
) -> None:
    """Record a change of an order in the chain's audit log, in the caller's transaction:
    `order.<what>` (`order.paid`, `order.cancelled`), the order as its target, the
    fields that changed (`before`, `after`) and `details` as given. The order page's
    history reads these (`audit.selectors.order_history`)."""
    audit_log(actor, f"order.{what}", order, before, after, **details)


@dataclass(frozen=True)
class Buyer:
    """Who an order is for: a signed-in customer, or a walk-in sold by box office staff."""

    customer: Any = None  # accounts.User
    email: str = ""
    name: str = ""
    phone: str = ""
    sold_by: Any = None  # accounts.User of the box office
    address: str | None = None


@transaction.atomic
def order_create(
    hold: Hold,
    *,
    buyer: Buyer,
    currency: str,
    promo_code: str | None = None,
    test_mode: bool = False,
) -> Order:
    """Turn a hold into an order priced by the server: seat prices of the show, the
    chain's booking fee and taxes, and a promo code if one is given.

    The hold keeps the seats until the order is paid or its time is up. Raises
    Conflict (409) when the hold is no longer good or the promo code is used up,
    DomainError (400) for an unknown or inapplicable promo code.
    """
    now = timezone.now()
    # The show (for share) before the hold, as `tenants.locking` orders them; a hold's
    # show never changes, so reading it unlocked first is safe.
    show_id = Hold.objects.values_list("show_id", flat=True).get(pk=hold.pk)
    [holds] = lock_objects(
        Hold.objects.filter(pk=hold.pk), shared=[Show.objects.filter(pk=show_id)]
    )
    hold = holds[0]
    hold_checkable(hold, now=now)
    show = Show.objects.select_related("title").get(pk=hold.show_id)
    show_sellable(show, now=now)
    customer = buyer.customer
    email = (buyer.email or getattr(customer, "email", "") or "").strip().lower()
    price = hold_price(
        hold,
        show=show,
        customer_id=getattr(customer, "pk", None),
        promo_code=promo_code,
        now=now,
        lock_promo=True,
    )
    seats, promo, priced = price.seats, price.promo, price.priced
    order = Order.objects.create(
        customer=customer,
        email=email,
        name=(buyer.name or getattr(customer, "name", "") or "").strip()[:150],
        phone=buyer.phone.strip()[:32],
        channel=Order.Channel.BOX_OFFICE if buyer.sold_by is not None else Order.Channel.ONLINE,
        sold_by=buyer.sold_by,
        show=show,
        hold=hold,
        currency=currency,
        subtotal=priced.subtotal,
        discount=priced.discount,
        fees=priced.fees,
        tax_added=priced.tax_added,
        tax_included=priced.tax_included,
        total=priced.total,
        promo_code=promo,
        client_address=buyer.address,
        test_mode=test_mode,
        expires_at=hold.expires_at,
    )
    by_id = {seat.pk: seat for seat in seats}
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            show_seat_id=line.key,
            seat_label=by_id[line.key].label,
            category=line.category,
            price=line.price,
            discount=line.discount,
            fee=line.fee,
            tax_added=line.tax_added,
            tax_included=line.tax_included,
            total=line.total,
            fee_total=line.fee_total,
            ticket_tax=line.ticket_tax,
            fee_tax=line.fee_tax,
        )
        for line in priced.lines
    )
    if promo is not None:
        PromoRedemption.objects.create(
            promo_code=promo,
            order=order,
            customer_id=getattr(customer, "pk", None),
            amount=priced.discount,
        )
    order_log(
        order,
        "created",
        actor=buyer.sold_by or customer,
        total=order.total,
        seats=[line.seat_label for line in order.lines.all()],
        promo=promo.code if promo else None,
    )
    return order


def order_locked(order_id: Any) -> Order:
    """The order, locked for the rest of the transaction."""
    [orders] = lock_objects(Order.objects.filter(pk=order_id))
    if not orders:
        raise Order.DoesNotExist(f"No order {order_id}.")
    return orders[0]


@dataclass(frozen=True)
class Fulfilment:
    """What became of paying an order: sold, or why not (and which seats were gone)."""

    sold: bool
    reason: str = ""  # "seats_unavailable", "show_closed" or "order_closed"
    gone: tuple[int, ...] = ()


def order_fulfil(order: Order, *, actor: Any = None) -> Fulfilment:
    """Sell the order's seats and mark it paid, or say why that cannot be done.

    The caller holds the order's lock inside its transaction (the one that records the
    payment). A pending order sells the seats its hold still has; one that ran out of
    time or whose earlier attempt failed (a late payment) sells them if they are still
    free. Nothing changes when any seat is gone, the show can no longer be sold, or the
    order was cancelled on purpose.
    """
    if order.status == Order.Status.PAID:
        return Fulfilment(sold=True)
    revivable = order.status in (Order.Status.PENDING, Order.Status.EXPIRED) or (
        order.status == Order.Status.CANCELLED and order.reason == Order.Reason.PAYMENT_FAILED
    )
    if not revivable:
        return Fulfilment(sold=False, reason=Order.Reason.ORDER_CLOSED)
    show_lock_shared(order.show_id)
    show = Show.objects.only("id", "status", "starts_at").get(pk=order.show_id)
    if show.status != Show.Status.ON_SALE or show.starts_at <= timezone.now():
        return Fulfilment(sold=False, reason=Order.Reason.SHOW_CLOSED)
    seat_ids = [line.show_seat_id for line in order.lines.all()]
    try:
        # One savepoint for the seats and the lines: if the database refuses the lines,
        # the seats are not left marked sold for nobody.
        with transaction.atomic():
            gone = seats_sell(order.show_id, seat_ids, hold_id=order.hold_id)
            if gone:
                return Fulfilment(
                    sold=False, reason=Order.Reason.SEATS_UNAVAILABLE, gone=tuple(gone)
                )
            OrderLine.objects.filter(order=order).update(status=OrderLine.Status.SOLD)
    except IntegrityError:
        # Another order has a sold line for one of these seats: the seat rows and the
        # lines disagreed, and the database refused to sell a seat twice.
        return Fulfilment(sold=False, reason=Order.Reason.SEATS_UNAVAILABLE, gone=tuple(seat_ids))
    old_status = order.status
    order.status = Order.Status.PAID
    order.reason = Order.Reason.NONE
    order.paid_at = timezone.now()
    order.ended_at = None
    order.save(update_fields=["status", "reason", "paid_at", "ended_at"])
    Hold.objects.filter(pk=order.hold_id).update(
        status=Hold.Status.CONVERTED, ended_at=timezone.now()
    )
    PromoRedemption.objects.filter(order=order).update(status=PromoRedemption.Status.REDEEMED)
    order_log(order, "paid", actor=actor, old_status=old_status, total=order.total)
    return Fulfilment(sold=True)


def order_end_unpaid(order: Order, *, status: str, reason: str, actor: Any = None) -> Order:
    """End a pending order without payment (expired, failed or abandoned): its seats go
    back on sale and its promo code use is given back. The caller holds its lock."""
    if order.status != Order.Status.PENDING:
        return order
    order.status = status
    order.reason = reason
    order.ended_at = timezone.now()
    order.save(update_fields=["status", "reason", "ended_at"])
    OrderLine.objects.filter(order=order, status=OrderLine.Status.PENDING).update(
        status=OrderLine.Status.RELEASED
    )
    PromoRedemption.objects.filter(order=order, status=PromoRedemption.Status.RESERVED).update(
        status=PromoRedemption.Status.RELEASED
    )
    hold_release(Hold.objects.get(pk=order.hold_id))
    order_log(order, status, actor=actor, reason=reason)
    return order


def orders_expire(*, now: datetime | None = None, batch: int = 500) -> list[Any]:
    """End every pending order whose time is up; return their ids.

    One short transaction per order, so the sweep never holds one show's seats or
    version row while it waits for another's.
    """
    now = now or timezone.now()
    due = list(
        Order.objects.filter(status=Order.Status.PENDING, expires_at__lte=now)
        .order_by("expires_at")
        .values_list("pk", flat=True)[:batch]
    )
    expired = []
    for order_id in due:
        with transaction.atomic():
            order = (
                Order.objects.select_for_update(skip_locked=True)
                .filter(pk=order_id, status=Order.Status.PENDING, expires_at__lte=now)
                .first()
            )
            if order is None:
                continue  # paid or cancelled meanwhile, or being paid right now
            order_end_unpaid(order, status=Order.Status.EXPIRED, reason=Order.Reason.TIME_UP)
            expired.append(order_id)
    return expired


def order_lines_refund(
    order: Order,
    amounts: Mapping[int, tuple[int, int]],
    *,
    return_seats: Iterable[int] = (),
    actor: Any = None,
    reason: str = "",
) -> Order:
    """Record refunds on lines (`line id -> (ticket part, fee part)`, minor units) and
    put seats back on sale.

    Lines whose seat goes back on sale become `refunded`; the order becomes `refunded`
    once every line has, or `cancelled` when `reason` is a cancellation. The caller
    holds the order's lock; the money itself moves through the payments app.
    """
    [locked] = lock_objects(order.lines.all())
    lines = {line.pk: line for line in locked}
    returning = set(return_seats)
    for line_id, (ticket, fee) in amounts.items():
        line = lines[line_id]
        if not (
            0 <= ticket <= line.ticket_total - line.refunded_ticket
            and 0 <= fee <= line.fee_total - line.refunded_fee
        ):
            raise DomainError(
                OrderErrorCode.REFUND_INVALID,
                f"Seat {line.seat_label} has {line.refundable} left to refund, not {ticket + fee}.",
            )
        line.refunded_ticket += ticket
        line.refunded_fee += fee
        line.refunded_amount += ticket + fee
    freed_seats = []
    for line in lines.values():
        if line.pk in returning and line.status == OrderLine.Status.SOLD:
            line.status = OrderLine.Status.REFUNDED
            freed_seats.append(line.show_seat_id)
    OrderLine.objects.bulk_update(
        list(lines.values()), ["refunded_amount", "refunded_ticket", "refunded_fee", "status"]
    )
    if freed_seats:
        seats_return(order.show_id, freed_seats)
    old_status, old_refunded = order.status, order.refunded_amount
    order.refunded_amount = sum(line.refunded_amount for line in lines.values())
    if order.status == Order.Status.PAID and all(
        line.status != OrderLine.Status.SOLD for line in lines.values()
    ):
        order.status = (
            Order.Status.CANCELLED
            if reason == Order.Reason.CUSTOMER_CANCELLED
            else Order.Status.REFUNDED
        )
        order.reason = reason
        order.ended_at = timezone.now()
    order.save(update_fields=["refunded_amount", "status", "reason", "ended_at"])
    order_log(
        order,
        "refunded" if order.status != Order.Status.CANCELLED else "cancelled",
        actor=actor,
        before={"status": old_status, "refunded_amount": old_refunded},
        after={"status": order.status, "refunded_amount": order.refunded_amount},
        old_status=old_status,
        amount=sum(ticket + fee for ticket, fee in amounts.values()),
        currency=order.currency,
        refunded={line_id: ticket + fee for line_id, (ticket, fee) in amounts.items()},
        seats_returned=sorted(
            lines[line_id].seat_label for line_id in lines if line_id in returning
        ),
        reason=reason,
    )
    return order


def order_mark_refunded_unfulfilled(order: Order, *, reason: str) -> Order:
    """An order whose payment came but could not be honoured (seats gone, amount wrong)
    and is being given back in full. The caller holds the order's lock."""
    if order.status == Order.Status.PAID:
        return order
    old_status = order.status
    order.status = Order.Status.REFUNDED
    order.reason = reason
    order.ended_at = timezone.now()
    order.save(update_fields=["status", "reason", "ended_at"])
    OrderLine.objects.filter(order=order, status=OrderLine.Status.PENDING).update(
        status=OrderLine.Status.RELEASED
    )
    if old_status == Order.Status.PENDING:
        hold_release(Hold.objects.get(pk=order.hold_id))
    PromoRedemption.objects.filter(order=order).update(status=PromoRedemption.Status.RELEASED)
    order_log(order, "payment_returned", old_status=old_status, reason=reason)
    return order


def order_notify(order: Order, kind: str) -> OrderNotice | None:
    """Tell the customer about their order by email (`OrderNotice.Kind`): recorded in
    the caller's transaction, sent after it commits, and sent by the sweep if the queue
    loses it. None when the order has no email address."""
    from venue_apps.orders.tasks import order_notice_send

    kind = OrderNotice.Kind(kind)
    if not order.email:
        return None
    notice = OrderNotice.objects.create(order=order, kind=kind)
    task_enqueue_on_commit(order_notice_send, notice.pk)
    return notice


# --- policy and promotions (dashboard and API for staff) ------------------------------


@transaction.atomic
def cancellation_policy_update(
    *,
    customers_may_cancel: bool | None = None,
    cutoff_hours: int | None = None,
    refund_booking_fee: bool | None = None,
    tiers: Sequence[tuple[int, int]] | None = None,
    actor: Any = None,
) -> CancellationPolicy:
    """Change the chain's cancellation policy; `tiers` replaces every tier at once.
    Audited as `cancellation_policy.changed` (the fields and tiers that changed)."""
    policy = CancellationPolicy.objects.select_for_update().get(pk=cancellation_policy().pk)
    before = cancellation_policy_snapshot(policy)
    if customers_may_cancel is not None:
        policy.customers_may_cancel = customers_may_cancel
    if cutoff_hours is not None:
        if not 0 <= cutoff_hours <= 24 * 30:
            raise DomainError(OrderErrorCode.POLICY_INVALID, "The cut-off is 0 to 720 hours.")
        policy.cutoff_hours = cutoff_hours
    if refund_booking_fee is not None:
        policy.refund_booking_fee = refund_booking_fee
    policy.save()
    if tiers is not None:
        hours = [hours for hours, _ in tiers]
        if len(set(hours)) != len(hours):
            raise DomainError(OrderErrorCode.POLICY_INVALID, "Two tiers start at the same hour.")
        if any(not 0 <= percent <= 100 for _, percent in tiers):
            raise DomainError(OrderErrorCode.POLICY_INVALID, "Refund shares are 0 to 100 %.")
        policy.tiers.all().delete()
        CancellationTier.objects.bulk_create(
            CancellationTier(policy=policy, hours_before=hours, refund_percent=percent)
            for hours, percent in tiers
        )
    audit_log(
        actor, "cancellation_policy.changed", policy, before, cancellation_policy_snapshot(policy)
    )
    return policy


POLICY_AUDIT_FIELDS = ("customers_may_cancel", "cutoff_hours", "refund_booking_fee")


def cancellation_policy_snapshot(policy: CancellationPolicy) -> dict[str, Any]:
    return {
        **audit_snapshot(policy, POLICY_AUDIT_FIELDS),
        "tiers": [
            [tier.hours_before, tier.refund_percent]
            for tier in policy.tiers.order_by("-hours_before")
        ],
    }


DEFAULT_TIERS = ((48, 100), (24, 50), (4, 25))


def cancellation_policy() -> CancellationPolicy:
    """The chain's policy; a new chain starts with 100 % from 48 h, 50 % from 24 h,
    25 % from 4 h before the show, and no cancellations in the last 4 hours."""
    policy, created = CancellationPolicy.objects.get_or_create(pk=1)
    if created:
        CancellationTier.objects.bulk_create(
            CancellationTier(policy=policy, hours_before=hours, refund_percent=percent)
            for hours, percent in DEFAULT_TIERS
        )
    return policy


@transaction.atomic
def promo_code_save(
    promo: PromoCode | None, *, values: Mapping[str, Any], actor: Any = None
) -> PromoCode:
    """Create (`promo=None`) or change a promo code; `titles` and `shows` limit it.
    Audited as `promo_code.created` or `promo_code.changed` (the fields that changed)."""
    created = promo is None or promo.pk is None
    promo = promo or PromoCode()
    before = {} if created else promo_code_snapshot(PromoCode.objects.get(pk=promo.pk))
    for name in PromoCode.EDITABLE_FIELDS:
        if name in values and name not in PromoCode.SCOPE_FIELDS:
            setattr(promo, name, values[name])
    promo.code = (promo.code or "").strip().upper()
    if not promo.code or not promo.code.replace("-", "").isalnum():
        raise DomainError(OrderErrorCode.PROMO_INVALID, "Codes are letters, digits and dashes.")
    if promo.kind == PromoCode.Kind.PERCENT and not 1 <= promo.value <= pricing.BASIS_POINTS:
        raise DomainError(
            OrderErrorCode.PROMO_INVALID, "Percent codes are 1 to 10000 basis points (100 %)."
        )
    if promo.valid_from and promo.valid_until and promo.valid_until <= promo.valid_from:
        raise DomainError(OrderErrorCode.PROMO_INVALID, "The code must end after it starts.")
    clash = PromoCode.objects.filter(code__iexact=promo.code).exclude(pk=promo.pk).exists()
    if clash:
        raise Conflict(OrderErrorCode.PROMO_INVALID, f"A promo code {promo.code} exists.")
    promo.save()
    for name in PromoCode.SCOPE_FIELDS:
        if name in values:
            getattr(promo, name).set(values[name])
    if created:
        audit_log(actor, "promo_code.created", promo, after=promo_code_snapshot(promo))
    else:
        audit_log(actor, "promo_code.changed", promo, before, promo_code_snapshot(promo))
    return promo


def promo_code_snapshot(promo: PromoCode) -> dict[str, Any]:
    # The scope (titles, shows) by their ids, sorted: many-to-many, read after saving.
    return {
        **audit_snapshot(
            promo, [n for n in PromoCode.EDITABLE_FIELDS if n not in PromoCode.SCOPE_FIELDS]
        ),
        **{
            name: sorted(getattr(promo, name).values_list("pk", flat=True))
            for name in PromoCode.SCOPE_FIELDS
        },
    }


@transaction.atomic
def checkout_settings_update(
    *, booking_fee_per_ticket: int, booking_fee_basis_points: int, actor: Any = None, **_: Any
) -> CheckoutSettings:
    """The chain's booking fee: a fixed amount per ticket plus a share of its price.
    Audited as `checkout_settings.changed`."""
    row = CheckoutSettings.current()
    row = CheckoutSettings.objects.select_for_update().get(pk=row.pk)
    before = audit_snapshot(row, CHECKOUT_AUDIT_FIELDS)
    row.booking_fee_per_ticket = booking_fee_per_ticket
    row.booking_fee_basis_points = booking_fee_basis_points
    row.save()
    audit_log(
        actor, "checkout_settings.changed", row, before, audit_snapshot(row, CHECKOUT_AUDIT_FIELDS)
    )
    return row


CHECKOUT_AUDIT_FIELDS = ("booking_fee_per_ticket", "booking_fee_basis_points")
