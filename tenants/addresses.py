"""The client's address, the same for the lockout, every rate limit and the rows that
record it (holds, orders, fraud decisions).

Behind `NUM_PROXIES` proxies of our own (the ingress, nginx), X-Forwarded-For is read
from the right: each of our proxies appends the address it saw, so the entry our
outermost proxy appended is the client, and anything to its left was written by the
client and means nothing. With no proxies configured the header is ignored. A value
that is not an IP address is never used (it would be stored in `inet` columns), and an
address is never taken from the left of the header, where a client can write any
address it likes, its victim's included.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


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
