"""Shared fixtures. Tenant schemas are created once per test session, not per test.

Session tenants are committed (outside every test's transaction) so that code on other
connections (Channels' database thread, a Celery worker, race tests) sees them; each
test then runs inside a transaction that is rolled back, schema changes included.
"""

from __future__ import annotations

import subprocess
import sys
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone as django_timezone
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tenants.models import Tenant
from tenants.services import Branding, public_tenant_ensure, tenant_onboard, tenant_set_status
from venue_apps.accounts.models import Role, User
from venue_apps.accounts.services.users import user_create

PASSWORD = "correct-horse-battery-staple"
PLATFORM_STAFF_EMAIL = "staff@platform.test"

SESSION_TENANTS = {
    "alpha": ("Alpha Cinemas", "INR", "Asia/Kolkata"),
    "beta": ("Beta Theatres", "EUR", "Europe/Dublin"),
    "frozen": ("Frozen Films", "GBP", "Europe/London"),
}


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_modify_db_settings
) -> Iterator[None]:
    """The test database with the platform and the session tenants, built once.

    Replaces pytest-django's fixture, which creates only the databases that tests
    marked `django_db` ask for: tests working outside a transaction (Celery, Channels,
    races) carry no such mark but need the database all the same.
    """
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        databases = setup_databases(
            verbosity=verbosity, interactive=False, aliases={"default"}, serialized_aliases=set()
        )
        _session_tenants_ensure()
    yield
    with django_db_blocker.unblock():
        connections.close_all()
        teardown_databases(databases, verbosity=verbosity)


def _session_tenants_ensure() -> None:
    public_tenant_ensure()
    if not User.objects.filter(email=PLATFORM_STAFF_EMAIL).exists():
        user_create(email=PLATFORM_STAFF_EMAIL, password=PASSWORD, role=Role.PLATFORM_STAFF)
    for slug, (name, currency, timezone) in SESSION_TENANTS.items():
        if not Tenant.objects.filter(slug=slug).exists():
            tenant_onboard(
                name=name,
                slug=slug,
                owner_email=f"owner@{slug}.test",
                owner_password=PASSWORD,
                currency=currency,
                timezone=timezone,
                branding=Branding(display_name=name),
            )
    tenant_set_status(
        Tenant.objects.get(slug="frozen"), status="suspended", reason="Unpaid invoices"
    )


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache: rolled-back tests never bump generations."""
    from django_redis import get_redis_connection

    redis = get_redis_connection("default")
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    stale = list(redis.scan_iter(f"*:{prefix}:*", count=1000))
    if stale:
        redis.delete(*stale)
    yield


@pytest.fixture(autouse=True)
def _back_to_public() -> Iterator[None]:
    """Every test starts and ends on the public schema, whatever the last request did."""
    from tenants.schemas import serving_schema_set

    yield
    if hasattr(connection, "set_schema_to_public"):
        connection.set_schema_to_public()
    serving_schema_set(None)


class QueryLog(CaptureQueriesContext):
    """Captures the SQL of a block; `statements` leaves out django-tenants' search_path,
    which it sends whenever the schema changes (each request resolves its host in
    `public` first), so the counts that matter are the others."""

    @property
    def statements(self) -> list[str]:
        return [
            query["sql"]
            for query in self.captured_queries
            if not query["sql"].startswith("SET search_path")
        ]


def dashboard_sign_in(tenant: Tenant, user: User, *, address: str = "198.51.100.20"):
    """A browser signed in to a chain's dashboard through its own login page (as a
    person does: the password, the lockout, the audit log), as `user`."""
    from django.test import Client

    browser = Client(HTTP_HOST=host_of(tenant), REMOTE_ADDR=address)
    answer = browser.post("/dashboard/login/", {"username": user.email, "password": PASSWORD})
    assert answer.status_code == 302, answer.content.decode()[:500]
    return browser


def host_of(tenant: Tenant) -> str:
    return (
        settings.PLATFORM_DOMAIN
        if tenant.is_public
        else f"{tenant.slug}.{settings.PLATFORM_DOMAIN}"
    )


@pytest.fixture
def alpha(db) -> Tenant:
    return Tenant.objects.get(slug="alpha")


@pytest.fixture
def beta(db) -> Tenant:
    return Tenant.objects.get(slug="beta")


@pytest.fixture
def frozen(db) -> Tenant:
    return Tenant.objects.get(slug="frozen")


@pytest.fixture
def api() -> Callable[[Tenant | None], APIClient]:
    """`api(tenant)` is a client speaking to that tenant's host; `api()` to the apex."""

    def make(tenant: Tenant | None = None) -> APIClient:
        host = host_of(tenant) if tenant else settings.PLATFORM_DOMAIN
        return APIClient(HTTP_HOST=host)

    return make


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """`make_user(tenant, role=..., email=...)` creates an account in that tenant's schema."""
    counter = iter(range(1, 1_000_000))

    def make(tenant: Tenant, *, role: Role = Role.CUSTOMER, email: str | None = None) -> User:
        from tests.factories import UserFactory

        email = email or f"{role}{next(counter)}@{tenant.slug}.test"
        return UserFactory(schema=tenant.schema_name, email=email, role=role)

    return make


