"""The box office page of the chain dashboard (`/dashboard/box-office/`): who opens it
after a real sign-in at the dashboard's login, what it hands the React screen, and who
is refused."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tests.fixtures import FAKE_BUILD, PASSWORD
from venue_apps.accounts.capabilities import Capability, role_may
from venue_apps.accounts.models import Role

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/box-office/"


@pytest.fixture
def box_office_build(storefront_build):
    """The fake build with the box office's entry too, as Vite's manifest lists it."""
    manifest = storefront_build / ".vite" / "manifest.json"
    build = {
        **FAKE_BUILD,
        "src/backoffice/main.tsx": {
            "file": "assets/backoffice-Bx0ff1ce.js",
            "name": "backoffice",
            "src": "src/backoffice/main.tsx",
            "isEntry": True,
            "css": ["assets/backoffice-Cs5Bx0ff.css"],
            "imports": ["_vendor-Qw3rTy12.js"],
        },
    }
    manifest.write_text(json.dumps(build))
    (storefront_build / "assets" / "backoffice-Bx0ff1ce.js").write_text("console.log('desk')")
    (storefront_build / "assets" / "backoffice-Cs5Bx0ff.css").write_text("body{margin:0}")
    return storefront_build


def dashboard_sign_in(host: str, email: str) -> Client:
    """Signs in at the dashboard's own login form, CSRF token and all."""
    client = Client(HTTP_HOST=host, enforce_csrf_checks=True)
    client.get("/dashboard/login/")
    signed = client.post(
        "/dashboard/login/?next=/dashboard/",
        {
            "username": email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert signed.status_code == 302, signed.content[:300]
    return client


def page_config(page) -> dict:
    found = re.search(
        r'<script id="box-office-config" type="application/json">(.*?)</script>',
        page.content.decode(),
    )
    assert found, "no #box-office-config"
    return json.loads(found.group(1))


@pytest.mark.parametrize("role", [Role.BOX_OFFICE, Role.MANAGER, Role.OWNER])
def test_sellers_open_the_screen_with_the_chains_config(alpha, make_user, box_office_build, role):
    from tests.programme import build_programme

    programme = build_programme(alpha.schema_name)
    user = make_user(alpha, role=role)
    with schema_context(alpha.schema_name):
        user.name = "Asha Desk"
        user.save(update_fields=["name"])
    client = dashboard_sign_in("alpha.localhost", user.email)

    page = client.get(PAGE)

    assert page.status_code == 200
    html = page.content.decode()
    assert '<div id="box-office"' in html
    assert 'src="/static/app/assets/backoffice-Bx0ff1ce.js"' in html
    assert "/static/app/assets/main-AbC123xy.js" not in html  # not the storefront's app
    assert "alpha" in page.context["site_header"].lower()  # the dashboard's own header
    assert f"--brand:{alpha.primary_colour}" in html
    config = page_config(page)
    assert config["currency"] == alpha.currency
    assert config["currency_digits"] == 2
    assert config["timezone"] == alpha.timezone
    assert config["csrf_token"]
    assert config["user"] == {"name": "Asha Desk", "email": user.email, "role": role.value}
    venue = programme["venue"]
    assert config["venues"] == [{"id": venue.pk, "name": venue.name, "timezone": venue.timezone}]
    assert "no-store" in page["Cache-Control"]  # the admin's never_cache: it has a CSRF token


def test_the_index_links_to_the_screen_for_sellers(alpha, make_user, box_office_build):
    for role in (Role.BOX_OFFICE, Role.MANAGER, Role.OWNER):
        seller = dashboard_sign_in("alpha.localhost", make_user(alpha, role=role).email)
        assert PAGE in seller.get("/dashboard/").content.decode(), role


def test_managers_sell_too(alpha, make_user, box_office_build):
    manager = dashboard_sign_in("alpha.localhost", make_user(alpha, role=Role.MANAGER).email)

    assert manager.get(PAGE).status_code == 200
    assert role_may(Role.MANAGER, Capability.SELL_AT_BOX_OFFICE)


def test_door_staff_are_refused(alpha, make_user, box_office_build):
    scanner = dashboard_sign_in("alpha.localhost", make_user(alpha, role=Role.SCANNER).email)

    page = scanner.get(PAGE)

    assert page.status_code == 403
    assert b"box-office-config" not in page.content


def test_customers_and_strangers_go_to_the_login(alpha, make_user, box_office_build):
    customer = Client(HTTP_HOST="alpha.localhost")
    with schema_context(alpha.schema_name):
        customer.force_login(make_user(alpha, role=Role.CUSTOMER))

    for client in (customer, Client(HTTP_HOST="alpha.localhost")):
        page = client.get(PAGE)
        assert page.status_code == 302
        assert page["Location"].startswith("/dashboard/login/")


def test_another_chains_box_office_is_refused(alpha, beta, make_user, box_office_build):
    make_user(alpha, role=Role.BOX_OFFICE)
    theirs = dashboard_sign_in("beta.localhost", make_user(beta, role=Role.BOX_OFFICE).email)
    assert theirs.get(PAGE).status_code == 200  # at their own chain

    theirs.defaults["HTTP_HOST"] = "alpha.localhost"
    page = theirs.get(PAGE)

    assert page.status_code == 302
    assert page["Location"].startswith("/dashboard/login/")
    assert b"box-office-config" not in page.content


def test_without_a_build_the_page_says_how_to_build(alpha, make_user, settings, tmp_path):
    from django_vite.core.asset_loader import DjangoViteAssetLoader

    settings.DJANGO_VITE = {
        "default": {
            **settings.DJANGO_VITE["default"],
            "dev_mode": False,
            "manifest_path": tmp_path / "nothing" / "manifest.json",
        }
    }
    DjangoViteAssetLoader._instance = None
    desk = dashboard_sign_in("alpha.localhost", make_user(alpha, role=Role.BOX_OFFICE).email)

    try:
        page = desk.get(PAGE)
    finally:
        DjangoViteAssetLoader._instance = None

    assert page.status_code == 503
