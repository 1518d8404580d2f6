"""Content negotiation with a shortcut for what every client of this API asks.

The API answers JSON only (ORJSONRenderer). DRF's negotiation still parses the Accept
header and reads the query string for `?format=` on every request, 3 to 5% of a hold
request's CPU in a profile of the on-sale benchmark. A request that asks for JSON or
for anything (`Accept` absent, `*/*` or `application/json`) and has no query string
gets the first renderer at once; any other request is negotiated by DRF as before, so
`?format=`, `; indent=` and 406 Not Acceptable behave exactly as they did.
"""

from __future__ import annotations

from rest_framework.negotiation import DefaultContentNegotiation

_ANY_JSON = frozenset({"*/*", "application/json"})


class JSONFirstNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            not format_suffix
            and renderers
            and renderers[0].media_type == "application/json"
            and request.META.get("HTTP_ACCEPT", "*/*").strip() in _ANY_JSON
            and not request.META.get("QUERY_STRING")
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
