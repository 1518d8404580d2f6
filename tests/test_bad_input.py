"""Bad input is a clear 4xx with `{detail, code}`, on every endpoint, never a 500."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tests.fixtures import QueryLog
from venue_apps.accounts.models import Role
from venue_apps.catalog.models import Title

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


def signed_in(alpha, make_user, role=Role.OWNER) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    with schema_context(alpha.schema_name):
        client.force_login(make_user(alpha, role=role))
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orders/?status=%00",
        "/api/v1/orders/?q=a%00b",
        "/api/v1/oauth-clients/%00/",
        "/api/v1/titles/?q=a%00b",
        "/api/v1/titles/?a%00b=1",
        "/api/v1/shows/1%00/",
        "/api/v1/payment-accounts/stripe%00/",
        "/titles/%00",
        "/dashboard/orders/order/?q=%00",
    ],
)
def test_a_nul_byte_in_the_address_is_a_400_before_anything_runs(as_role, path):
    client = as_role(Role.OWNER)

    with QueryLog(connection) as queries:
        response = client.get(path)

    assert response.status_code == 400, response.content
    assert response.json() == {
        "detail": "The address contains a NUL character (%00).",
        "code": "nul_character",
    }
    assert queries.captured_queries == []  # not even the host was looked up


def test_a_browser_asking_for_a_nul_byte_gets_a_400_page(api, alpha):
    response = api(alpha).get("/caf%C3%A9/%00/..%2F..%2Fetc%2Fpasswd", **BROWSER)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_nul_byte_on_the_platform_host_is_a_400(platform_client):
    response = platform_client.get("/api/platform/tenants/al%00pha/")

    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/shows/show/?status=%00",
        "/dashboard/shows/show/?q=%00",
        "/dashboard/orders/order/?status__exact=%00",
        "/dashboard/catalog/title/?q=a%00",
    ],
)
def test_a_nul_byte_in_the_dashboards_list_filters_is_a_400(alpha, make_user, path):
    response = signed_in(alpha, make_user).get(path)

    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


@pytest.mark.parametrize(
    "query",
    [
        "starts_at__year=99999999999",
        "starts_at__year=9999",
        "starts_at__year=9999&starts_at__month=12",
        "starts_at__year=9999&starts_at__month=12&starts_at__day=31",
    ],
)
def test_a_date_hierarchy_out_of_the_calendar_is_a_400(alpha, make_user, query):
    response = signed_in(alpha, make_user).get(f"/dashboard/shows/show/?{query}")

    assert response.status_code == 400
    assert response.json() == {"detail": "That date is out of range.", "code": "date_out_of_range"}


def test_a_browser_gets_a_page_for_a_date_out_of_range(alpha, make_user):
    client = signed_in(alpha, make_user)

    refused = client.get("/dashboard/shows/show/?starts_at__year=99999999999", **BROWSER)
    fine = client.get("/dashboard/shows/show/?starts_at__year=2026", **BROWSER)

    assert refused.status_code == 400
    assert refused["Content-Type"].startswith("text/html")
    assert fine.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "orders/order/?created_at__year=99999999999",
        "payments/ledgerentry/?created_at__year=9999&created_at__month=12",
        "tickets/checkin/?created_at__year=99999999999",
        # Not a date hierarchy: Django allows lookups on any of a model's own fields.
        "payments/payment/?created_at__year=99999999999",
        "shows/show/?local_date__year=10000",
        "accounts/user/?date_joined__year=99999999999",
    ],
)
def test_any_year_lookup_out_of_the_calendar_is_a_400(alpha, make_user, path):
    response = signed_in(alpha, make_user).get(f"/dashboard/{path}")

    assert response.status_code == 400
    assert response.json()["code"] == "date_out_of_range"


def test_every_model_of_both_dashboards_lists_with_the_bounded_change_list(rf):
    from dashboards.sites import BoundedChangeList, platform_console, tenant_dashboard

    for site in (platform_console, tenant_dashboard):
        for model, model_admin in site._registry.items():
            assert model_admin.get_changelist(rf.get("/")) is BoundedChangeList, model


@pytest.mark.parametrize(
    "host, path",
    [
        ("alpha.localhost", "/api/v1/nothing-here/"),
        ("alpha.localhost", "/api/nothing"),
        ("alpha.localhost", "/api/v1/shows/1/nothing/"),
        ("localhost", "/api/platform/nothing/"),
        ("localhost", "/api/v1/titles/"),  # a chain's API is not on the platform's host
    ],
)
def test_paths_with_no_route_on_api_paths_are_json_404s(host, path):
    response = Client(HTTP_HOST=host).get(path, **BROWSER)

    assert response.status_code == 404
    assert response.json() == {"detail": f"Nothing is at {path}.", "code": "not_found"}


def test_a_browser_opening_a_missing_dashboard_page_still_gets_a_page(alpha, make_user):
    response = signed_in(alpha, make_user).get("/dashboard/nothing/here/", **BROWSER)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_oversized_json_body_is_a_413_before_it_is_read(api, alpha):
    body = json.dumps({"email": "x@example.com", "password": "p" * (3 * 1024 * 1024)})

    with QueryLog(connection) as queries:
        response = api(alpha).post("/api/v1/auth/token/", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is too large.",
        "code": "request_too_large",
    }
    assert queries.captured_queries == []


def test_an_oversized_webhook_is_a_413_in_json(api, alpha):
    response = api(alpha).post(
        "/api/v1/payments/webhooks/stripe/",
        b"{" + b" " * (3 * 1024 * 1024) + b"}",
        content_type="application/json",
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_an_oversized_upload_is_a_413_and_imports_nothing(manager, alpha):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = b"name,kind,runtime_minutes\n" + b"Film,film,90\n" * (500 * 1024)

    response = manager.post(
        "/api/v1/imports/titles/", {"file": SimpleUploadedFile("t.csv", big)}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    with schema_context(alpha.schema_name):
        assert not Title.objects.exists()


def test_a_form_field_too_large_for_django_is_a_413_in_json(manager):
    # Within the API's bound for uploads, but a plain field over Django's own limit
    # (DATA_UPLOAD_MAX_MEMORY_SIZE): Django refuses it while parsing, and the answer on
    # an API path is the same JSON (it was Django's HTML "Bad Request (400)").
    response = manager.post(
        "/api/v1/imports/titles/", {"note": "x" * (3 * 1024 * 1024)}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_body_of_ordinary_size_is_read_as_before(api, alpha, make_user):
    user = make_user(alpha)
    body = {"email": user.email, "password": "wrong password", "padding": "x" * 1024 * 1024}

    response = api(alpha).post("/api/v1/auth/token/", body, format="json")

    assert response.status_code == 401


def test_the_platform_console_refuses_it_too(staff_console):
    response = staff_console.get("/console/tenants/platformauditlog/?created_at__year=99999999999")

    assert response.status_code == 400
    assert response.json()["code"] == "date_out_of_range"


@pytest.fixture
def staff_console(db) -> Client:
    from tests.fixtures import PLATFORM_STAFF_EMAIL
    from venue_apps.accounts.models import User

    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    client.force_login(User.objects.get(email=PLATFORM_STAFF_EMAIL))
    return client
