"""The box office screen runs inside the chain's dashboard and calls the API with the
dashboard's session (`api.authentication.DashboardSessionAuthentication`): signed in
at the dashboard's own login page, with the CSRF token on every write; nothing for a
customer's session or one still short of its second factor."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from tests.checkout import seat_ids
from tests.factories import TillFactory
from tests.fixtures import PASSWORD
from venue_apps.accounts.models import Role, TOTPDevice
from venue_apps.inventory.models import Hold
from venue_apps.orders.models import Order

pytestmark = pytest.mark.django_db


def dashboard_client(tenant) -> Client:
    return Client(HTTP_HOST=f"{tenant.slug}.{settings.PLATFORM_DOMAIN}", enforce_csrf_checks=True)


def dashboard_sign_in(tenant, email: str) -> Client:
    """The dashboard's login form, as a browser fills it in (CSRF token and all)."""
    client = dashboard_client(tenant)
    client.get("/dashboard/login/")
    answer = client.post(
        "/dashboard/login/",
        {
            "username": email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            "next": "/dashboard/",
        },
    )
    assert answer.status_code == 302, answer.content[:500]
    return client


def csrf(client: Client) -> dict:
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def test_a_box_office_session_holds_and_sells_for_cash_with_the_csrf_token(
    alpha, make_user, programme
):
    user = make_user(alpha, role=Role.BOX_OFFICE)
    till = TillFactory(schema="alpha", venue=programme["venue"])
    client = dashboard_sign_in(alpha, user.email)
    show = programme["show"]

    opened = client.post(
        "/api/v1/shifts/", {"till": till.pk, "float": 1000}, "application/json", **csrf(client)
    )
    held = client.post(
        f"/api/v1/shows/{show.pk}/holds/",
        {"seats": seat_ids("alpha", show, ["A1", "A2"])},
        "application/json",
        **csrf(client),
    )
    assert (opened.status_code, held.status_code) == (201, 201), (opened.content, held.content)
    sold = client.post(
        "/api/v1/orders/",
        {"hold": held.json()["id"], "provider": "cash"},
        "application/json",
        **csrf(client),
    )

    assert sold.status_code == 201, sold.content
    assert sold.json()["status"] == "paid"
    assert client.get("/api/v1/shifts/current/").json()["id"] == opened.json()["id"]


def test_a_write_without_the_csrf_token_is_refused_and_changes_nothing(alpha, make_user, programme):
    user = make_user(alpha, role=Role.BOX_OFFICE)
    client = dashboard_sign_in(alpha, user.email)
    show = programme["show"]

    answer = client.post(
        f"/api/v1/shows/{show.pk}/holds/",
        {"seats": seat_ids("alpha", show, ["A1"])},
        "application/json",
    )

    assert answer.status_code == 403
    assert "CSRF" in answer.json()["detail"]
    with schema_context("alpha"):
        assert not Hold.objects.exists() and not Order.objects.exists()


def test_a_customers_session_opens_nothing(alpha, make_user, programme):
    customer = make_user(alpha, role=Role.CUSTOMER)
    client = dashboard_client(alpha)
    with schema_context("alpha"):
        client.force_login(customer)

    assert client.get("/api/v1/me/").status_code == 401
    assert client.get("/api/v1/orders/").status_code == 401


def test_a_session_short_of_its_second_factor_opens_nothing(alpha, make_user, programme):
    user = make_user(alpha, role=Role.BOX_OFFICE)
    with schema_context("alpha"):
        TOTPDevice.objects.create(user_id=user.pk, name="Authenticator app", confirmed=True)
    client = dashboard_client(alpha)
    with schema_context("alpha"):
        # Signed in with the password alone: django-otp never marked the session verified.
        client.force_login(user)

    assert client.get("/api/v1/tills/").status_code == 401
    assert client.get("/api/v1/me/").status_code == 401


def test_the_session_of_another_chain_is_nothing_here(alpha, beta, make_user):
    user = make_user(beta, role=Role.MANAGER)
    client = dashboard_sign_in(beta, user.email)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    elsewhere = dashboard_client(alpha)
    elsewhere.cookies[settings.SESSION_COOKIE_NAME] = session

    assert elsewhere.get("/api/v1/tills/").status_code == 401


def test_a_request_without_a_session_cookie_never_loads_a_user():
    # A customer's request carries no session cookie: the session's user (and the
    # second factor's checks on it) is not even looked at. Its session cookie alone
    # makes the dashboard's session worth reading.
    from django.test import RequestFactory
    from rest_framework.request import Request

    from api.authentication import DashboardSessionAuthentication

    class Untouchable:
        def __getattr__(self, name):
            raise AssertionError(f"the session's user was read ({name})")

    anonymous = RequestFactory().get("/api/v1/shows/1/seats/")
    anonymous.user = Untouchable()
    assert DashboardSessionAuthentication().authenticate(Request(anonymous)) is None

    with_cookie = RequestFactory().get("/api/v1/shows/1/seats/")
    with_cookie.COOKIES[settings.SESSION_COOKIE_NAME] = "some-session"
    with_cookie.user = Untouchable()
    with pytest.raises(AssertionError, match="was read"):
        DashboardSessionAuthentication().authenticate(Request(with_cookie))
