"""The hot reads of an on-sale (seat map, showtimes) from the cache: no query on a hit,
and a 304 without a body for a client that already has the answer (`If-None-Match`)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.fixtures import QueryLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def hosts_cached(settings):
    # Production keeps host lookups per process; the test settings turn that off.
    settings.TENANT_HOST_CACHE_SECONDS = 60


def _paths(programme) -> list[str]:
    show = programme["show"]
    return [
        f"/api/v1/shows/{show.pk}/seats/",
        f"/api/v1/showtimes/?date={show.local_date.isoformat()}",
    ]


def test_a_cached_read_asks_the_database_nothing(api, alpha, programme, hosts_cached):
    client = api(alpha)
    for path in _paths(programme):
        first = client.get(path)
        with QueryLog(connection) as log:
            again = client.get(path)

        assert first.status_code == again.status_code == 200, path
        assert again.content == first.content
        assert log.statements == [], (path, log.statements)


def test_a_matching_etag_is_a_304_and_a_change_is_a_new_etag(
    api, alpha, programme, django_capture_on_commit_callbacks
):
    client = api(alpha)
    path = _paths(programme)[0]
    first = client.get(path)
    etag = first["ETag"]

    unchanged = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    assert unchanged.content == b""

    with django_capture_on_commit_callbacks(execute=True):  # the cache bump is on commit
        held = client.post(
            f"/api/v1/shows/{programme['show'].pk}/holds/",
            {"seats": [first.json()["seats"][0]["id"]]},
            format="json",
            HTTP_X_CART_ID="etag-cart-000000000001",
        )
    assert held.status_code == 201, held.content
    changed = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["version"] == first.json()["version"] + 1


def test_a_showtimes_etag_is_a_304(api, alpha, programme):
    client = api(alpha)
    path = _paths(programme)[1]
    etag = client.get(path)["ETag"]

    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
