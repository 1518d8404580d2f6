"""Shared parsing of query parameters: bad input is a 400 with a reason, never a 500."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request


def parse_query(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Validate `request.query_params` with a serializer; return only the given values."""
    data = serializer_class(data=request.query_params)
    data.is_valid(raise_exception=True)
    return {key: value for key, value in data.validated_data.items() if value not in (None, "")}


def page_of(request: Request, view: Any, items: Any, serialize: Any) -> dict[str, Any]:
    """One page (limit/offset) of `items` as plain data: `{count, next, previous, results}`."""
    paginator = view.paginator
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
