"""Tenant resolution over HTTP: isolation, suspension, unknown hosts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tests.fixtures import PASSWORD, QueryLog, obtain_tokens
from venue_apps.accounts.models import User
from venue_apps.accounts.selectors import user_find_by_email

pytestmark = pytest.mark.django_db


def register(client, email: str, name: str = "Asha") -> dict:
    response = client.post(
        "/api/v1/auth/register/",
        {"email": email, "password": PASSWORD, "name": name},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_account_created_in_a_is_invisible_from_b_over_http(api, alpha, beta):
    register(api(alpha), "asha@example.com")

    refused = api(beta).post(
        "/api/v1/auth/token/", {"email": "asha@example.com", "password": PASSWORD}, format="json"
    )

    assert refused.status_code == 401
    assert refused.json()["code"] == "no_active_account"
    assert obtain_tokens(api(alpha), "asha@example.com")["access"]


def test_account_created_in_a_is_invisible_from_b_in_services(api, alpha, beta):
    register(api(alpha), "ravi@example.com")

    with schema_context(beta.schema_name):
        assert user_find_by_email("ravi@example.com") is None
        assert not User.objects.filter(email="ravi@example.com").exists()
    with schema_context(alpha.schema_name):
        assert user_find_by_email("RAVI@example.com").email == "ravi@example.com"
    # And the public schema (platform staff) never received it either.
    connection.set_schema_to_public()
    assert not User.objects.filter(email="ravi@example.com").exists()


def test_same_email_registers_independently_with_two_chains(api, alpha, beta):
    first = register(api(alpha), "twice@example.com", name="At Alpha")
    second = register(api(beta), "twice@example.com", name="At Beta")

    assert first["name"] == "At Alpha"
    assert second["name"] == "At Beta"


def test_me_names_the_tenant_of_the_host(api, alpha, make_user):
    user = make_user(alpha)
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, user.email)['access']}")

    body = client.get("/api/v1/me/").json()

    assert body["email"] == user.email
    assert body["role"] == "customer"
    assert body["tenant"]["slug"] == "alpha"
    assert body["tenant"]["currency"] == "INR"


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/me/"),
        ("get", "/api/v1/tenant/"),
        ("post", "/api/v1/auth/token/"),
        ("post", "/api/v1/auth/register/"),
        ("get", "/api/docs/"),
        ("get", "/api/schema/"),
        ("get", "/dashboard/"),
        ("get", "/no/such/page/"),
    ],
)
def test_suspended_tenant_gets_403_on_every_url(api, frozen, method, path):
    response = getattr(api(frozen), method)(path)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Frozen Films is suspended on this platform.",
        "code": "tenant_suspended",
    }


def test_suspended_tenant_schema_is_never_touched(api, frozen):
    with CaptureQueriesContext(connection) as captured:
        api(frozen).get("/api/v1/me/")

    statements = [query["sql"] for query in captured.captured_queries]
    # Only the host lookup, on the public schema; the chain's schema is never entered.
    assert [s for s in statements if "search_path" in s] in ([], ['SET search_path = "public"'])
    assert [s for s in statements if "search_path" not in s] == [
        next(s for s in statements if "tenants_domain" in s)
    ]


def test_unknown_host_gets_404(api):
    from rest_framework.test import APIClient

    response = APIClient(HTTP_HOST="nobody.localhost").get("/api/v1/tenant/")

    assert response.status_code == 404
    assert response.json()["code"] == "tenant_not_found"


def test_tenant_endpoint_serves_branding(api, alpha):
    body = api(alpha).get("/api/v1/tenant/").json()

    assert body["slug"] == "alpha"
    assert body["display_name"] == "Alpha Cinemas"
    assert body["timezone"] == "Asia/Kolkata"


def test_platform_api_is_not_served_on_tenant_hosts(api, alpha, platform_client):
    assert api(alpha).get("/api/platform/tenants/").status_code == 404


def test_tenant_api_is_not_served_on_the_apex(api):
    assert api().get("/api/v1/me/").status_code == 404


def test_healthz_answers_on_any_host(api):
    from rest_framework.test import APIClient

    response = APIClient(HTTP_HOST="10.0.0.7").get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_cached_host_answers_need_no_query_and_a_suspension_clears_them(
    api, alpha, platform_client, settings, django_capture_on_commit_callbacks
):
    from tenants.selectors import host_cache

    settings.TENANT_HOST_CACHE_SECONDS = 30
    host_cache.clear()
    client = api(alpha)
    assert client.get("/api/v1/tenant/").status_code == 200  # fills the cache

    with QueryLog(connection) as log:
        assert client.get("/api/v1/tenant/").status_code == 200
    assert not [sql for sql in log.statements if "tenants_domain" in sql]

    with django_capture_on_commit_callbacks(execute=True):
        platform_client.patch(
            "/api/platform/tenants/alpha/", {"status": "suspended"}, format="json"
        )
    assert client.get("/api/v1/tenant/").status_code == 403
    host_cache.clear()


BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.parametrize("path", ["/", "/titles/3", "/orders", "/dashboard/", "/no/such/page"])
def test_a_browser_at_a_suspended_chain_gets_its_branded_page(api, frozen, path):
    type(frozen).objects.filter(pk=frozen.pk).update(
        primary_colour="#0c4a6e", accent_colour="#facc15", locale="en-GB"
    )

    response = api(frozen).get(path, **BROWSER)

    html = response.content.decode()
    assert response.status_code == 403
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="en-GB">' in html
    assert "<title>Frozen Films is temporarily unavailable</title>" in html
    assert "Bookings already made are safe" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "background: #0c4a6e; color: #ffffff;" in html
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "<script" not in html


@pytest.mark.parametrize(
    "path, accept",
    [
        ("/api/v1/tenant/", BROWSER["HTTP_ACCEPT"]),
        ("/ws/shows/1/seats/", BROWSER["HTTP_ACCEPT"]),
        ("/", "application/json"),
        ("/", "*/*"),
        ("/", ""),
    ],
)
def test_api_clients_at_a_suspended_chain_still_get_json(api, frozen, path, accept):
    response = api(frozen).get(path, HTTP_ACCEPT=accept)

    assert response.status_code == 403
    assert response.json()["code"] == "tenant_suspended"


def test_the_suspended_page_never_enters_the_chains_schema(api, frozen):
    with CaptureQueriesContext(connection) as captured:
        api(frozen).get("/", **BROWSER)

    statements = [query["sql"] for query in captured.captured_queries]
    assert [s for s in statements if "search_path" not in s] == [
        next(s for s in statements if "tenants_domain" in s)
    ]
    assert [s for s in statements if "search_path" in s] in ([], ['SET search_path = "public"'])


def test_a_suspended_chains_name_is_escaped_on_its_page(api, frozen):
    type(frozen).objects.filter(pk=frozen.pk).update(display_name="<b>Frozen</b> & Co")

    html = api(frozen).get("/", **BROWSER).content.decode()

    assert "<b>Frozen</b>" not in html
    assert "&lt;b&gt;Frozen&lt;/b&gt; &amp; Co is temporarily unavailable" in html


def test_a_browser_at_an_unknown_host_gets_a_plain_404_page():
    from rest_framework.test import APIClient

    client = APIClient(HTTP_HOST="nobody.localhost")

    page = client.get("/", **BROWSER)
    api_answer = client.get("/api/v1/tenant/", **BROWSER)

    assert page.status_code == 404
    assert "No cinema or theatre is served at this address" in page.content.decode()
    assert '<meta name="robots" content="noindex">' in page.content.decode()
    assert api_answer.json()["code"] == "tenant_not_found"
