"""Pages of lists: `?limit=&offset=`, bounded, with links that name no host.

A page is at most `MAX_PAGE_SIZE` rows, and `limit` and `offset` must be whole numbers in
range: anything else is a 400 with a reason, never a silent default and never a number
PostgreSQL cannot hold (a `LIMIT` past bigint is a server error there).

`next` and `previous` are relative (`/api/v1/titles/?limit=50&offset=50`). Lists anyone
may read are cached per chain and shared by every visitor, so a link built from the
request's Host header (any name the chain answers on, with any port) would hand one
visitor's host to everybody else. A list that is cached passes the query it was keyed
by (`link_query`), so its links carry exactly the parameters its cache key was built
from, not whatever else the first visitor sent.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from tenants.error_codes import DomainError

MAX_PAGE_SIZE = 500
# Far beyond any list we keep, and far below PostgreSQL's bigint.
MAX_OFFSET = 1_000_000_000
_WHOLE_NUMBER = re.compile(r"[0-9]{1,12}")


def _bounded_int(raw: str, *, name: str, minimum: int, maximum: int) -> int:
    value = int(raw) if _WHOLE_NUMBER.fullmatch(raw) else None
    if value is None or not minimum <= value <= maximum:
        raise DomainError(
            f"{name}_invalid", f"`{name}` must be a whole number from {minimum} to {maximum}."
        )
    return value


class PageWindow:
    """The `limit` and `offset` a request asks for, checked (400 when out of range)."""

    def __init__(self, request: Request, *, default_limit: int) -> None:
        limit = request.query_params.get("limit", "")
        offset = request.query_params.get("offset", "")
        self.limit = (
            _bounded_int(limit, name="limit", minimum=1, maximum=MAX_PAGE_SIZE)
            if limit
            else default_limit
        )
        self.offset = (
            _bounded_int(offset, name="offset", minimum=0, maximum=MAX_OFFSET) if offset else 0
        )


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_PAGE_SIZE
    # The canonical query of a cached list (its validated filters, as strings); None
    # for lists that are not cached, whose links keep the request's own parameters.
    link_query: dict[str, str] | None = None

    def get_limit(self, request: Request) -> int:
        return PageWindow(request, default_limit=self.default_limit).limit

    def get_offset(self, request: Request) -> int:
        return PageWindow(request, default_limit=self.default_limit).offset

    def _link(self, offset: int | None) -> str:
        if self.link_query is not None:
            query: list[tuple[str, str]] = list(self.link_query.items())
        else:
            query = [
                (key, value)
                for key, values in self.request.query_params.lists()
                if key not in (self.limit_query_param, self.offset_query_param)
                for value in values
            ]
        query.append((self.limit_query_param, str(self.limit)))
        if offset:
            query.append((self.offset_query_param, str(offset)))
        return f"{self.request.path}?{urlencode(query)}"

    def get_next_link(self) -> str | None:
        if self.offset + self.limit >= self.count:
            return None
        return self._link(self.offset + self.limit)

    def get_previous_link(self) -> str | None:
        if self.offset <= 0:
            return None
        return self._link(max(self.offset - self.limit, 0))

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        described = super().get_paginated_response_schema(schema)
        for name, offset in (("next", 100), ("previous", 50)):
            link = described["properties"][name]
            link["format"] = "uri-reference"
            link["example"] = f"/api/v1/titles/?limit=50&offset={offset}"
        return described

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": MAX_PAGE_SIZE},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
