"""The platform API: onboarding, listing, reading, suspending and resuming chains."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.models import Domain, PlatformAuditLog, Tenant
from tests.fixtures import PASSWORD, QueryLog, obtain_tokens

pytestmark = pytest.mark.django_db

ONBOARD = {
    "name": "Comet Cinemas",
    "slug": "comet",
    "owner_email": "boss@comet.test",
    "owner_password": PASSWORD,
    "currency": "usd",
    "timezone": "America/New_York",
}


def test_onboarding_creates_a_working_tenant(platform_client, api):
    response = platform_client.post("/api/platform/tenants/", ONBOARD, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "comet"
    assert body["domain"] == "comet.localhost"
    assert body["currency"] == "USD"
    assert body["status"] == "active"
    assert schema_exists("comet")
    connection.set_schema_to_public()
    assert PlatformAuditLog.objects.filter(tenant__slug="comet", action="tenant_onboarded").exists()

    comet = Tenant.objects.get(slug="comet")
    owner_tokens = obtain_tokens(api(comet), "boss@comet.test")
    client = api(comet)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_tokens['access']}")
    me = client.get("/api/v1/me/").json()
    assert me["role"] == "owner"
    assert me["tenant"]["timezone"] == "America/New_York"
    registered = api(comet).post(
        "/api/v1/auth/register/", {"email": "fan@example.com", "password": PASSWORD}, format="json"
    )
    assert registered.status_code == 201


def test_onboarding_accepts_branding(platform_client):
    payload = {**ONBOARD, "display_name": "Comet", "primary_colour": "#112233"}

    body = platform_client.post("/api/platform/tenants/", payload, format="json").json()

    assert body["display_name"] == "Comet"
    assert body["primary_colour"] == "#112233"


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"slug": "Bad Slug"}, 400, "slug_invalid"),
        ({"slug": "ab"}, 400, "slug_invalid"),
        ({"slug": "www"}, 400, "slug_reserved"),
        ({"slug": "alpha"}, 409, "slug_taken"),
        ({"timezone": "Mars/Olympus"}, 400, "timezone_invalid"),
        ({"timezone": "localtime"}, 400, "timezone_invalid"),
        ({"currency": "R$"}, 400, "currency_invalid"),
        ({"currency": "ZZZ"}, 400, "currency_invalid"),
        ({"currency": "XTS"}, 400, "currency_invalid"),
        ({"owner_password": "123"}, 400, "owner_invalid"),
        ({"owner_email": "nope"}, 400, "invalid"),
        ({"primary_colour": "red"}, 400, "invalid"),
        ({"locale": "english"}, 400, "locale_invalid"),
        ({"locale": "en-IN-x-private"}, 400, "locale_invalid"),
        ({"storefront_style": "neon"}, 400, "invalid_choice"),
    ],
)
def test_bad_onboarding_is_refused_with_a_reason_and_leaves_nothing(
    platform_client, change, status, code
):
    tenants_before = Tenant.objects.count()
    domains_before = Domain.objects.count()

    response = platform_client.post("/api/platform/tenants/", {**ONBOARD, **change}, format="json")

    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert response.json()["detail"]
    connection.set_schema_to_public()
    assert Tenant.objects.count() == tenants_before
    assert Domain.objects.count() == domains_before
    assert not schema_exists("comet")


def test_onboarding_takes_a_locale_and_the_chain_serves_it(platform_client, api):
    response = platform_client.post(
        "/api/platform/tenants/", {**ONBOARD, "locale": "en-us"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["locale"] == "en-US"  # canonical case
    comet = Tenant.objects.get(slug="comet")
    assert api(comet).get("/api/v1/tenant/").json()["locale"] == "en-US"


def test_onboarding_without_a_locale_gives_en(platform_client):
    body = platform_client.post("/api/platform/tenants/", ONBOARD, format="json").json()

    assert body["locale"] == "en"


def test_onboarding_takes_a_storefront_style_and_the_chain_serves_it(platform_client, api):
    response = platform_client.post(
        "/api/platform/tenants/", {**ONBOARD, "storefront_style": "classic"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["storefront_style"] == "classic"
    comet = Tenant.objects.get(slug="comet")
    assert api(comet).get("/api/v1/tenant/").json()["storefront_style"] == "classic"


def test_onboarding_without_a_storefront_style_gives_light(platform_client):
    body = platform_client.post("/api/platform/tenants/", ONBOARD, format="json").json()

    assert body["storefront_style"] == "light"


def test_patch_changes_the_storefront_style_and_audits_it(platform_client, api, alpha):
    response = platform_client.patch(
        "/api/platform/tenants/alpha/", {"storefront_style": "cinema"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["storefront_style"] == "cinema"
    assert response.json()["locale"] == "en"
    assert api(alpha).get("/api/v1/tenant/").json()["storefront_style"] == "cinema"
    audit = PlatformAuditLog.objects.get(tenant=alpha, action="tenant_updated")
    assert (audit.old_values, audit.new_values) == (
        {"storefront_style": "light"},
        {"storefront_style": "cinema"},
    )
    assert audit.actor_email == "staff@platform.test"


def test_patch_changes_the_locale_and_the_style_in_one_audit_row(platform_client, alpha):
    response = platform_client.patch(
        "/api/platform/tenants/alpha/",
        {"locale": "en-GB", "storefront_style": "classic"},
        format="json",
    )

    assert response.status_code == 200, response.content
    audit = PlatformAuditLog.objects.get(tenant=alpha, action="tenant_updated")
    assert (audit.old_values, audit.new_values) == (
        {"locale": "en", "storefront_style": "light"},
        {"locale": "en-GB", "storefront_style": "classic"},
    )


def test_patch_changes_the_locale_and_audits_it(platform_client, api, alpha):
    response = platform_client.patch(
        "/api/platform/tenants/alpha/", {"locale": "hi_IN"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["locale"] == "hi-IN"
    assert response.json()["status"] == "active"
    assert api(alpha).get("/api/v1/tenant/").json()["locale"] == "hi-IN"
    audit = PlatformAuditLog.objects.get(tenant=alpha, action="tenant_updated")
    assert (audit.old_values, audit.new_values) == ({"locale": "en"}, {"locale": "hi-IN"})
    assert audit.actor_email == "staff@platform.test"


@pytest.mark.parametrize(
    "body, code",
    [
        # A bad locale refuses the whole change, the suspension with it.
        ({"locale": "klingon!", "status": "suspended"}, "locale_invalid"),
        ({"locale": "hi-IN", "status": "closed"}, "invalid_choice"),
        ({"storefront_style": "neon", "status": "suspended"}, "invalid_choice"),
        ({"storefront_style": "cinema", "locale": "klingon!"}, "locale_invalid"),
        ({}, "nothing_to_change"),
        ({"reason": "only a reason"}, "nothing_to_change"),
    ],
)
def test_a_bad_patch_changes_nothing(platform_client, alpha, body, code):
    response = platform_client.patch("/api/platform/tenants/alpha/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    alpha.refresh_from_db()
    assert (alpha.locale, alpha.status, alpha.storefront_style) == ("en", "active", "light")
    assert not PlatformAuditLog.objects.filter(
        tenant=alpha, action__in=["tenant_updated", "tenant_suspended"]
    ).exists()


def test_onboarding_stores_the_zone_in_its_iana_spelling(platform_client):
    response = platform_client.post(
        "/api/platform/tenants/", {**ONBOARD, "timezone": "america/new_york"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["timezone"] == "America/New_York"


def test_patch_changes_the_currency_and_the_zone_of_a_chain_that_sold_nothing(
    platform_client, api, alpha
):
    response = platform_client.patch(
        "/api/platform/tenants/alpha/",
        {"currency": "eur", "timezone": "Europe/Dublin"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert (response.json()["currency"], response.json()["timezone"]) == ("EUR", "Europe/Dublin")
    assert api(alpha).get("/api/v1/tenant/").json()["currency"] == "EUR"
    audit = PlatformAuditLog.objects.get(tenant=alpha, action="tenant_updated")
    assert (audit.old_values, audit.new_values) == (
        {"currency": "INR", "timezone": "Asia/Kolkata"},
        {"currency": "EUR", "timezone": "Europe/Dublin"},
    )


@pytest.mark.parametrize(
    "body, code",
    [
        ({"currency": "ZZZ", "status": "suspended"}, "currency_invalid"),
        ({"timezone": "Mars/Olympus", "locale": "hi-IN"}, "timezone_invalid"),
    ],
)
def test_patch_refuses_an_unreal_currency_or_zone_and_changes_nothing(
    platform_client, alpha, body, code
):
    response = platform_client.patch("/api/platform/tenants/alpha/", body, format="json")

    assert (response.status_code, response.json()["code"]) == (400, code)
    alpha.refresh_from_db()
    assert (alpha.currency, alpha.timezone, alpha.locale, alpha.status) == (
        "INR",
        "Asia/Kolkata",
        "en",
        "active",
    )
    assert not PlatformAuditLog.objects.filter(
        tenant=alpha, action__in=["tenant_updated", "tenant_suspended"]
    ).exists()


def test_patch_refuses_a_new_currency_once_the_chain_has_sold(
    platform_client, alpha, programme, customer
):
    from tests.checkout import checkout, seat_ids

    _, client = customer
    show = programme["show"]
    checkout(client, show, seat_ids(alpha.schema_name, show, ["A1"]))

    response = platform_client.patch(
        "/api/platform/tenants/alpha/",
        {"currency": "EUR", "status": "suspended", "reason": "Moving to Ireland"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "currency_locked",
        "detail": "Alpha Cinemas has orders or payments in INR, so its currency can no "
        "longer change.",
    }
    connection.set_schema_to_public()
    alpha.refresh_from_db()
    assert (alpha.currency, alpha.status) == ("INR", "active")
    assert not PlatformAuditLog.objects.filter(
        tenant=alpha, action__in=["tenant_updated", "tenant_suspended"]
    ).exists()


def test_list_shows_chains_but_not_the_platform(platform_client):
    with QueryLog(connection) as log:
        body = platform_client.get("/api/platform/tenants/").json()

    # Host, the token's session (not signed out), user, count, page of tenants, their
    # domains: no query per tenant.
    assert len(log.statements) == 6, log.statements
    slugs = [tenant["slug"] for tenant in body["results"]]
    assert {"alpha", "beta", "frozen"} <= set(slugs)
    assert "public" not in slugs
    assert all(tenant["domain"] for tenant in body["results"])


def test_read_one_chain(platform_client):
    body = platform_client.get("/api/platform/tenants/beta/").json()

    assert body["name"] == "Beta Theatres"
    assert body["domains"][0]["domain"] == "beta.localhost"


def test_unknown_chain_is_404_with_a_reason(platform_client):
    response = platform_client.get("/api/platform/tenants/nobody/")

    assert response.status_code == 404
    assert response.json()["code"] == "tenant_not_found"


def test_suspend_then_resume(platform_client, api, alpha, make_user):
    user = make_user(alpha)

    suspended = platform_client.patch(
        "/api/platform/tenants/alpha/",
        {"status": "suspended", "reason": "Fraud review"},
        format="json",
    )
    refused = api(alpha).post("/api/v1/auth/token/", {"email": user.email, "password": PASSWORD})
    resumed = platform_client.patch(
        "/api/platform/tenants/alpha/", {"status": "active"}, format="json"
    )
    served = api(alpha).post(
        "/api/v1/auth/token/", {"email": user.email, "password": PASSWORD}, format="json"
    )

    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["status_reason"] == "Fraud review"
    assert refused.status_code == 403
    assert resumed.json()["status"] == "active"
    assert served.status_code == 200
    connection.set_schema_to_public()
    actions = list(
        PlatformAuditLog.objects.filter(tenant=alpha).values_list("action", "actor_email")[:2]
    )
    assert actions == [
        ("tenant_resumed", "staff@platform.test"),
        ("tenant_suspended", "staff@platform.test"),
    ]


def test_bad_status_is_a_400(platform_client):
    response = platform_client.patch(
        "/api/platform/tenants/alpha/", {"status": "closed"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_choice"
    assert Tenant.objects.get(slug="alpha").status == "active"


def test_custom_domain_serves_the_tenant(platform_client, api):
    from rest_framework.test import APIClient

    added = platform_client.post(
        "/api/platform/tenants/beta/domains/", {"domain": "Tickets.Beta-Theatres.ie"}, format="json"
    )
    again = platform_client.post(
        "/api/platform/tenants/alpha/domains/",
        {"domain": "tickets.beta-theatres.ie"},
        format="json",
    )
    served = APIClient(HTTP_HOST="tickets.beta-theatres.ie").get("/api/v1/tenant/")

    assert added.status_code == 201
    assert added.json()["domain"] == "tickets.beta-theatres.ie"
    assert again.status_code == 409
    assert again.json()["code"] == "domain_taken"
    assert served.json()["slug"] == "beta"


@pytest.mark.parametrize("method", ["get", "post"])
def test_platform_api_needs_platform_staff(api, method):
    response = getattr(api(), method)("/api/platform/tenants/", ONBOARD, format="json")

    assert response.status_code == 401
    assert not Tenant.objects.filter(slug="comet").exists()
