"""The API's orjson renderer and parser answer the same bytes as DRF's JSONRenderer and
read what its JSONParser read: the contract (keys, number, decimal and datetime
formats, unescaped UTF-8) does not move."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ParseError
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from api.json_codec import ORJSONParser, ORJSONRenderer
from tests.fixtures import obtain_tokens

ODD = {
    "when": datetime(2026, 12, 5, 7, 30, 1, 123456, tzinfo=UTC),
    "naive": datetime(2026, 12, 5, 7, 30),
    "kolkata": datetime(2026, 12, 5, 7, 30, 0, 500, tzinfo=timezone(timedelta(hours=5.5))),
    "day": date(2026, 12, 5),
    "at": time(18, 0, 0, 250000),
    "price": Decimal("12.50"),
    "long": timedelta(hours=1, seconds=3),
    "id": UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("Screen"),
    "text": 'Śrī Rāma — 映画 \u2028 line \u2029 para "quoted" \\ tab\t',
    "numbers": [0, -1, 2**53, 1.5, 0.1, 0.0001, 123456789.125, 1e15, True, False, None],
    "nested": ReturnList([ReturnDict({"a": 1}, serializer=None)], serializer=None),
    "set_like": (1, 2),
    "int_keys": {"1": "one"},
    "bytes": b"raw",
}


@pytest.mark.parametrize("data", [ODD, [], {}, "x", 3, None, {1: "int key"}, [2**70]])
def test_the_same_bytes_as_drfs_renderer(data):
    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def test_floats_in_exponent_notation_are_the_same_number_written_shorter():
    """The one difference: floats below 1e-4 or from 1e16 (none in the API, whose
    amounts are integers) may be written otherwise (Python 1e-07, orjson 1e-7)."""
    import json

    data = [1e-7, 1e16, -2.5e-5]
    assert ORJSONRenderer().render(data) != JSONRenderer().render(data)
    assert json.loads(ORJSONRenderer().render(data)) == json.loads(JSONRenderer().render(data))


def test_an_indented_answer_is_drfs():
    media = "application/json; indent=2"
    assert ORJSONRenderer().render(ODD, media, {}) == JSONRenderer().render(ODD, media, {})


def test_the_parser_reads_what_drfs_read_and_refuses_what_it_refused():
    body = '{"seats":[1,2],"name":"Śrī","n":1.5,"nothing":null}'.encode()
    assert ORJSONParser().parse(io.BytesIO(body)) == {
        "seats": [1, 2],
        "name": "Śrī",
        "n": 1.5,
        "nothing": None,
    }
    for bad in (b"{", b"NaN", b'{"a": Infinity}', b"\xff"):
        with pytest.raises(ParseError):
            ORJSONParser().parse(io.BytesIO(bad))


@pytest.mark.django_db
def test_api_answers_are_byte_for_byte_drfs(api, alpha, make_user, programme):
    """A few endpoints' bodies, as served, against DRF's renderer on the same data."""
    from django_tenants.utils import schema_context

    from venue_apps.inventory.models import ShowSeat

    show = programme["show"]
    user = make_user(alpha)
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, user.email)['access']}")
    with schema_context(alpha.schema_name):
        seat = ShowSeat.objects.filter(show=show).order_by("id").values_list("id", flat=True)[0]

    answers = [
        client.post(f"/api/v1/shows/{show.pk}/holds/", {"seats": [seat]}, format="json"),
        client.post(f"/api/v1/shows/{show.pk}/holds/", {"seats": [seat]}, format="json"),
        client.get("/api/v1/me/"),
        client.get(f"/api/v1/shows/{show.pk}/"),
        client.get("/api/v1/venues/"),
        client.post(f"/api/v1/shows/{show.pk}/holds/", b"{", content_type="application/json"),
    ]

    assert [answer.status_code for answer in answers] == [201, 409, 200, 200, 200, 400]
    for answer in answers:
        assert answer.content == JSONRenderer().render(answer.data), answer.content
