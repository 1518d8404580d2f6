"""Cached JSON answered with a validator: the hot reads of an on-sale (the seat map,
showtimes) carry an `ETag`, and a client that sends it back in `If-None-Match` gets a
304 with no body. The ETag is a digest of the body, so it changes exactly when the
answer does; a hit costs the cache read and the digest, no ORM and no serialisation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response

from tenants.cache import body_etag


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
