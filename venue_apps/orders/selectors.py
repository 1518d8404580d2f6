"""Reads of orders (current schema)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from tenants.error_codes import NotFound
from venue_apps.orders.error_codes import OrderErrorCode
from venue_apps.orders.models import Order, OrderLine

# Decimal places of the currencies chains use; ISO 4217 says 2 for the rest.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3}
_SYMBOLS = {"INR": "₹", "EUR": "€", "GBP": "£", "USD": "$"}


def money(amount: int, currency: str, *, symbol: bool = True) -> str:
    """Minor units as people read them: `₹1,250.00`, `€12.50` (or `1,250.00 INR`)."""
    exponent = _EXPONENTS.get(currency, 2)
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


def order_find(reference_or_email: str) -> QuerySet[Order]:
    """Box office lookup: by booking reference or by the customer's email."""
    text = (reference_or_email or "").strip()
    if "@" in text:
        return _with_details(Order.objects.filter(email__iexact=text).order_by("-created_at"))
    return _with_details(Order.objects.filter(reference=text.upper()))
