"""One exception handler: every error is `{"detail": str, "code": str}` with its status."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tenants.error_codes import DomainError


def _first_message(errors: Any, path: str = "") -> str:
    if isinstance(errors, dict):
        for key, value in errors.items():
            label = key if key != "non_field_errors" else ""
            return _first_message(value, f"{path}.{label}".strip(".") if label else path)
    if isinstance(errors, list) and errors:
        return _first_message(errors[0], path)
    return f"{path}: {errors}" if path else str(errors)


def _first_code(codes: Any) -> str:
    if isinstance(codes, dict):
        codes = next(iter(codes.values()), "invalid")
    if isinstance(codes, list):
        codes = codes[0] if codes else "invalid"
    return _first_code(codes) if isinstance(codes, dict | list) else str(codes)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        response = Response(
            {"detail": exc.detail, "code": exc.code, **exc.extra}, status=exc.status_code
        )
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            response["Retry-After"] = str(int(retry_after))
        if exc.status_code == status.HTTP_409_CONFLICT:
            # An answer of the domain, logged by nobody (ExpectedConflictFilter drops
            # the line anyway): Django need not build the record (2% of an on-sale).
            response._has_been_logged = True  # type: ignore[attr-defined]
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let it be a 500 and reach Sentry

    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _first_message(response.data),
            "code": _first_code(exc.get_codes()),
            "errors": response.data,
        }
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response

    data = response.data
    if isinstance(data, dict) and "detail" in data:
        detail = data["detail"]
        code = data.get("code") or _first_code(getattr(exc, "get_codes", lambda: "error")())
        body = {"detail": str(detail), "code": str(code)}
        if isinstance(detail, dict):  # simplejwt nests its own detail/code
            body = {"detail": str(detail.get("detail")), "code": str(detail.get("code", code))}
        response.data = body
    return response
