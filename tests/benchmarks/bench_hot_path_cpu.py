"""CPU per request of the hold path, in process, old way against new in the same run.

Not collected by the test suite (its name does not start with `test_`); run it on its
own against the test database:

    source .local/env && .venv/bin/pytest -q -s -p no:cacheprovider \\
        tests/benchmarks/bench_hot_path_cpu.py

It prints, per variant, the CPU time (time.process_time: this process alone, so other
work on the machine barely moves it) and wall time per request over `ROUNDS` requests,
alternating the variants in blocks so drifts hit both alike:

- authentication of a bearer token: the database path (the account's row and the
  deny list, as before accounts.revocations) against the trusted token;
- a whole hold request through the Django test client (a refused hold, 409, the
  commonest answer of an on-sale, so every round does the same work), both ways;
- the hold view with DRF's content negotiation, and without.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django_redis import get_redis_connection
from django_tenants.utils import schema_context
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.authentication import TenantJWTAuthentication
from tests.fixtures import host_of, obtain_tokens
from venue_apps.accounts import revocations

pytestmark = pytest.mark.django_db
ROUNDS = 400
BLOCK = 50


def _compare(variants: dict[str, Callable[[], object]], rounds: int = ROUNDS) -> None:
    cpu = dict.fromkeys(variants, 0.0)
    wall = dict.fromkeys(variants, 0.0)
    for run in variants.values():  # warm
        for _ in range(20):
            run()
    for _ in range(rounds // BLOCK):
        for name, run in variants.items():
            started_cpu, started = time.process_time(), time.perf_counter()
            for _ in range(BLOCK):
                run()
            cpu[name] += time.process_time() - started_cpu
            wall[name] += time.perf_counter() - started
    first = next(iter(variants))
    for name in variants:
        print(
            f"  {name:<34} cpu {cpu[name] / rounds * 1000:6.3f} ms/req"
            f"  wall {wall[name] / rounds * 1000:6.3f} ms/req"
            f"  cpu ratio {cpu[name] / cpu[first]:.2f}"
        )


@pytest.fixture
def started(alpha):
    revocations.forget_copies()
    with schema_context(alpha.schema_name):
        get_redis_connection("default").hset(
            cache.make_key("accounts:revoked"), mapping={"since": "0", "v": "1"}
        )


def test_authentication(api, alpha, make_user, started):
    user = make_user(alpha)
    access = obtain_tokens(api(alpha), user.email)["access"]
    factory = APIRequestFactory()

    def authenticate():
        request = factory.post("/", HTTP_HOST=host_of(alpha), HTTP_AUTHORIZATION=f"Bearer {access}")
        return TenantJWTAuthentication().authenticate(Request(request))

    def database():
        with mock.patch("api.authentication.revocation_state", return_value=None):
            return authenticate()

    with schema_context(alpha.schema_name):
        print("\nauthentication step")
        _compare({"database (before)": database, "token + Redis copy (after)": authenticate})


def test_hold_request(api, alpha, make_user, programme, started):
    from venue_apps.inventory.models import ShowSeat

    show = programme["show"]
    owner, other = make_user(alpha), make_user(alpha)
    with schema_context(alpha.schema_name):
        seat = ShowSeat.objects.filter(show=show).order_by("id").values_list("id", flat=True)[0]
    first = api(alpha)
    first.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(first, owner.email)['access']}")
    assert (
        first.post(f"/api/v1/shows/{show.pk}/holds/", {"seats": [seat]}, format="json").status_code
        == 201
    )
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, other.email)['access']}")
    path, body = f"/api/v1/shows/{show.pk}/holds/", {"seats": [seat]}

    def hold():
        answer = client.post(path, body, format="json")
        assert answer.status_code == 409, answer.content

    def hold_database():
        with mock.patch("api.authentication.revocation_state", return_value=None):
            hold()

    from rest_framework.parsers import JSONParser
    from rest_framework.renderers import JSONRenderer

    from api.inventory.views import HoldCreateView

    def hold_stock_json():
        with (
            mock.patch.object(HoldCreateView, "renderer_classes", [JSONRenderer]),
            mock.patch.object(HoldCreateView, "parser_classes", [JSONParser]),
        ):
            hold()

    def hold_no_negotiation():
        def fixed(self, request, force=False):
            renderer = self.renderer_classes[0]()
            return renderer, renderer.media_type

        with mock.patch.object(HoldCreateView, "perform_content_negotiation", fixed):
            hold()

    # The throttles stay on (they are part of the path), at rates this never reaches.
    rates = {"hold_client": "100000/min", "hold_address": "100000/min"}
    framework = settings.REST_FRAMEWORK
    with override_settings(
        REST_FRAMEWORK={
            **framework,
            "DEFAULT_THROTTLE_RATES": {**framework["DEFAULT_THROTTLE_RATES"], **rates},
        }
    ):
        print("\nhold request (409), whole request through the test client")
        _compare({"database auth (before)": hold_database, "token auth (after)": hold})
        print("\nhold request (409): DRF's JSON against orjson; content negotiation")
        _compare(
            {
                "stock JSON renderer+parser": hold_stock_json,
                "orjson renderer+parser": hold,
                "orjson, no negotiation": hold_no_negotiation,
            }
        )


def test_rendering():
    """The renderers alone, on a seat map sized answer (400 seats) and a hold's."""
    from datetime import UTC, datetime

    from rest_framework.renderers import JSONRenderer

    from api.json_codec import ORJSONRenderer

    seats = [
        {
            "id": 1000 + n,
            "label": f"{chr(65 + n // 20)}{n % 20 + 1}",
            "x": n % 20,
            "y": n // 20,
            "category": "gold",
            "status": "available",
            "price": 45000,
        }
        for n in range(400)
    ]
    big = {"show": 7, "seats": seats, "at": datetime(2026, 12, 5, 18, tzinfo=UTC)}
    hold = {"id": "a" * 32, "show": 7, "seats": seats[:4], "expires_at": datetime.now(UTC)}
    stock, fast = JSONRenderer(), ORJSONRenderer()
    for name, data in (("400-seat map", big), ("hold answer", hold)):
        print(f"\nrendering a {name}")
        _compare(
            {
                "DRF JSONRenderer": lambda data=data: stock.render(data),
                "orjson": lambda data=data: fast.render(data),
            },
            rounds=2000,
        )
