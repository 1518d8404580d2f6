"""The two admin sites: the platform console and each chain's dashboard."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import PlatformAuditLog, Tenant
from tests.fixtures import PLATFORM_STAFF_EMAIL
from venue_apps.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def signed_in(tenant: Tenant | None, user: User) -> Client:
    host = f"{tenant.slug}.{settings.PLATFORM_DOMAIN}" if tenant else settings.PLATFORM_DOMAIN
    client = Client(HTTP_HOST=host)
    # The session row belongs in the schema of the host that will read it.
    with schema_context(tenant.schema_name if tenant else "public"):
        client.force_login(user)
    return client


@pytest.fixture
def staff() -> User:
    return User.objects.get(email=PLATFORM_STAFF_EMAIL)


def test_console_lists_chains_but_not_the_platform(staff):
    page = signed_in(None, staff).get("/console/tenants/tenant/")

    assert page.status_code == 200
    names = {tenant.name for tenant in page.context["cl"].result_list}
    assert {"Alpha Cinemas", "Beta Theatres", "Frozen Films"} <= names
    assert "Platform" not in names


def test_console_suspends_through_the_service(staff, alpha):
    client = signed_in(None, staff)

    page = client.post(
        "/console/tenants/tenant/",
        {"action": "suspend", "_selected_action": [alpha.pk]},
        follow=True,
    )

    assert page.status_code == 200
    alpha.refresh_from_db()
    assert alpha.status == "suspended"
    assert PlatformAuditLog.objects.filter(
        tenant=alpha, action="tenant_suspended", actor_email=PLATFORM_STAFF_EMAIL
    ).exists()


def test_chain_dashboard_shows_only_that_chains_users(alpha, beta, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    make_user(beta, email="only-at-beta@example.com")

    page = signed_in(alpha, owner).get("/dashboard/accounts/user/")

    emails = {user.email for user in page.context["cl"].result_list}
    assert owner.email in emails
    assert "only-at-beta@example.com" not in emails
    add_page = signed_in(alpha, owner).get("/dashboard/accounts/user/add/")
    roles = [value for value, _ in add_page.context["adminform"].form.fields["role"].choices]
    assert roles == ["owner", "manager", "box_office", "scanner", "customer"]


def test_chain_dashboard_has_no_tenant_models(alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)

    assert signed_in(alpha, owner).get("/dashboard/tenants/tenant/").status_code == 404


@pytest.mark.parametrize(
    "role, status", [(Role.MANAGER, 200), (Role.BOX_OFFICE, 200), (Role.CUSTOMER, 302)]
)
def test_dashboard_is_for_staff_not_customers(alpha, make_user, role, status):
    user = make_user(alpha, role=role)

    assert signed_in(alpha, user).get("/dashboard/").status_code == status


def test_box_office_looks_orders_up_but_changes_nothing(alpha, make_user):
    desk = signed_in(alpha, make_user(alpha, role=Role.BOX_OFFICE))

    assert desk.get("/dashboard/orders/order/").status_code == 200
    assert desk.get("/dashboard/tickets/ticket/").status_code == 200
    for page in (
        "/dashboard/orders/promocode/",
        "/dashboard/accounts/user/",
        "/dashboard/payments/gatewayaccount/",
        "/dashboard/shows/show/",
        "/dashboard/payments/ledgerentry/",
    ):
        assert desk.get(page).status_code == 403, page


def test_a_chains_owner_cannot_open_the_console(alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    client = signed_in(alpha, owner)
    client.defaults["HTTP_HOST"] = settings.PLATFORM_DOMAIN

    assert client.get("/console/").status_code == 302


def test_manager_runs_the_programme_in_the_dashboard(alpha, make_user):
    from tests.programme import build_programme
    from venue_apps.venues.models import Auditorium

    programme = build_programme(alpha.schema_name)
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))

    for path in (
        "/dashboard/venues/venue/",
        "/dashboard/venues/auditorium/",
        f"/dashboard/venues/auditorium/{programme['auditorium'].pk}/change/",
        "/dashboard/catalog/title/",
        "/dashboard/shows/show/",
        "/dashboard/shows/pricecard/",
        "/dashboard/catalog/title/import/",
    ):
        assert manager.get(path).status_code == 200, path
    # Managers run the programme, not the chain's accounts.
    assert manager.get("/dashboard/accounts/user/").status_code == 403

    created = manager.post(
        "/dashboard/venues/auditorium/add/",
        {
            "venue": programme["venue"].pk,
            "name": "Audi 7",
            "cleaning_minutes": 15,
            "screen_y": -2,
            "is_active": "on",
            "layout": "[Stalls]\nA: RRRR.RRRR\nB: WM.LL.LL",
        },
    )
    refused = manager.post(
        "/dashboard/venues/auditorium/add/",
        {
            "venue": programme["venue"].pk,
            "name": "Audi 8",
            "cleaning_minutes": 15,
            "screen_y": -2,
            "layout": "A: RR?R",
        },
    )

    assert created.status_code == 302
    with schema_context(alpha.schema_name):
        audi = Auditorium.objects.get(name="Audi 7")
        assert audi.seats.count() == 14
        assert not Auditorium.objects.filter(name="Audi 8").exists()
    assert refused.status_code == 200
    assert "line 1" in str(refused.context["adminform"].form.errors["layout"])


def test_dashboard_cancels_shows_through_the_service(alpha, make_user):
    from tests.programme import build_programme

    programme = build_programme(alpha.schema_name)
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))

    page = manager.post(
        "/dashboard/shows/show/",
        {"action": "cancel", "_selected_action": [programme["show"].pk]},
        follow=True,
    )

    # On sale with no seat held or sold, a show may be cancelled.
    assert page.status_code == 200
    messages = [str(message) for message in page.context["messages"]]
    assert any("is cancelled" in message for message in messages), messages


def test_dashboard_refuses_bad_venue_input_with_a_form_error(alpha, make_user):
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))
    venue = {
        "name": "Aurora Andheri",
        "address_line1": "Link Road",
        "city": "Mumbai",
        "country": "IN",
        "timezone": "Mars/Olympus",
        "is_active": "on",
    }

    page = manager.post("/dashboard/venues/venue/add/", venue)
    created = manager.post("/dashboard/venues/venue/add/", {**venue, "timezone": "Asia/Kolkata"})
    duplicate = manager.post(
        "/dashboard/venues/venue/add/", {**venue, "name": "AURORA ANDHERI", "timezone": "UTC"}
    )

    assert page.status_code == 200
    assert "timezone" in page.context["adminform"].form.errors
    assert created.status_code == 302
    assert duplicate.status_code == 200
    assert "name" in duplicate.context["adminform"].form.errors


def test_shows_cannot_be_deleted_from_the_dashboard(alpha, make_user):
    from tests.programme import build_programme

    programme = build_programme(alpha.schema_name)
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))

    response = manager.get(f"/dashboard/shows/show/{programme['show'].pk}/delete/")

    assert response.status_code == 403


def test_only_requests_that_use_messages_make_their_storage(alpha, make_user):
    from unittest import mock

    from dashboards import middleware
    from tests.programme import build_programme

    programme = build_programme(alpha.schema_name)
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))
    with mock.patch.object(middleware, "default_storage", wraps=middleware.default_storage) as made:
        seat_map = manager.get(f"/api/v1/shows/{programme['show'].pk}/seats/")
        assert (seat_map.status_code, made.call_count) == (200, 0)

        page = manager.post(
            "/dashboard/shows/show/",
            {"action": "cancel", "_selected_action": [programme["show"].pk]},
            follow=True,
        )

    assert made.call_count >= 1
    assert any("is cancelled" in str(message) for message in page.context["messages"])
