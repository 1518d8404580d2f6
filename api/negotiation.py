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


def asks_for_json(request) -> bool:
    """A request that takes JSON (`Accept` absent, `*/*` or `application/json`) and has
    no query string (so no `?format=`): DRF would answer it with the JSON renderer."""
    meta = request.META
    return meta.get("HTTP_ACCEPT", "*/*").strip() in _ANY_JSON and not meta.get("QUERY_STRING")


class JSONFirstNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            not format_suffix
            and renderers
            and renderers[0].media_type == "application/json"
            and asks_for_json(request)
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
