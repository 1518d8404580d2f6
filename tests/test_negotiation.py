"""The API's content negotiation answers as DRF's own would, with a shortcut for
requests that ask for JSON or for anything (api/negotiation.py)."""

from __future__ import annotations

import pytest
from django.http import Http404
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from api.json_codec import ORJSONRenderer
from api.negotiation import JSONFirstNegotiation

ACCEPTS = [
    None,
    "",
    "*/*",
    "application/json",
    " application/json ",
    "application/json; indent=4",
    "application/json, text/plain, */*",
    "application/*",
    "text/html",
    "application/xml",
]
QUERIES = ["", "?format=json", "?format=xml", "?page=2"]


def _choice(negotiation, accept: str | None, query: str, suffix: str | None):
    extra = {"HTTP_ACCEPT": accept} if accept is not None else {}
    request = Request(APIRequestFactory().get(f"/api/v1/tenant/{query}", **extra))
    try:
        renderer, media_type = negotiation.select_renderer(request, [ORJSONRenderer()], suffix)
    except (NotAcceptable, Http404) as refusal:
        return type(refusal).__name__
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("suffix", [None, "json", "xml"])
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_shortcut_chooses_as_drf_would(accept, query, suffix):
    assert _choice(JSONFirstNegotiation(), accept, query, suffix) == _choice(
        DefaultContentNegotiation(), accept, query, suffix
    )


def test_the_api_negotiates_with_it():
    assert APIView.content_negotiation_class is JSONFirstNegotiation
    # The cases above include refusals and a media type with parameters, not only JSON.
    assert _choice(JSONFirstNegotiation(), "text/html", "", None) == "NotAcceptable"
    assert _choice(JSONFirstNegotiation(), "application/json; indent=4", "", None)[1] == (
        "application/json; indent=4"
    )
