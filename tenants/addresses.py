"""The client's address, the same for the lockout, every rate limit and the rows that
record it (holds, orders, fraud decisions).

Behind `NUM_PROXIES` proxies of our own (the ingress, nginx), X-Forwarded-For is read
from the right: each of our proxies appends the address it saw, so the entry our
outermost proxy appended is the client, and anything to its left was written by the
client and means nothing. With no proxies configured the header is ignored. A value
that is not an IP address is never used (it would be stored in `inet` columns), and an
address is never taken from the left of the header, where a client can write any
address it likes, its victim's included.

Limits per address count an IPv6 client per /64 (`address_bucket`): one customer line
is a whole /64, and stepping through its addresses must not dodge a limit. An IPv4
address seen through IPv6 (`::ffff:a.b.c.d`) stays that IPv4 address.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.db.models import Q

# What one IPv6 subscriber gets (RFC 6177): the unit per-address limits count in.
IPV6_SUBSCRIBER_PREFIX = 64


# Both are pure functions of a string, asked several times per request (the rate
# limits, the hold's owner, the lockout): parsed once per address and process.
@functools.lru_cache(maxsize=4096)
def _ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    meta = getattr(request, "META", {})
    proxies = int(getattr(settings, "NUM_PROXIES", 0) or 0)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        # Fewer entries than proxies: a request that did not come through all of them.
        if len(hops) >= proxies:
            address = _ip(hops[-proxies])
            if address:
                return address
    return _ip(meta.get("REMOTE_ADDR"))


def _subscriber(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Network | None:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        return ipaddress.IPv6Network((ip, IPV6_SUBSCRIBER_PREFIX), strict=False)
    return ip


@functools.lru_cache(maxsize=4096)
def address_bucket(address: str | None) -> str | None:
    """The unit per-address limits count in: an IPv4 address itself, the first address
    of an IPv6 address's /64. Still an IP address, so `inet` columns can store it."""
    subscriber = _subscriber(address or "")
    if isinstance(subscriber, ipaddress.IPv6Network):
        return str(subscriber.network_address)
    return None if subscriber is None else str(subscriber)


def same_subscriber(field: str, address: str) -> Q:
    """A filter on an `inet` column (holding single addresses) for every address of the
    same subscriber as `address`: that address (IPv4), or its /64 (IPv6)."""
    subscriber = _subscriber(address)
    if isinstance(subscriber, ipaddress.IPv6Network):
        return Q(
            **{
                f"{field}__gte": str(subscriber.network_address),
                f"{field}__lte": str(subscriber.broadcast_address),
            }
        )
    if subscriber is None:
        return Q(**{field: address})
    # Stored as seen: the plain IPv4 address, or the same one written IPv4-mapped.
    return Q(**{field: str(subscriber)}) | Q(**{field: f"::ffff:{subscriber}"})


def same_subscriber_sql(column: str, address: str) -> tuple[str, list[str]]:
    """`same_subscriber` as an SQL condition with its parameters, for hand-written SQL
    on the hot path (`column` is trusted: a column name, never input)."""
    subscriber = _subscriber(address)
    if isinstance(subscriber, ipaddress.IPv6Network):
        return (
            f"({column} >= %s::inet AND {column} <= %s::inet)",
            [str(subscriber.network_address), str(subscriber.broadcast_address)],
        )
    if subscriber is None:  # not an address: no stored address is the same subscriber
        return "FALSE", []
    return f"({column} = %s::inet OR {column} = %s::inet)", [
        str(subscriber),
        f"::ffff:{subscriber}",
    ]
