"""The OpenAPI schema documents the refusals too, so that a client (and schemathesis's
conformance checks in tests/test_schemathesis.py) knows every status an operation
answers with, each with the one error body of api/exceptions.py.

A view documents its success answers (`@extend_schema(responses=...)`); this schema
class adds the error statuses that follow from what the view is, where the view does not
document them itself:

- 400, everywhere: the request guard refuses bad bytes in any path or query
  (ticketing_platform.bad_requests), and input that does not validate;
- 401, where the view authenticates: a token that is bad, expired or another chain's;
- 403, where a permission applies (not AllowAny alone), and on every chain's operation,
  which a suspended chain answers with 403;
- 404, where the path names something (a path parameter);
- 409, on writes: a refusal because of the current state (a seat taken, an order
  already paid, a hold of someone else's...);
- 429, where the view throttles.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

ERROR_DESCRIPTIONS = {
    "400": "Bad input: `code` says what, `errors` which field (validation errors).",
    "401": "Not signed in, or a token that is bad, expired or another chain's.",
    "403": "Not allowed for this role, or the chain is suspended.",
    "404": "Nothing of that id here (or nothing this account may see).",
    "409": "Refused because of the current state, which `code` names.",
    "429": "Too many requests: wait for `Retry-After` seconds.",
}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ErrorOutput(serializers.Serializer):
    """Every refusal: `{detail, code}`, and for some more fields (a validation error's
    `errors` per field, a hold's unavailable `seats`)."""

    detail = serializers.CharField()
    code = serializers.CharField()


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in self._error_statuses():
            if status not in responses:
                documented = OpenApiResponse(ErrorOutput, description=ERROR_DESCRIPTIONS[status])
                responses[status] = self._get_response_for_code(documented, status)
        return responses

    def _error_statuses(self) -> list[str]:
        from rest_framework_simplejwt.views import TokenViewBase

        view = self.view
        statuses = ["400"]
        if view.get_authenticators() or isinstance(view, TokenViewBase):
            statuses.append("401")
        permissions_of_view = [type(permission) for permission in view.get_permissions()]
        anyone = permissions_of_view and all(
            permission is permissions.AllowAny for permission in permissions_of_view
        )
        if not anyone or self.path.startswith("/api/v1/"):
            statuses.append("403")
        if "{" in self.path:
            statuses.append("404")
        if self.method in WRITE_METHODS:
            statuses.append("409")
        if view.get_throttles():
            statuses.append("429")
        return statuses
