"""Cancellation policy: what a customer gets back for cancelling now. Pure functions.

A policy has tiers ("at least 48 hours before: 100 %", "at least 24 hours: 50 %") and a
cut-off: within `cutoff_hours` of the start customers cannot cancel. The refund of a
line is its share of what is left to refund on it; booking fees (with their taxes) are
kept unless the policy gives them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from venue_apps.orders.pricing import share


@dataclass(frozen=True)
class Tier:
    hours_before: int
    refund_percent: int


@dataclass(frozen=True)
class Policy:
    customers_may_cancel: bool
    cutoff_hours: int
    refund_booking_fee: bool
    tiers: tuple[Tier, ...]


@dataclass(frozen=True)
class LineMoney:
    """What a policy needs of an order line: its total, the fee part, and what went back
    of the ticket part and of the fee part."""

    key: int
    total: int
    fee_total: int
    refunded_ticket: int = 0
    refunded_fee: int = 0


@dataclass(frozen=True)
class Quote:
    allowed: bool
    code: str
    detail: str
    refund: int
    refund_percent: int
    hours_before: float
    cutoff_at: datetime
    per_line: dict[int, int]


def tier_for(policy: Policy, hours_before: float) -> Tier | None:
    """The most generous tier whose threshold has not passed yet."""
    eligible = [tier for tier in policy.tiers if hours_before >= tier.hours_before]
    return max(eligible, key=lambda tier: tier.hours_before) if eligible else None


def line_refund(line: LineMoney, *, percent: int, include_fees: bool) -> int:
    """The policy's share of the line, never more than is left of the parts it covers."""
    ticket_left = line.total - line.fee_total - line.refunded_ticket
    if include_fees:
        left = ticket_left + line.fee_total - line.refunded_fee
        return max(0, min(left, share(line.total, percent * 100)))
    return max(0, min(ticket_left, share(line.total - line.fee_total, percent * 100)))


def quote(
    policy: Policy, *, lines: Sequence[LineMoney], starts_at: datetime, now: datetime
) -> Quote:
    """What cancelling at `now` would refund, or why it is not allowed."""
    hours_before = (starts_at - now).total_seconds() / 3600
    cutoff_at = starts_at - timedelta(hours=policy.cutoff_hours)

    def refused(code: str, detail: str) -> Quote:
        return Quote(False, code, detail, 0, 0, round(hours_before, 2), cutoff_at, {})

    if not policy.customers_may_cancel:
        return refused("cancellation_not_offered", "This chain does not take cancellations.")
    if hours_before <= 0:
        return refused("show_started", "The show has started; it can no longer be cancelled.")
    if now >= cutoff_at:
        return refused(
            "cancellation_closed",
            f"Cancellations close {policy.cutoff_hours} hours before the show.",
        )
    tier = tier_for(policy, hours_before)
    percent = tier.refund_percent if tier else 0
    per_line = {
        line.key: line_refund(line, percent=percent, include_fees=policy.refund_booking_fee)
        for line in lines
    }
    detail = f"Cancelling now refunds {percent} % " + (
        "of the order." if policy.refund_booking_fee else "of the ticket prices (fees are kept)."
    )
    return Quote(
        True,
        "ok",
        detail,
        sum(per_line.values()),
        percent,
        round(hours_before, 2),
        cutoff_at,
        per_line,
    )
