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
