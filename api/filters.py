"""Shared parsing of query parameters: bad input is a 400 with a reason, never a 500."""

from __future__ import annotations

import datetime
from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from api.pagination import PageWindow
from tenants.cache import cache_key


def parse_query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Validate `request.query_params` with a serializer; return only the given values."""
    data = serializer_class(data=request.query_params)
    data.is_valid(raise_exception=True)
    return {key: value for key, value in data.validated_data.items() if value not in (None, "")}


def canonical_query(filters: dict[str, Any]) -> dict[str, str]:
    """Validated filters (from `parse_query`) as the strings a query string carries, in
    one order: the same filters always give the same query, whatever their spelling."""

    def text(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, datetime.date | datetime.datetime):
            return value.isoformat()
        return str(value)

    return {key: text(filters[key]) for key in sorted(filters)}


def list_cache_key(
    name: str, request: Request, view: Any, filters: dict[str, Any], *extra: Any
) -> str:
    """The cache key of one page of a shared list: its validated filters, its page window
    and `extra`, and nothing else the request carried. Unknown parameters and other
    spellings of the same values map to the same key, so junk in a query string can
    neither cost a computation nor add an entry to Redis. Bad `limit`/`offset` are 400s."""
    window = PageWindow(request, default_limit=view.paginator.default_limit)
    return f"{name}:" + cache_key(canonical_query(filters), window.limit, window.offset, *extra)


def page_of(
    request: Request,
    view: Any,
    items: Any,
    serialize: Any,
    *,
    filters: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One page (limit/offset) of `items` as plain data: `{count, next, previous, results}`.

    A cached list passes its validated `filters`: its links then carry those and the
    page window only (relative links, see api.pagination)."""
    paginator = view.paginator
    if filters is not None:
        paginator.link_query = canonical_query(filters)
    page = paginator.paginate_queryset(items, request, view=view)
    return paginator.get_paginated_response(serialize(page)).data


class OffsetDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date and time that must carry its UTC offset.

    A bare "18:30" is ambiguous for a chain whose venues sit in several time zones, so
    it is refused rather than read as UTC.
    """

    default_error_messages = {
        "offset": "Give the time with its UTC offset, e.g. 2026-12-01T18:30:00+05:30.",
    }

    def to_internal_value(self, value: Any):
        text = str(value).strip()
        parsed = super().to_internal_value(value)
        if not (text.endswith("Z") or text.endswith("z") or "+" in text[10:] or "-" in text[10:]):
            self.fail("offset")
        return parsed
