"""Pricing an order: pure functions over integers (minor units), no database.

Each seat becomes a line with its own price, discount, fee and taxes; the order's
figures are the sums of its lines, so they always add up, and refunding some seats
refunds exactly what those seats cost. Rounding is half up, once per line and tax.

- The discount of a promo code is taken off ticket prices only (never fees), and is
  spread over the lines in proportion to their prices (largest remainder first), so the
  shares add up to the discount exactly.
- The booking fee is a fixed amount per ticket plus a share of the discounted price.
- Taxes apply to tickets, fees or both; included taxes are already inside the amount
  and only reported, excluded taxes are added on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

BASIS_POINTS = 10_000


def share(amount: int, basis_points: int) -> int:
    """`amount` x `basis_points` / 10 000, rounded half up."""
    return (amount * basis_points + BASIS_POINTS // 2) // BASIS_POINTS


def spread(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights`; the parts add up to `total` exactly."""
    weight_sum = sum(weights)
    if total == 0 or weight_sum == 0:
        return [0] * len(weights)
    exact = [total * weight for weight in weights]
    parts = [value // weight_sum for value in exact]
    left = total - sum(parts)
    # Largest remainders first; ties go to the earlier line, so results are stable.
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] % weight_sum), i))
    for index in order[:left]:
        parts[index] += 1
    return parts


@dataclass(frozen=True)
class SeatPrice:
    key: int  # the show seat's id
    category: str
    price: int


@dataclass(frozen=True)
class Fee:
    per_ticket: int = 0
    basis_points: int = 0


@dataclass(frozen=True)
class Tax:
    name: str
    basis_points: int
    applies_to: str = "all"  # "tickets", "fees" or "all"
    inclusive: bool = True

    def covers(self, part: str) -> bool:
        return self.applies_to in ("all", part)


@dataclass(frozen=True)
class Discount:
    kind: str  # "percent" (basis points of the ticket subtotal) or "fixed" (minor units)
    value: int

    def amount_off(self, subtotal: int) -> int:
        if self.kind == "percent":
            return min(subtotal, share(subtotal, self.value))
        return min(subtotal, self.value)


@dataclass(frozen=True)
class PricedLine:
    key: int
    category: str
    price: int
    discount: int
    fee: int
    tax_added: int
    tax_included: int
    fee_tax_added: int = 0
    # All taxes on the ticket part and on the fee part (included and added).
    ticket_tax: int = 0
    fee_tax: int = 0
    taxes: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.price - self.discount + self.fee + self.tax_added

    @property
    def fee_total(self) -> int:
        """The booking fee with the taxes added on it."""
        return self.fee + self.fee_tax_added


@dataclass(frozen=True)
class PricedOrder:
    lines: tuple[PricedLine, ...]

    @property
    def subtotal(self) -> int:
        return sum(line.price for line in self.lines)

    @property
    def discount(self) -> int:
        return sum(line.discount for line in self.lines)

    @property
    def fees(self) -> int:
        return sum(line.fee for line in self.lines)

    @property
    def tax_added(self) -> int:
        return sum(line.tax_added for line in self.lines)

    @property
    def tax_included(self) -> int:
        return sum(line.tax_included for line in self.lines)

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    def taxes(self) -> dict[str, int]:
        """Each tax's amount over the whole order (included and added alike)."""
        totals: dict[str, int] = {}
        for line in self.lines:
            for name, amount in line.taxes.items():
                totals[name] = totals.get(name, 0) + amount
        return totals


def _taxes_on(base: int, part: str, taxes: Sequence[Tax]) -> tuple[int, int, dict[str, int]]:
    """(added, included, by name) for `base` of a part ("tickets" or "fees")."""
    covering = [tax for tax in taxes if tax.covers(part)]
    # Several included taxes on one base are extracted from it together.
    included_points = sum(tax.basis_points for tax in covering if tax.inclusive)
    added = included = 0
    by_name: dict[str, int] = {}
    for tax in covering:
        if tax.inclusive:
            amount = (base * tax.basis_points * 2 + BASIS_POINTS + included_points) // (
                2 * (BASIS_POINTS + included_points)
            )
            included += amount
        else:
            amount = share(base, tax.basis_points)
            added += amount
        by_name[tax.name] = by_name.get(tax.name, 0) + amount
    return added, included, by_name


def price_order(
    seats: Sequence[SeatPrice],
    *,
    fee: Fee = Fee(),
    taxes: Sequence[Tax] = (),
    discount: Discount | None = None,
) -> PricedOrder:
    """Price a set of seats: discount, booking fee and taxes, line by line."""
    subtotal = sum(seat.price for seat in seats)
    off = discount.amount_off(subtotal) if discount else 0
    discounts = spread(off, [seat.price for seat in seats])
    lines = []
    for seat, seat_discount in zip(seats, discounts, strict=True):
        net = seat.price - seat_discount
        line_fee = fee.per_ticket + share(net, fee.basis_points)
        ticket_added, ticket_included, ticket_taxes = _taxes_on(net, "tickets", taxes)
        fee_added, fee_included, fee_taxes = _taxes_on(line_fee, "fees", taxes)
        by_name = dict(ticket_taxes)
        for name, amount in fee_taxes.items():
            by_name[name] = by_name.get(name, 0) + amount
        lines.append(
            PricedLine(
                key=seat.key,
                category=seat.category,
                price=seat.price,
                discount=seat_discount,
                fee=line_fee,
                tax_added=ticket_added + fee_added,
                tax_included=ticket_included + fee_included,
                fee_tax_added=fee_added,
                ticket_tax=ticket_added + ticket_included,
                fee_tax=fee_added + fee_included,
                taxes=by_name,
            )
        )
    return PricedOrder(lines=tuple(lines))
