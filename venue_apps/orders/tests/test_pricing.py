"""Pricing is integer arithmetic: parts always add up, rounding is half up per line."""

from __future__ import annotations

import pytest

from venue_apps.orders.pricing import (
    Discount,
    Fee,
    SeatPrice,
    Tax,
    price_order,
    share,
    spread,
)


def seats(*prices: int) -> list[SeatPrice]:
    return [
        SeatPrice(key=index, category="regular", price=price)
        for index, price in enumerate(prices, start=1)
    ]


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (1, [5, 5], [1, 0]),
        (0, [3, 4], [0, 0]),
        (7, [0, 0], [0, 0]),
        (1000, [20000, 30000], [400, 600]),
    ],
)
def test_spread_adds_up_exactly(total, weights, expected):
    assert spread(total, weights) == expected
    if sum(weights):
        assert sum(spread(total, weights)) == total


def test_share_rounds_half_up():
    assert share(250, 1800) == 45
    assert share(3, 5000) == 2  # 1.5 -> 2
    assert share(1, 4999) == 0


def test_a_percent_discount_is_spread_over_the_seats_by_price():
    priced = price_order(seats(20000, 30000, 10000), discount=Discount("percent", 1000))

    assert priced.discount == 6000
    assert [line.discount for line in priced.lines] == [2000, 3000, 1000]
    assert priced.total == 54000


def test_a_fixed_discount_never_exceeds_the_tickets_and_leaves_the_fee():
    priced = price_order(seats(5000), fee=Fee(per_ticket=1000), discount=Discount("fixed", 90000))

    assert priced.discount == 5000
    assert priced.fees == 1000
    assert priced.total == 1000


def test_the_fee_is_a_fixed_part_and_a_share_of_the_discounted_price():
    priced = price_order(
        seats(20000), fee=Fee(per_ticket=500, basis_points=250), discount=Discount("percent", 5000)
    )

    assert priced.fees == 500 + 250  # 2.5 % of 100.00


def test_included_and_added_taxes():
    priced = price_order(
        seats(11800, 23600),
        fee=Fee(per_ticket=3000),
        taxes=[
            Tax("GST", 1800, "tickets", inclusive=True),
            Tax("GST on fees", 1800, "fees", inclusive=False),
        ],
    )

    assert priced.tax_included == 1800 + 3600  # 18/118 of each price
    assert priced.tax_added == 540 * 2
    assert priced.total == 11800 + 23600 + 6000 + 1080
    assert priced.taxes() == {"GST": 5400, "GST on fees": 1080}
    line = priced.lines[0]
    assert (line.ticket_tax, line.fee_tax, line.fee_total) == (1800, 540, 3540)


def test_every_total_is_the_sum_of_its_lines():
    priced = price_order(
        seats(999, 1001, 12345),
        fee=Fee(per_ticket=33, basis_points=175),
        taxes=[Tax("VAT", 2300, "all", inclusive=True), Tax("City", 500, "tickets", False)],
        discount=Discount("percent", 1234),
    )

    assert priced.total == sum(line.total for line in priced.lines)
    assert priced.total == priced.subtotal - priced.discount + priced.fees + priced.tax_added