def settings_in_a_fresh_process(script: str, environment: dict[str, str]):
    """Run `script` (Python that sets Django up and prints what it reads) in a new
    interpreter with exactly this environment, for settings read once at start-up."""
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        env={"DJANGO_SETTINGS_MODULE": "ticketing_platform.settings", **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def throttle_rates(settings, **rates: str) -> None:
    """Set some throttle rates for one test (pytest-django's `settings` undoes it)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def sign_in_from(api, tenant: Tenant, email: str, password: str, address: str):
    """`POST /api/v1/auth/token/` from a given client address."""
    return api(tenant).post(
        "/api/v1/auth/token/",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def obtain_tokens(
    client: APIClient, email: str, password: str = PASSWORD, *, platform=False
) -> dict:
    path = "/api/platform/auth/token/" if platform else "/api/v1/auth/token/"
    response = client.post(path, {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def platform_client(db, api) -> APIClient:
    """A client on the apex domain signed in as platform staff."""
    client = api()
    tokens = obtain_tokens(client, PLATFORM_STAFF_EMAIL, platform=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


@pytest.fixture
def committed(django_db_setup, django_db_blocker) -> Iterator[list[tuple[str, User]]]:
    """Database access outside a test transaction, for work other connections must see.

    Append `(schema, user)` pairs to the yielded list to have them deleted afterwards.
    """
    created: list[tuple[str, User]] = []
    with django_db_blocker.unblock():
        yield created
        for schema, user in created:
            with schema_context(schema):
                User.objects.filter(pk=user.pk).delete()
        connection.set_schema_to_public()


@pytest.fixture
def as_role(api, alpha, make_user) -> Callable[[Role | None], APIClient]:
    """`as_role(Role.MANAGER)`: a client on alpha signed in as a new user with that role;
    `as_role(None)`: an anonymous one."""

    def client_for(role: Role | None) -> APIClient:
        client = api(alpha)
        if role is not None:
            user = make_user(alpha, role=role)
            access = obtain_tokens(client, user.email)["access"]
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        return client

    return client_for


@pytest.fixture
def manager(as_role) -> APIClient:
    return as_role(Role.MANAGER)


@pytest.fixture
def programme(alpha) -> dict:
    """A venue, a seat map, a price card, two titles and one show on sale, in alpha."""
    from tests.programme import build_programme

    return build_programme(alpha.schema_name)


@pytest.fixture
def tasks_inline():
    """Celery tasks run in this process when they are sent (after commit), so a test
    sees what a worker would have done: refunds sent, emails mailed."""
    from ticketing_platform.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False
        app.conf.task_eager_propagates = False


@pytest.fixture
def customer(api, alpha, make_user) -> tuple[User, APIClient]:
    """A customer of alpha and a client signed in as them."""
    user = make_user(alpha, role=Role.CUSTOMER)
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, user.email)['access']}")
    return user, client


FAKE_BUILD = {
    "src/main.tsx": {
        "file": "assets/main-AbC123xy.js",
        "name": "main",
        "src": "src/main.tsx",
        "isEntry": True,
        "css": ["assets/main-Zz9_8QqA.css"],
        "imports": ["_vendor-Qw3rTy12.js"],
    },
    "_vendor-Qw3rTy12.js": {"file": "assets/vendor-Qw3rTy12.js", "name": "vendor"},
}


@pytest.fixture
def storefront_build(settings, tmp_path):
    """A storefront build as Vite leaves it (manifest, hashed files), where the settings
    look for it; django-vite is made to read it."""
    import json

    from django_vite.core.asset_loader import DjangoViteAssetLoader

    dist = tmp_path / "dist"
    (dist / ".vite").mkdir(parents=True)
    (dist / "assets").mkdir()
    (dist / ".vite" / "manifest.json").write_text(json.dumps(FAKE_BUILD))
    (dist / "assets" / "main-AbC123xy.js").write_text("console.log('storefront')")
    (dist / "assets" / "main-Zz9_8QqA.css").write_text("body{margin:0}")
    (dist / "assets" / "vendor-Qw3rTy12.js").write_text("export const x = 1")
    settings.FRONTEND_DIST = dist
    settings.STATICFILES_DIRS = [("app", dist)]
    settings.DJANGO_VITE = {
        "default": {
            **settings.DJANGO_VITE["default"],
            "dev_mode": False,
            "manifest_path": dist / ".vite" / "manifest.json",
        }
    }
    DjangoViteAssetLoader._instance = None
    yield dist
    DjangoViteAssetLoader._instance = None


# --- known sales for the reports (the API's and the dashboard's) --------------------------

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


def local_at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=KOLKATA)


def sell_at(schema: str, show, labels: list[str], when: datetime):
    """A customer's order for `labels` of `show`, paid through the sandbox at `when`."""
    from tests.factories import PaidOrderFactory, UserFactory

    with time_machine.travel(when, tick=True), schema_context(schema):
        customer = UserFactory(schema=schema, role=Role.CUSTOMER)
        return PaidOrderFactory(schema=schema, show=show, customer=customer, labels=labels)


@pytest.fixture
def known_sales(alpha, beta, as_role, tasks_inline, django_capture_on_commit_callbacks):
    """Two shows (two titles, two venues) ten days ahead; live sales on two local days,
    one of them at 00:30 local (the previous day in UTC); a staff refund of one seat on
    the second day; a test-mode sale; and a live sale in another chain.

    The sandbox only takes test-mode money, so the payments that stand for live ones are
    marked live afterwards (`Payment.test_mode`, what the reports read to tell them)."""
    from tests.checkout import seat_ids
    from tests.factories import ShowFactory
    from venue_apps.payments.models import Payment, Refund

    today = django_timezone.localdate(timezone=KOLKATA)
    starts = local_at(today + timedelta(days=10), 18, 0)
    day1, day2 = today + timedelta(days=3), today + timedelta(days=4)
    first = ShowFactory(schema="alpha", starts_at=starts)
    second = ShowFactory(
        schema="alpha", starts_at=starts + timedelta(hours=1), price_card=first.price_card
    )
    other = ShowFactory(schema="beta", starts_at=starts)

    late = sell_at("alpha", first, ["A1", "A2"], local_at(day1, 23, 30))
    midnight = sell_at("alpha", second, ["A1"], local_at(day2, 0, 30))
    refunded = sell_at("alpha", first, ["B1", "B2", "B3"], local_at(day2, 12, 0))
    test_mode = sell_at("alpha", second, ["C1"], local_at(day2, 13, 0))
    foreign = sell_at("beta", other, ["A1"], local_at(day2, 12, 0))

    with time_machine.travel(local_at(day2, 15, 0), tick=True):
        manager = as_role(Role.MANAGER)
        seat = seat_ids("alpha", first, ["B1"])[0]
        with django_capture_on_commit_callbacks(execute=True):
            answer = manager.post(
                f"/api/v1/orders/{refunded.pk}/refunds/", {"seats": [seat]}, format="json"
            )
        assert answer.status_code == 201, answer.content
    refund_amount = answer.json()["amount"]

    for schema, orders in (("alpha", [late, midnight, refunded]), ("beta", [foreign])):
        with schema_context(schema):
            Payment.objects.filter(order__in=orders).update(test_mode=False)
    with schema_context("alpha"):
        assert Refund.objects.get().amount == refund_amount
        assert Payment.objects.get(order=test_mode).test_mode
    return {
        "day1": day1,
        "day2": day2,
        "first": first,
        "second": second,
        "late": late,
        "midnight": midnight,
        "refunded": refunded,
        "refund": refund_amount,
    }
