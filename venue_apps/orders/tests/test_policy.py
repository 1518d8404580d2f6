"""The cancellation policy: tiers by hours before the show, a cut-off, fees kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from venue_apps.orders.policy import LineMoney, Policy, Tier, quote

START = datetime(2026, 12, 24, 18, 0, tzinfo=UTC)
POLICY = Policy(
    customers_may_cancel=True,
    cutoff_hours=4,
    refund_booking_fee=False,
    tiers=(Tier(48, 100), Tier(24, 50), Tier(4, 25)),
)
LINES = [
    LineMoney(key=1, total=23540, fee_total=3540),
    LineMoney(key=2, total=33540, fee_total=3540),
]


def at(hours_before: float):
    return quote(POLICY, lines=LINES, starts_at=START, now=START - timedelta(hours=hours_before))


def test_each_tier_gives_its_share_of_the_tickets():
    assert at(72).refund == 20000 + 30000
    assert at(48).refund_percent == 100
    assert at(47.9).refund == 10000 + 15000
    assert at(10).refund == 5000 + 7500


def test_the_cutoff_and_a_started_show_refuse():
    assert (at(3.9).allowed, at(3.9).code) == (False, "cancellation_closed")
    assert at(-1).code == "show_started"


def test_fees_come_back_when_the_policy_says_so():
    generous = Policy(True, 4, True, POLICY.tiers)
    result = quote(generous, lines=LINES, starts_at=START, now=START - timedelta(hours=30))

    assert result.refund == (23540 + 33540) // 2


def test_what_was_already_refunded_is_not_refunded_again():
    # 19 500 of the 20 000 ticket part went back already (a goodwill refund).
    lines = [LineMoney(key=1, total=23540, fee_total=3540, refunded_ticket=19500)]
    result = quote(POLICY, lines=lines, starts_at=START, now=START - timedelta(hours=72))

    assert result.per_line == {1: 500}


def test_below_every_tier_but_before_the_cutoff_refunds_nothing_but_may_cancel():
    policy = Policy(True, 1, False, (Tier(24, 100),))
    result = quote(policy, lines=LINES, starts_at=START, now=START - timedelta(hours=5))

    assert (result.allowed, result.refund) == (True, 0)
