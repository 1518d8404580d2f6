"""Times in the venue's zone: shows, the showtime grid and the show of an order carry
the venue's IANA zone (and what the storefront shows with them); the declared response
serializers of the answers served as raw JSON match what is served."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django_tenants.utils import schema_context
from rest_framework import serializers

from api.orders.serializers import OrderShowOutput
from api.shows.serializers import SeatMapOutput, ShowOutput, ShowtimeGridOutput
from tests.checkout import checkout, seat_ids
from tests.fixtures import QueryLog
from tests.test_media import jpeg

pytestmark = pytest.mark.django_db


def unmatched(declared: serializers.BaseSerializer | serializers.Field, data: Any, at="") -> list:
    """Where `data` has keys the serializer does not declare, or lacks keys it does."""
    if isinstance(declared, serializers.ListSerializer):
        return [
            problem
            for index, item in enumerate(data)
            for problem in unmatched(declared.child, item, f"{at}[{index}]")
        ]
    if isinstance(declared, serializers.Serializer):
        fields = declared.fields
        problems = [f"{at}: {sorted(set(data) ^ set(fields))}"] if set(data) != set(fields) else []
        for name, field in fields.items():
            if name in data and data[name] is not None:
                problems += unmatched(field, data[name], f"{at}.{name}")
        return problems
    return []


@pytest.fixture
def poster(settings, tmp_path, programme, alpha) -> str:
    settings.MEDIA_ROOT = tmp_path
    with schema_context(alpha.schema_name):
        programme["film"].poster.save("heist.jpg", ContentFile(jpeg()))
    return "/media/" + programme["film"].poster.name


def test_shows_carry_the_venue_zone_title_kind_and_poster(api, alpha, programme, poster):
    show = programme["show"]

    listed = api(alpha).get("/api/v1/shows/").json()["results"][0]
    detail = api(alpha).get(f"/api/v1/shows/{show.pk}/").json()

    for body in (listed, detail):
        assert body["venue_timezone"] == "Asia/Kolkata"
        assert body["title_name"] == "The Monsoon Heist"
        assert body["title_kind"] == "film"
        assert body["poster"] == poster
        assert body["starts_at"].endswith("+05:30")
    assert unmatched(ShowOutput(), detail) == []


def test_the_show_list_still_takes_three_queries(api, alpha, programme, poster):
    client = api(alpha)
    with QueryLog(connection) as log:
        client.get("/api/v1/shows/")

    assert len(log.statements) == 3, log.statements


def test_showtime_grid_venues_carry_their_zone(api, alpha, programme, poster):
    day = programme["show"].local_date.isoformat()

    body = api(alpha).get(f"/api/v1/showtimes/?date={day}").json()

    (title,) = body["titles"]
    assert title["poster"] == poster
    (venue,) = title["venues"]
    assert venue["timezone"] == "Asia/Kolkata"
    assert venue["shows"][0]["starts_at"].endswith("+05:30")
    assert unmatched(ShowtimeGridOutput(), body) == []


def test_seat_map_matches_its_declared_serializer(api, alpha, programme):
    body = api(alpha).get(f"/api/v1/shows/{programme['show'].pk}/seats/").json()

    assert unmatched(SeatMapOutput(), body) == []


def test_an_orders_show_has_what_its_page_needs(alpha, programme, customer, poster):
    _, client = customer
    show = programme["show"]
    created = checkout(client, show, seat_ids(alpha.schema_name, show, ["A1"]))

    listed = client.get("/api/v1/orders/").json()["results"][0]["show"]
    detail = client.get(f"/api/v1/orders/{created['id']}/").json()["show"]

    assert created["show"] == listed == detail
    assert detail["venue_timezone"] == "Asia/Kolkata"
    assert detail["format"] == "2d"
    assert detail["title_kind"] == "film"
    assert detail["poster"] == poster
    assert detail["starts_at"].endswith("+05:30")
    assert detail["ends_at"].endswith("+05:30")
    assert detail["ends_at"] > detail["starts_at"]
    assert unmatched(OrderShowOutput(), detail) == []
