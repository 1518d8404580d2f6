"""Cached JSON answered with a validator: the hot reads of an on-sale (the seat map,
showtimes) carry an `ETag`, and a client that sends it back in `If-None-Match` gets a
304 with no body. The ETag is a digest of the body, so it changes exactly when the
answer does; a hit costs the cache read and the digest, no ORM and no serialisation."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response

from api.negotiation import asks_for_json
from tenants.cache import body_etag
from venue_apps.accounts.capabilities import ANONYMOUS, Capability, role_may


def json_with_etag(request: HttpRequest, body: bytes, etag: str | None = None) -> HttpResponse:
    """`body` (JSON) with its ETag (`etag`, when the cache kept it with the body), or a
    304 when the client already has it."""
    etag = etag or body_etag(body)
    unchanged = get_conditional_response(request, etag=etag)
    if unchanged is not None:
        return unchanged
    response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    return response


class AnonymousReadShortcut:
    """An APIView mixin for a cached read that a customer's browser asks for over and
    over during an on-sale (the seat map).

    A plain GET with no credentials (no Authorization header, no session cookie), no
    query string and an Accept that takes JSON meets only DRF steps whose outcome is
    known before they run: no authenticator finds a caller, the permission lets an
    anonymous visitor in exactly when the capability table says so, and the view has
    no rate limits. Such a request gets `cached_answer()` with DRF's response headers at
    once, without DRF's request wrapper, negotiation, authentication, permission and
    finalising (a third of a cached seat map's CPU). Any other request, or a miss
    (`cached_answer()` is None), goes through DRF as before; a test compares the two
    answers over credentials, Accept values, validators and methods."""

    shortcut = True

    def cached_answer(self, **kwargs) -> tuple[bytes, str] | None:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if self.shortcut and _plain_anonymous_get(request) and self._anonymous_may_read():
            answer = self.cached_answer(**kwargs)
            if answer is not None:
                response = json_with_etag(request, *answer)
                for header, value in self.default_response_headers.items():  # type: ignore[attr-defined]
                    response[header] = value
                return response
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def _anonymous_may_read(self) -> bool:
        if getattr(self, "throttle_classes", None):
            return False
        required = getattr(self, "capability", None)
        if isinstance(required, Mapping):
            required = required.get("GET")
        return isinstance(required, Capability) and role_may(ANONYMOUS, required)


def _plain_anonymous_get(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and asks_for_json(request)
    )
