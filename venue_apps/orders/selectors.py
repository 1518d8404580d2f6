"""Reads of orders (current schema): orders, and pricing a hold, which both checkout
(`services.order_create`) and the price quote of a hold use, so the two never differ."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from tenants.error_codes import Conflict, DomainError, NotFound
from venue_apps.inventory.models import Hold, SeatState, ShowSeat
from venue_apps.orders import pricing
from venue_apps.orders.error_codes import OrderErrorCode
from venue_apps.orders.models import (
    CheckoutSettings,
    Order,
    OrderLine,
    PromoCode,
    PromoRedemption,
    TaxRate,
    phone_digits,
)
from venue_apps.shows.models import Show

# Hold and order deadlines are the same instant; an order made in the last seconds of
# a hold could not be paid in time, so it is refused (and such a hold is not quoted).
MIN_SECONDS_LEFT = 5
# Amounts are stored as 32-bit integers of minor units; no ticket order comes near this.
MAX_ORDER_TOTAL = 2_000_000_000

# Decimal places of the currencies chains use; ISO 4217 says 2 for the rest.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3}
_SYMBOLS = {"INR": "₹", "EUR": "€", "GBP": "£", "USD": "$"}


def currency_exponent(currency: str) -> int:
    """Decimal places of a currency's minor unit (2 for most, 0 for JPY, 3 for KWD)."""
    return _EXPONENTS.get(currency, 2)


def money(amount: int, currency: str, *, symbol: bool = True) -> str:
    """Minor units as people read them: `₹1,250.00`, `€12.50` (or `1,250.00 INR`)."""
    exponent = currency_exponent(currency)
    major = amount / (10**exponent)
    sign = _SYMBOLS.get(currency) if symbol else None
    text = f"{major:,.{exponent}f}"
    return f"{sign}{text}" if sign else f"{text} {currency}"


def _with_details(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related(
        "show__title", "show__venue", "show__auditorium", "promo_code"
    ).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        "payments",
    )


def order_list(*, customer_id: int | None = None, status: str | None = None) -> QuerySet[Order]:
    """Orders, newest first, with what their listing shows, in a fixed number of queries."""
    orders = Order.objects.all()
    if customer_id is not None:
        orders = orders.filter(customer_id=customer_id)
    if status:
        orders = orders.filter(status=status)
    return _with_details(orders.order_by("-created_at"))


def order_for(order_id: Any, *, customer_id: int | None) -> Order:
    """One order; a customer's own only (`customer_id`), anyone's for staff (None).
    Someone else's order is reported as not found."""
    orders = Order.objects.filter(pk=order_id)
    if customer_id is not None:
        orders = orders.filter(customer_id=customer_id)
    order = _with_details(orders).first()
    if order is None:
        raise NotFound(OrderErrorCode.ORDER_NOT_FOUND, "No such order.")
    return order


# --- the box office's lookup ---------------------------------------------------------------

SEARCH_MIN_LENGTH = 2
SEARCH_MAX_LENGTH = 100
# Orders a lookup answers at most: the counter wants the right order on the first
# screen, and a bounded answer keeps a short, common query cheap on a large table.
SEARCH_LIMIT = 50
PHONE_MIN_DIGITS = 4

