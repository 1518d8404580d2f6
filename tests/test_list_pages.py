"""Pages of lists: bounded sizes, cache keys from known parameters only, and links that
no request can poison for the visitors after it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django_redis import get_redis_connection

from tests.fixtures import QueryLog
from venue_apps.accounts.models import Role

pytestmark = pytest.mark.django_db

BIGINT_PAST = "1034431820649911156736"  # found by schemathesis: LIMIT past bigint was a 500


def cached_list_keys(name: str) -> set[bytes]:
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    return set(get_redis_connection("default").scan_iter(f"*:{prefix}:*:{name}:*", count=1000))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/venues/",
        "/api/v1/auditoriums/",
        "/api/v1/titles/",
        "/api/v1/shows/",
        "/api/v1/price-cards/",
        "/api/v1/promo-codes/",
        "/api/v1/orders/",
        "/api/v1/staff/",
    ],
)
@pytest.mark.parametrize(
    "query, code",
    [
        ("limit=501", "limit_invalid"),
        (f"limit={BIGINT_PAST}", "limit_invalid"),
        ("limit=0", "limit_invalid"),
        ("limit=-1", "limit_invalid"),
        ("limit=ten", "limit_invalid"),
        (f"offset={BIGINT_PAST}", "offset_invalid"),
        ("offset=-1", "offset_invalid"),
        ("offset=1e3", "offset_invalid"),
    ],
)
def test_page_windows_out_of_range_are_400s_on_every_list(as_role, path, query, code):
    response = as_role(Role.OWNER).get(f"{path}?{query}")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]


def test_the_platform_list_of_chains_is_bounded_too(platform_client):
    assert platform_client.get("/api/platform/tenants/?limit=100").status_code == 200
    response = platform_client.get(f"/api/platform/tenants/?limit={BIGINT_PAST}")

    assert response.status_code == 400
    assert response.json()["code"] == "limit_invalid"


def test_a_page_holds_at_most_500_rows(as_role, programme):
    response = as_role(None).get("/api/v1/titles/?limit=500")

    assert response.status_code == 200
    assert response.json()["count"] == 2


@pytest.mark.parametrize(
    "path", ["/api/v1/venues/?limit=100", "/api/v1/titles/?limit=50", "/api/v1/shows/?limit=100"]
)
def test_the_storefronts_page_sizes_still_work(as_role, programme, path):
    response = as_role(None).get(path)

    assert response.status_code == 200
    assert len(response.json()["results"]) >= 1


def test_junk_parameters_neither_compute_again_nor_add_cache_entries(as_role, programme):
    client = as_role(None)
    assert client.get("/api/v1/titles/?language=hi&limit=50").status_code == 200
    keys = cached_list_keys("titles")
    assert len(keys) == 1

    with QueryLog(connection) as plain:
        first = client.get("/api/v1/titles/?language=hi&limit=50")
    with QueryLog(connection) as junk:
        responses = [
            client.get(f"/api/v1/titles/?language=hi&limit=50&junk={number}&x{number}=1")
            for number in range(5)
        ]
        # The same filters spelled differently, in another order.
        responses.append(client.get("/api/v1/titles/?limit=050&language=hi&coming_soon="))

    assert all(response.json() == first.json() for response in responses)
    # Served from the cache: no more queries a request than the cached plain answer.
    assert len(junk.statements) == len(plain.statements) * len(responses)
    assert cached_list_keys("titles") == keys


def test_the_shows_list_is_keyed_by_known_parameters_too(as_role, programme):
    client = as_role(None)
    client.get("/api/v1/shows/")
    keys = cached_list_keys("shows")

    for number in range(5):
        assert client.get(f"/api/v1/shows/?utm_source={number}").status_code == 200

    assert len(keys) == 1
    assert cached_list_keys("shows") == keys


def test_links_are_relative_and_carry_only_the_known_filters(as_role, programme):
    client = as_role(None)

    page = client.get("/api/v1/titles/?junk=%3Cscript%3E&language=en&limit=1").json()
    following = client.get(page["next"]).json()

    assert page["count"] == 2
    assert page["next"] == "/api/v1/titles/?language=en&limit=1&offset=1"
    assert page["previous"] is None
    assert following["next"] is None
    assert following["previous"] == "/api/v1/titles/?language=en&limit=1"
    both = {title["id"] for title in page["results"] + following["results"]}
    assert both == {programme["film"].pk, programme["play"].pk}


def test_a_foreign_port_in_the_host_cannot_change_what_others_get(api, alpha, programme):
    # An attacker asks first, through a Host header with a port of their choosing, so
    # that the page they caused to be cached is the one everybody else is served.
    poisoner = api(alpha)
    poisoned = poisoner.get("/api/v1/titles/?limit=1", HTTP_HOST="alpha.localhost:4444")
    visitor = api(alpha).get("/api/v1/titles/?limit=1")
    on_shows = api(alpha).get("/api/v1/shows/?limit=1", HTTP_HOST="alpha.localhost:4444")

    assert poisoned.status_code == visitor.status_code == on_shows.status_code == 200
    assert visitor.json()["next"] == "/api/v1/titles/?limit=1&offset=1"
    assert visitor.json() == poisoned.json()
    assert "4444" not in visitor.content.decode()
    assert "localhost" not in visitor.content.decode()


def test_uncached_lists_have_relative_links_too(as_role, programme):
    response = as_role(Role.MANAGER).get("/api/v1/titles/?limit=1")
    venues = as_role(Role.MANAGER).get("/api/v1/seat-categories/")

    assert response.json()["next"].startswith("/api/v1/titles/?")
    assert venues.status_code == 200
