"""Money as people read it. Amounts are integer minor units everywhere in the database
and the API; pages show them in the currency's units (`₹760.00`), and forms take units
from people and store minor units (`units_to_minor`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Decimal places of the currencies chains use; ISO 4217 says 2 for the rest.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3}
_SYMBOLS = {"INR": "₹", "EUR": "€", "GBP": "£", "USD": "$"}


def currency_exponent(currency: str) -> int:
    """Decimal places of a currency's minor unit (2 for most, 0 for JPY, 3 for KWD)."""
    return _EXPONENTS.get(currency, 2)


def money(amount: int, currency: str, *, symbol: bool = True) -> str:
    """Minor units as people read them: `₹1,250.00`, `€12.50` (or `1,250.00 INR`)."""
    exponent = currency_exponent(currency)
    major = Decimal(amount).scaleb(-exponent)
    sign = _SYMBOLS.get(currency) if symbol else None
    text = f"{major:,.{exponent}f}"
    return f"{sign}{text}" if sign else f"{text} {currency}"


def minor_to_units(amount: int | None, currency: str) -> Decimal | None:
    """Minor units as a Decimal of units (76000 → Decimal("760.00")), for a form's
    initial value."""
    if amount is None:
        return None
    exponent = currency_exponent(currency)
    return Decimal(amount).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def units_to_minor(units: Decimal | str | int, currency: str) -> int:
    """Units typed by a person (Decimal("760.00")) as minor units (76000). Raises
    ValueError for what is not an amount or has more decimals than the currency."""
    try:
        value = Decimal(str(units))
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"{units!r} is not an amount.") from error
    if not value.is_finite():
        raise ValueError(f"{units!r} is not an amount.")
    scaled = value.scaleb(currency_exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency} has {currency_exponent(currency)} decimal places.")
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))
