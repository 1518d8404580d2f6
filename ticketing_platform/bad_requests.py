"""Bad input is a 4xx with a reason, answered once for every endpoint, never a 500.

`MalformedRequestMiddleware` runs first, before the host is looked up: a NUL byte in the
path or the query string (PostgreSQL refuses NUL in text, so any filter, search or path
parameter that reached a query would fail there), and an API request whose declared body
is larger than we would ever read.

The error views (`handler400`, `handler403`, `handler404`, `handler500` in both URL
confs) answer `{"detail", "code"}` to API clients, and Django's pages to a browser
opening a page, chosen as the host refusals are (`tenants.middleware.wants_html_page`).
"""

from __future__ import annotations

from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from tenants.middleware import wants_html_page
from tenants.spreadsheets import MAX_UPLOAD_BYTES

API_PREFIX = "/api/"
# The largest body the API reads: the biggest upload (an import file, see
# tenants.spreadsheets) with room for its multipart framing.
MULTIPART_MAX_BYTES = MAX_UPLOAD_BYTES + 1024 * 1024


class BadInput(BadRequest):
    """Raised where input is refused outside DRF (the dashboards): a 400 with a code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def error_response(status: int, code: str, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail, "code": code}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def too_large() -> JsonResponse:
    return error_response(413, "request_too_large", "The request body is too large.")


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _body_limit(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        return MULTIPART_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class MalformedRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = unquote(request.META.get("QUERY_STRING", ""), errors="replace")
        if "\x00" in request.path_info or "\x00" in request.path or "\x00" in query:
            refusal = BadInput("nul_character", "The address contains a NUL character (%00).")
            return bad_request(request, refusal)
        # DRF reads JSON bodies straight from the stream, past Django's own limit
        # (DATA_UPLOAD_MAX_MEMORY_SIZE), so the API's bound is checked here.
        if request.path.startswith(API_PREFIX) and _declared_length(request) > _body_limit(request):
            return too_large()
        return self.get_response(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if wants_html_page(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, BadInput):
        return error_response(400, exception.code, exception.detail)
    if isinstance(exception, RequestDataTooBig):
        return too_large()
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return error_response(400, "too_many_fields", "The request has too many fields.")
    return error_response(400, "bad_request", "The request could not be understood.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if wants_html_page(request):
        return defaults.permission_denied(request, exception)
    return error_response(403, "permission_denied", "You may not do this.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if wants_html_page(request):
        return defaults.page_not_found(request, exception)
    return error_response(404, "not_found", f"Nothing is at {request.path}.")


def server_error(request: HttpRequest) -> HttpResponse:
    if wants_html_page(request):
        return defaults.server_error(request)
    return error_response(500, "server_error", "Something went wrong on our side.")
