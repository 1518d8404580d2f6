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
    "role, status", [(Role.MANAGER, 200), (Role.BOX_OFFICE, 302), (Role.CUSTOMER, 302)]
)
def test_dashboard_is_for_owners_and_managers(alpha, make_user, role, status):
    user = make_user(alpha, role=role)

    assert signed_in(alpha, user).get("/dashboard/").status_code == status


def test_a_chains_owner_cannot_open_the_console(alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    client = signed_in(alpha, owner)
    client.defaults["HTTP_HOST"] = settings.PLATFORM_DOMAIN

    assert client.get("/console/").status_code == 302
