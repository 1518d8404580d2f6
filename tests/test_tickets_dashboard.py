"""The door scanner page and the tickets pages of the chain dashboard."""

from __future__ import annotations

import html
import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tests.checkout import checkout, sandbox, seat_ids
from tests.fixtures import PASSWORD
from tests.test_tickets import _today
from venue_apps.accounts.models import Role
from venue_apps.tickets.models import EmailTemplate

pytestmark = pytest.mark.django_db


def signed_in(alpha, user, **options) -> Client:
    client = Client(HTTP_HOST="alpha.localhost", **options)
    with schema_context(alpha.schema_name):
        client.force_login(user)
    return client


def test_a_scanner_lands_on_the_scanner_and_admits_a_ticket(alpha, programme, customer, make_user):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    _, client = customer
    show = programme["show"]
    body = checkout(client, show, seat_ids("alpha", show, ["A1"]))
    sandbox(client, body["payment"]["id"], "approve")
    _today(show)
    qr = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]["qr"]
    scanner = make_user(alpha, role=Role.SCANNER)
    door = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    login_page = door.get("/dashboard/login/")
    signed = door.post(
        "/dashboard/login/?next=/dashboard/",
        {
            "username": scanner.email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": door.cookies["csrftoken"].value,
        },
    )
    assert (login_page.status_code, signed.status_code) == (200, 302), signed.content[:300]

    landing = door.get("/dashboard/", follow=True)
    page = landing.content.decode()
    token = door.cookies["csrftoken"].value
    without_csrf = door.post(
        "/dashboard/scan/check/", json.dumps({"qr": qr}), content_type="application/json"
    )
    first = door.post(
        "/dashboard/scan/check/",
        json.dumps({"qr": qr, "gate": "Door 1"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    second = door.post(
        "/dashboard/scan/check/",
        json.dumps({"qr": qr}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert landing.redirect_chain[-1][0].endswith("/dashboard/scan/")
    assert "Scan, type or paste a ticket code" in page
    assert without_csrf.status_code == 403
    assert first.status_code == 200 and first.json()["admitted"] is True
    assert (second.status_code, second.json()["code"]) == (409, "already_used")
    # A scanner sees nothing else of the dashboard.
    assert door.get("/dashboard/orders/order/").status_code == 403


def test_customers_and_box_office_cannot_open_the_scanner(alpha, make_user):
    customer = signed_in(alpha, make_user(alpha, role=Role.CUSTOMER)).get("/dashboard/scan/")
    desk = signed_in(alpha, make_user(alpha, role=Role.BOX_OFFICE)).get("/dashboard/scan/")

    assert customer.status_code == 302  # to the dashboard's login
    assert "/dashboard/login/" in customer["Location"]
    assert desk.status_code == 403


def test_a_broken_email_template_is_refused_when_saved(alpha, make_user):
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))

    saved = manager.post(
        "/dashboard/tickets/emailtemplate/add/",
        {"kind": "tickets", "subject": "Hi {{ title", "body": "{% if %}", "is_active": "on"},
    )

    page = html.unescape(saved.content.decode())
    assert saved.status_code == 200
    assert "{{ title (line 1) is never closed with }}." in page
    assert "{% if %} (line 1): tags ({% ... %}) are not supported; only placeholders are." in page
    with schema_context(alpha.schema_name):
        assert not EmailTemplate.objects.exists()


def test_only_the_owner_sees_the_signing_keys(alpha, make_user):
    owner = signed_in(alpha, make_user(alpha, role=Role.OWNER))
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))

    page = owner.get("/dashboard/tickets/signingkey/")

    assert page.status_code == 200
    assert "private" not in page.content.decode().lower().replace("privacy", "")
    assert manager.get("/dashboard/tickets/signingkey/").status_code == 403


def test_the_dashboard_login_page_opens_for_anyone(alpha):
    page = Client(HTTP_HOST="alpha.localhost").get("/dashboard/login/")

    assert page.status_code == 200
    assert "Alpha Cinemas dashboard" in page.content.decode()


def test_the_scanner_page_admits_with_any_venue_through_the_page_and_the_api(
    alpha, programme, customer, make_user
):
    """The page sends `venue: null` while "Any venue" is chosen; both the page's own
    endpoint and `POST /api/v1/checkin/` must read that as "no venue check"."""
    import re

    from rest_framework.test import APIClient

    from tests.fixtures import obtain_tokens

    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    _, client = customer
    show = programme["show"]
    body = checkout(client, show, seat_ids("alpha", show, ["A1", "A2", "A3"]))
    sandbox(client, body["payment"]["id"], "approve")
    _today(show)
    codes = [ticket["qr"] for ticket in client.get(f"/api/v1/orders/{body['id']}/tickets/").json()]
    scanner = make_user(alpha, role=Role.SCANNER)
    door = signed_in(alpha, scanner)
    page = door.get("/dashboard/scan/").content.decode()
    # What the page sends: the code, the chosen venue ("" for "Any venue" becomes null)
    # and the door.
    assert '<option value="">Any venue</option>' in page
    (sent,) = re.findall(r"body: JSON\.stringify\((\{.*?\})\)", page)
    assert sent == "{qr: code, venue: venue.value || null, gate: gate.value}"

    def as_the_page_sends(qr: str, venue: str = "", gate: str = "") -> str:
        return json.dumps({"qr": qr, "venue": venue or None, "gate": gate})

    by_page = door.post(
        "/dashboard/scan/check/", as_the_page_sends(codes[0]), content_type="application/json"
    )
    api = APIClient(HTTP_HOST="alpha.localhost")
    access = obtain_tokens(api, scanner.email)["access"]
    by_api = api.post(
        "/api/v1/checkin/",
        as_the_page_sends(codes[1], gate="Door 2"),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {access}",
    )
    at_its_venue = door.post(
        "/dashboard/scan/check/",
        as_the_page_sends(codes[2], venue=str(programme["venue"].pk)),
        content_type="application/json",
    )

    assert (by_page.status_code, by_page.json()["admitted"]) == (200, True), by_page.content
    assert (by_api.status_code, by_api.json()["admitted"]) == (200, True), by_api.content
    assert (at_its_venue.status_code, at_its_venue.json()["admitted"]) == (200, True)


def test_the_scanner_page_still_refuses_a_ticket_for_another_venue(
    alpha, programme, customer, make_user
):
    from venue_apps.tickets.models import CheckIn, Ticket
    from venue_apps.venues.services import venue_create

    _, client = customer
    show = programme["show"]
    body = checkout(client, show, seat_ids("alpha", show, ["B1"]))
    sandbox(client, body["payment"]["id"], "approve")
    _today(show)
    (ticket,) = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()
    with schema_context(alpha.schema_name):
        elsewhere = venue_create(
            name="Aurora Elsewhere",
            address_line1="1 Elsewhere Road",
            city="Pune",
            country="IN",
            timezone="Asia/Kolkata",
        )
    door = signed_in(alpha, make_user(alpha, role=Role.SCANNER))

    refused = door.post(
        "/dashboard/scan/check/",
        json.dumps({"qr": ticket["qr"], "venue": str(elsewhere.pk), "gate": ""}),
        content_type="application/json",
    )

    assert (refused.status_code, refused.json()["code"]) == (403, "wrong_venue")
    with schema_context(alpha.schema_name):
        assert Ticket.objects.get(pk=ticket["id"]).checked_in_at is None
        assert list(CheckIn.objects.values_list("verdict", flat=True)) == ["wrong_venue"]