# "F7", "F 7", "f-7", "AA12": a seat label as people say it (row letters, seat number).
_SEAT = re.compile(r"^([A-Za-z]{1,3})[\s-]?(\d{1,4})$")
# What a phone number is typed with: digits, spaces, "+", "-", "(", ")" and dots.
_PHONE = re.compile(r"^[\d\s+().-]+$")
_REFERENCE = re.compile(r"^[A-Za-z0-9]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def order_search_text(text: str | None) -> str:
    """The lookup's query, stripped and with runs of spaces made one; a DomainError
    (400, `search_invalid`) says why one cannot be looked up."""
    raw = text or ""
    if _CONTROL.search(raw):
        raise DomainError(
            OrderErrorCode.SEARCH_INVALID, "The search may not contain control characters."
        )
    cleaned = " ".join(raw.split())
    if len(cleaned) < SEARCH_MIN_LENGTH:
        raise DomainError(
            OrderErrorCode.SEARCH_INVALID,
            f"Type at least {SEARCH_MIN_LENGTH} characters to search.",
        )
    if len(cleaned) > SEARCH_MAX_LENGTH:
        raise DomainError(
            OrderErrorCode.SEARCH_INVALID,
            f"A search is at most {SEARCH_MAX_LENGTH} characters.",
        )
    return cleaned


def order_find(text: str) -> QuerySet[Order]:
    """Box office lookup: orders whose name or email contains the text, whose booking
    reference contains it, whose phone number contains its digits (at least
    `PHONE_MIN_DIGITS`, ignoring spaces, dashes and "+"), or with a seat of that label
    ("F7", "F 7"); case does not matter. At most `SEARCH_LIMIT` orders, newest first.

    Each kind of match is its own query, bounded and served by its own index (trigram
    GIN indexes for the "contains" matches, `orderline_seat_label` for seats), and the
    answer is the union of their ids: one OR across them would read the whole table.
    Seats match on every show, so those are taken from the newest shows first."""
    text = order_search_text(text)
    newest = ("-created_at",)
    found: list[tuple[Any, Any]] = []  # (created_at, id)

    def collect(orders: QuerySet[Order], *, order_by: tuple[str, ...] = newest) -> None:
        found.extend(orders.order_by(*order_by).values_list("created_at", "pk")[:SEARCH_LIMIT])

    collect(Order.objects.filter(Q(name__icontains=text)))
    collect(Order.objects.filter(Q(email__icontains=text)))
    compact = text.replace(" ", "").replace("-", "")
    if _REFERENCE.match(compact):
        collect(Order.objects.filter(reference__contains=compact.upper()))
    digits = re.sub(r"\D", "", text)
    if _PHONE.match(text) and len(digits) >= PHONE_MIN_DIGITS:
        collect(
            Order.objects.alias(phone_digits=phone_digits()).filter(phone_digits__contains=digits)
        )
    seat = _SEAT.match(text)
    if seat:
        label = f"{seat.group(1).upper()}{seat.group(2)}"
        collect(
            Order.objects.filter(lines__seat_label=label),
            order_by=("-show__starts_at", "-created_at"),
        )
    ids = [pk for _, pk in sorted(set(found), key=lambda row: row[0], reverse=True)]
    return _with_details(Order.objects.filter(pk__in=ids[:SEARCH_LIMIT]).order_by(*newest))


# --- pricing a hold ------------------------------------------------------------------------


def fee_and_taxes() -> tuple[pricing.Fee, list[pricing.Tax]]:
    """The chain's booking fee and active taxes, as the pure pricing functions take them."""
    settings_row = CheckoutSettings.current()
    fee = pricing.Fee(
        per_ticket=settings_row.booking_fee_per_ticket,
        basis_points=settings_row.booking_fee_basis_points,
    )
    taxes = [
        pricing.Tax(tax.name, tax.basis_points, tax.applies_to, tax.inclusive)
        for tax in TaxRate.objects.filter(is_active=True)
    ]
    return fee, taxes


def promo_code_check(
    code: str, *, show: Show, customer_id: int | None, now: datetime, for_update: bool = False
) -> PromoCode:
    """The promo code, if this customer may use it on this show now; else DomainError
    (400: `promo_invalid`, `promo_expired`, `promo_not_applicable`,
    `promo_sign_in_required`) or Conflict (409: `promo_used_up`).

    Checkout takes the code's row lock (`for_update`) so that uses are counted one at a
    time; a quote reads without locking and reserves nothing, so its answer is what
    checkout would say now, not a promise."""
    promos = PromoCode.objects.select_for_update() if for_update else PromoCode.objects.all()
    promo = promos.filter(code__iexact=code.strip(), is_active=True).first()
    if promo is None:
        raise DomainError(OrderErrorCode.PROMO_INVALID, f"{code!r} is not a valid promo code.")
    if (promo.valid_from and now < promo.valid_from) or (
        promo.valid_until and now >= promo.valid_until
    ):
        raise DomainError(OrderErrorCode.PROMO_EXPIRED, f"{promo.code} is not valid now.")
    shows = set(promo.shows.values_list("pk", flat=True))
    titles = set(promo.titles.values_list("pk", flat=True))
    if (shows and show.pk not in shows) or (titles and show.title_id not in titles):
        raise DomainError(
            OrderErrorCode.PROMO_NOT_APPLICABLE, f"{promo.code} does not apply to this show."
        )
    in_use = promo.redemptions.exclude(status=PromoRedemption.Status.RELEASED)
    counts = in_use.aggregate(
        overall=Count("pk"), mine=Count("pk", filter=Q(customer_id=customer_id))
    )
    if promo.max_uses is not None and counts["overall"] >= promo.max_uses:
        raise Conflict(OrderErrorCode.PROMO_USED_UP, f"{promo.code} has been used up.")
    if promo.max_uses_per_customer is not None:
        if customer_id is None:
            raise DomainError(
                OrderErrorCode.PROMO_SIGN_IN, f"Sign in to use {promo.code}: it is per customer."
            )
        if counts["mine"] >= promo.max_uses_per_customer:
            raise Conflict(OrderErrorCode.PROMO_USED_UP, f"You have already used {promo.code} up.")
    return promo


def hold_checkable(hold: Hold, *, now: datetime) -> None:
    """Refuse a hold that already has an order, has ended, or has (almost) run out."""
    existing = Order.objects.filter(hold=hold).only("pk").first()
    if existing is not None:
        raise Conflict(
            OrderErrorCode.ORDER_EXISTS,
            "This hold already has an order.",
            extra={"order": str(existing.pk)},
        )
    if hold.status != Hold.Status.ACTIVE:
        raise Conflict(OrderErrorCode.HOLD_NOT_ACTIVE, f"The hold is {hold.status}.")
    if (hold.expires_at - now).total_seconds() < MIN_SECONDS_LEFT:
        raise Conflict(OrderErrorCode.HOLD_EXPIRED, "The hold has expired; pick the seats again.")


def show_sellable(show: Show, *, now: datetime) -> None:
    # A hold can commit just after its show was cancelled or sales closed.
    if show.status != Show.Status.ON_SALE or not show.sales_open_at <= now < show.sales_close_at:
        raise Conflict(OrderErrorCode.SHOW_NOT_ON_SALE, "This show is not on sale.")


@dataclass(frozen=True)
class HoldPrice:
    """A hold priced as checkout prices it: its seats in map order, the promo code (if
    any) and the priced lines and totals."""

    seats: list[ShowSeat]
    promo: PromoCode | None
    priced: pricing.PricedOrder


def hold_price(
    hold: Hold,
    *,
    show: Show,
    customer_id: int | None,
    promo_code: str | None,
    now: datetime,
    lock_promo: bool = False,
) -> HoldPrice:
    """Price a hold's seats: the show's prices, the chain's booking fee and taxes, and a
    promo code if one is given (checked, see `promo_code_check`). Raises Conflict (409)
    when a seat is no longer held or has no price, DomainError (400) for a bad code or
    an order too large to store."""
    seats = list(
        ShowSeat.objects.filter(pk__in=hold.seat_ids, hold=hold, state=SeatState.HELD).order_by(
            "y", "x"
        )
    )
    if len(seats) != len(hold.seat_ids):
        raise Conflict(
            OrderErrorCode.SEATS_UNAVAILABLE, "Some seats of the hold are no longer held."
        )
    unpriced = sorted({seat.category for seat in seats} - set(show.prices))
    if unpriced:
        raise Conflict(
            OrderErrorCode.PRICE_MISSING, f"No price for seat categories {', '.join(unpriced)}."
        )
    promo = None
    discount = None
    if promo_code:
        promo = promo_code_check(
            promo_code, show=show, customer_id=customer_id, now=now, for_update=lock_promo
        )
        discount = pricing.Discount(promo.kind, promo.value)
    fee, taxes = fee_and_taxes()
    priced = pricing.price_order(
        [
            pricing.SeatPrice(seat.pk, seat.category, int(show.prices[seat.category]))
            for seat in seats
        ],
        fee=fee,
        taxes=taxes,
        discount=discount,
    )
    if priced.total > MAX_ORDER_TOTAL:
        raise DomainError(
            OrderErrorCode.ORDER_TOO_LARGE, "This order is too large; split it into several."
        )
    return HoldPrice(seats=seats, promo=promo, priced=priced)


@dataclass(frozen=True)
class HoldQuote:
    hold: Hold
    currency: str
    price: HoldPrice


def hold_quote(
    hold: Hold,
    *,
    currency: str,
    customer_id: int | None,
    promo_code: str | None = None,
    now: datetime | None = None,
) -> HoldQuote:
    """What ordering this hold now would cost, line by line, before any order or
    payment exists: the same checks and the same prices as `order_create`, in the same
    order, so the figures (and any refusal) are those checkout would give. Locks,
    reserves and writes nothing; the caller has checked that the hold is the asker's."""
    now = now or timezone.now()
    hold_checkable(hold, now=now)
    show = Show.objects.get(pk=hold.show_id)
    show_sellable(show, now=now)
    price = hold_price(hold, show=show, customer_id=customer_id, promo_code=promo_code, now=now)
    return HoldQuote(hold=hold, currency=currency, price=price)
