"""The hot reads of an on-sale (seat map, showtimes) from the cache: no query on a hit,
and a 304 without a body for a client that already has the answer (`If-None-Match`)."""

from __future__ import annotations

import pytest
from django.conf import settings
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


def _seat_map_requests(alpha, programme, make_user, api):
    """(label, client, path, method, headers) over credentials, Accept values,
    validators, query strings and methods."""
    from tests.fixtures import obtain_tokens
    from venue_apps.accounts.models import Role

    show = programme["show"]
    path = f"/api/v1/shows/{show.pk}/seats/"
    customer = make_user(alpha, role=Role.CUSTOMER)
    access = obtain_tokens(api(alpha), customer.email)["access"]
    etag = api(alpha).get(path)["ETag"]
    cases = [
        ("plain", {}),
        ("any", {"HTTP_ACCEPT": "*/*"}),
        ("json", {"HTTP_ACCEPT": "application/json"}),
        ("html", {"HTTP_ACCEPT": "text/html"}),
        ("indent", {"HTTP_ACCEPT": "application/json; indent=4"}),
        ("etag", {"HTTP_IF_NONE_MATCH": etag}),
        ("other etag", {"HTTP_IF_NONE_MATCH": '"nope"'}),
        ("customer", {"HTTP_AUTHORIZATION": f"Bearer {access}"}),
        ("bad token", {"HTTP_AUTHORIZATION": "Bearer not-a-token"}),
        ("session", {"HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}=nonsense"}),
    ]
    requests = [(label, path, "get", headers) for label, headers in cases]
    requests += [
        ("query", path + "?format=json", "get", {}),
        ("other query", path + "?x=1", "get", {}),
        ("head", path, "head", {}),
        ("unknown show", "/api/v1/shows/999999/seats/", "get", {}),
    ]
    return requests


def _answer(client, path, method, headers):
    answer = getattr(client, method)(path, **headers)
    kept = {
        name: value for name, value in answer.items() if name not in {"X-Request-ID", "Set-Cookie"}
    }
    return answer.status_code, answer.content, kept


def test_the_seat_maps_shortcut_answers_as_drf_does(api, alpha, programme, make_user, monkeypatch):
    # A customer's plain read skips DRF (api.conditional.AnonymousReadShortcut); every
    # request, plain or not, must get the very answer DRF gives it.
    from rest_framework.views import APIView

    from api.shows.views import ShowSeatsView

    requests = _seat_map_requests(alpha, programme, make_user, api)
    through_drf: list[str] = []
    initial = APIView.initial

    def counted(view, request, *args, **kwargs):
        through_drf.append(request.path)
        return initial(view, request, *args, **kwargs)

    monkeypatch.setattr(APIView, "initial", counted)
    short = {label: _answer(api(alpha), path, m, h) for label, path, m, h in requests}
    drf_calls = len(through_drf)
    monkeypatch.setattr(ShowSeatsView, "shortcut", False)
    long = {label: _answer(api(alpha), path, m, h) for label, path, m, h in requests}

    for label in short:
        assert short[label] == long[label], label
    assert short["plain"][0] == 200 and short["etag"][0] == 304
    assert short["html"][0] == 406 and short["bad token"][0] == 401
    assert short["plain"][2]["Allow"] == "GET, HEAD, OPTIONS"
    # The plain reads took the shortcut: fewer requests reached DRF's initial steps.
    assert len(requests) - drf_calls >= 5
