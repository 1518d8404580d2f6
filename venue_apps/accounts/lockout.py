"""How django-axes sees a sign-in here: by the email tried and the client's address.

The pair (account, address) is what gets locked, never an address alone; an IPv6
client is its /64 (tenants.addresses.address_bucket), so stepping through the
addresses of one line is still one address. The API signs in with `email`, the
dashboards' login form with `username`; both are the email.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from tenants.addresses import address_bucket, client_address


def username_of(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value and request is not None:
        value = request.POST.get("username") or request.POST.get("email")
    return (value or "").strip().lower()


def address_of(request: HttpRequest) -> str | None:
    # The same address the rate limits see (tenants.addresses); never a header's junk,
    # which axes would try to store in an inet column.
    return address_bucket(client_address(request))


def cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


LOCKED_DETAIL = (
    "Too many failed sign-ins for this account from here; try again in {minutes} minutes "
    "or reset the password."
)


def locked_out_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """What a locked-out sign-in gets: 429 with Retry-After and a reason (JSON for the
    API, a page for the dashboards' login form)."""
    detail = LOCKED_DETAIL.format(minutes=cooloff_seconds() // 60)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": detail, "code": "account_locked"}, status=429)
    else:
        response = HttpResponse(
            f"<!doctype html><title>Signed out for a while</title><h1>Locked</h1><p>{detail}</p>",
            status=429,
        )
    response["Retry-After"] = str(cooloff_seconds())
    return response
