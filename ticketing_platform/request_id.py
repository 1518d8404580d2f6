"""X-Request-ID: one id per request, in every log line the request causes.

nginx (compose) and ingress-nginx (Kubernetes) give each request an id, log it in their
access log and pass it on as `X-Request-ID`. This middleware keeps that id for the
request (or makes one when no proxy gave it), so that the app's JSON log lines
(ticketing_platform.log_format) carry it as `request_id`, and answers it in the
response's `X-Request-ID`: a customer's support ticket, the proxy's line and the
app's traceback all name the same id.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from tenants.request_ids import current_request_id, request_id_reset, request_id_set

if TYPE_CHECKING:  # gunicorn's master imports this module before Django is set up
    from django.http import HttpRequest, HttpResponseBase

# What a proxy's id looks like (nginx: 32 hex digits; others: a UUID). Anything else a
# client wrote is replaced, so a log line never carries an attacker's text.
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")


__all__ = ["RequestIdMiddleware", "current_request_id"]


class RequestIdMiddleware:
    """Keeps the request's X-Request-ID (or a new one) for its log lines and response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # From META, not request.headers (which would copy every header into a dict),
        # and 32 random hex digits, as a UUID's hex without building one.
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _ACCEPTED.fullmatch(given) else os.urandom(16).hex()
        token = request_id_set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_reset(token)
        response["X-Request-ID"] = request_id
        return response
