"""Schemathesis against our own OpenAPI schemas: no request a client can send is a 5xx,
and every answer is one the schema documents: its status (status_code_conformance), its
Content-Type (content_type_conformance) and its body (response_schema_conformance), for
the examples that keep to the schema and for those that break it. The refusals are
documented too (api/schema.py), so none of these checks is left out.

Every operation of a chain's API (as a customer and as the owner) and of the platform's
API (as platform staff) is called with examples generated from the schema: valid ones,
and ones that break it (wrong types, missing fields, out-of-range numbers, odd strings).
Every other example's path names something that exists (a show on sale, a paid order,
its payment and tickets, a hold), so the code behind a found object is reached too.
Requests go through the WSGI application in this process, inside the test's database
transaction, so whatever they write is rolled back with it.

The run is bounded and deterministic, so the suite stays quick and every run sends the
same requests. For a longer, random search:

    SCHEMATHESIS_EXAMPLES=200 SCHEMATHESIS_RANDOM=1 .venv/bin/python -m pytest \\
        tests/test_schemathesis.py -q
"""

from __future__ import annotations

import contextlib
import json
import os

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.checkout import checkout, sandbox, seat_ids
from tests.fixtures import PASSWORD, PLATFORM_STAFF_EMAIL, obtain_tokens
from venue_apps.accounts.models import Role

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
RANDOM = os.environ.get("SCHEMATHESIS_RANDOM") == "1"
CHAIN_HOST = f"alpha.{settings.PLATFORM_DOMAIN}"
PLATFORM_HOST = settings.PLATFORM_DOMAIN


def openapi_of(urlconf: str) -> schemathesis.BaseSchema:
    """The schema drf-spectacular serves at /api/schema/ for that URL conf."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    generated = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))
    schema.app = get_wsgi_application()
    schema.config.generation.update(
        modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
        max_examples=MAX_EXAMPLES,
        deterministic=not RANDOM,
        database="none",
    )
    return schema


# Built when this module is collected (no database needed): one test per operation.
chain_schema = openapi_of("ticketing_platform.urls_tenant")
platform_schema = openapi_of("ticketing_platform.urls_public")

SETTINGS = hypothesis.settings(
    deadline=None,
    # Function-scoped fixtures (the signed-in accounts) are made once per operation.
    suppress_health_check=list(hypothesis.HealthCheck),
    print_blob=True,
)


@pytest.fixture
def generous_throttles(settings):
    # Throttles count in Redis across examples; here they would only make 429s.
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, "100000/min"),
    }


class RealIds:
    """Ids of things that exist at alpha, put into every other example's path."""

    def __init__(self, alpha, programme, customer_client) -> None:
        self.integers = {
            "/api/v1/auditoriums/": programme["auditorium"].pk,
            "/api/v1/price-cards/": programme["price_card"].pk,
            "/api/v1/shows/": programme["show"].pk,
            "/api/v1/titles/": programme["film"].pk,
            "/api/v1/venues/": programme["venue"].pk,
        }
        self.alpha, self.show, self.client = alpha, programme["show"], customer_client
        self.made: dict[str, str] | None = None
        self.turn = 0

    def booking(self) -> dict[str, str]:
        """A paid order with its payment and tickets, and another hold (on first use)."""
        if self.made is None:
            sold, held = (
                seat_ids(self.alpha.schema_name, self.show, labels) for labels in (["A1"], ["A2"])
            )
            order = checkout(self.client, self.show, sold)
            assert sandbox(self.client, order["payment"]["id"], "approve").status_code == 200
            tickets = self.client.get(f"/api/v1/orders/{order['id']}/tickets/").json()
            hold = self.client.post(
                f"/api/v1/shows/{self.show.pk}/holds/", {"seats": held}, format="json"
            )
            self.made = {
                "order_id": order["id"],
                "payment_id": order["payment"]["id"],
                "ticket_id": tickets[0]["id"],
                "hold_id": hold.json()["id"],
            }
        return self.made

    def put_into(self, case) -> None:
        self.turn += 1
        parameters = case.path_parameters
        if not parameters or self.turn % 2:
            return
        prefix = case.path.split("{", 1)[0]
        if "id" in parameters and prefix in self.integers:
            parameters["id"] = self.integers[prefix]
        for name in ("order_id", "payment_id", "ticket_id", "hold_id"):
            if name in parameters:
                parameters[name] = self.booking()[name]


@pytest.fixture
def customer_client(api, alpha, make_user, generous_throttles):
    client = api(alpha)
    user = make_user(alpha, role=Role.CUSTOMER)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, user.email)['access']}")
    return client


@pytest.fixture
def real_ids(alpha, programme, customer_client) -> RealIds:
    return RealIds(alpha, programme, customer_client)


@pytest.fixture
def owner_auth(api, alpha, make_user, generous_throttles) -> dict[str, str]:
    owner = make_user(alpha, role=Role.OWNER)
    return {"Authorization": f"Bearer {obtain_tokens(api(alpha), owner.email)['access']}"}


@pytest.fixture
def staff_auth(api, generous_throttles) -> dict[str, str]:
    access = obtain_tokens(api(), PLATFORM_STAFF_EMAIL, PASSWORD, platform=True)["access"]
    return {"Authorization": f"Bearer {access}"}


@contextlib.contextmanager
def on_the_test_transaction():
    """Django's WSGI handler closes old connections as each request starts and ends,
    which would close the test's transaction under it; Django's test client leaves them
    open, and so does this (around each call: the test client connects them again)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def call(case, host: str, authorization: str, real_ids: RealIds | None = None) -> None:
    if real_ids is not None:
        real_ids.put_into(case)
    with on_the_test_transaction():
        case.call_and_validate(
            base_url=f"http://{host}",
            headers={"Authorization": authorization},
            # Every check, for positive and negative examples alike: a 4xx is documented
            # with its error body, so nothing needs excluding.
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )


@pytest.mark.django_db
@chain_schema.parametrize()
@SETTINGS
def test_the_chain_api_as_a_customer(case, customer_client, real_ids):
    call(case, CHAIN_HOST, customer_client._credentials["HTTP_AUTHORIZATION"], real_ids)


@pytest.mark.django_db
@chain_schema.parametrize()
@SETTINGS
def test_the_chain_api_as_the_owner(case, owner_auth, real_ids):
    call(case, CHAIN_HOST, owner_auth["Authorization"], real_ids)


@pytest.mark.django_db
@platform_schema.parametrize()
@SETTINGS
def test_the_platform_api_as_platform_staff(case, staff_auth):
    call(case, PLATFORM_HOST, staff_auth["Authorization"])
