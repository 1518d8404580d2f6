"""What a chain's currency and time zone may be: a currency of ISO 4217 that money
changes hands in, and a zone of the IANA time zone database.

Python has no table of currencies, so the list is pycountry's (Debian's iso-codes, which
follows the ISO 4217 maintenance agency's amendments); the zones are the IANA database
that `zoneinfo` reads (the system's, or the `tzdata` package where the system has none).
A three-letter shape or a plausible `Area/City` is not enough: `ZZZ` and `Mars/Olympus`
look right and are neither.

The model fields use the validators below; the services turn the same answers into
DomainErrors with codes (`tenants.services.currency_clean`, `timezone_clean`).
"""

from __future__ import annotations

import functools
import zoneinfo

import pycountry
from django.core.exceptions import ValidationError

# Codes ISO 4217 lists that are not money a ticket can be priced in: precious metals,
# bond-market units, the IMF's and the African Development Bank's units of account,
# the Arab Accounting Dinar, the code reserved for testing and "no currency", and the
# funds codes (investment and indexed units that sit beside a country's currency:
# Bolivia's BOV, Switzerland's CHE and CHW, Chile's CLF, Colombia's COU, Mexico's MXV,
# the US next-day dollar USN, Uruguay's UYI and UYW). No payment gateway charges in them.
NOT_TENDER = frozenset(
    {
        "XAG",
        "XAU",
        "XPD",
        "XPT",
        "XBA",
        "XBB",
        "XBC",
        "XBD",
        "XDR",
        "XSU",
        "XUA",
        "XAD",
        "XTS",
        "XXX",
        "BOV",
        "CHE",
        "CHW",
        "CLF",
        "COU",
        "MXV",
        "USN",
        "UYI",
        "UYW",
    }
)

# Names in the zone database that are no place: `localtime` is a link to the machine's
# own zone (a different answer on every server), `Factory` marks "zone not set yet".
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


def currency_canonical(code: str) -> str | None:
    """The ISO 4217 code in capitals (`eur` -> `EUR`), or None when `code` is not a
    currency that money is paid in."""
    cleaned = (code or "").strip().upper()
    if len(cleaned) != 3 or not cleaned.isascii() or not cleaned.isalpha():
        return None
    if cleaned in NOT_TENDER or pycountry.currencies.get(alpha_3=cleaned) is None:
        return None
    return cleaned


@functools.cache
def _zones_by_lower_case() -> dict[str, str]:
    # Read once per process: the list comes from files that change only with a
    # deployment (the system's tzdata, or the package's).
    return {name.lower(): name for name in zoneinfo.available_timezones() if name not in NOT_PLACES}


def timezone_canonical(name: str) -> str | None:
    """The IANA zone's own spelling (`asia/kolkata` -> `Asia/Kolkata`), or None when
    `name` is not a zone of the database."""
    return _zones_by_lower_case().get((name or "").strip().lower())


def validate_currency(value: str) -> None:
    if currency_canonical(value) != value:
        raise ValidationError(
            "%(value)s is not an ISO 4217 currency code, e.g. INR or EUR.",
            code="currency_invalid",
            params={"value": repr(value)},
        )


def validate_timezone(value: str) -> None:
    if timezone_canonical(value) != value:
        raise ValidationError(
            "%(value)s is not an IANA time zone, e.g. Asia/Kolkata.",
            code="timezone_invalid",
            params={"value": repr(value)},
        )
