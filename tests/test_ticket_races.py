"""Two doors scanning one ticket at the same moment, on real concurrent connections
(committed data, cleaned up afterwards)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.test import Client
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tests.fixtures import PASSWORD
from tests.programme import build_programme, programme_delete
from tests.test_tickets import _today
from venue_apps.accounts.models import Role
from venue_apps.accounts.services.users import user_create
from venue_apps.orders.models import Order
from venue_apps.tickets.models import CheckIn, Ticket


@pytest.fixture
def door_race(committed):
    programme = build_programme("beta")
    with schema_context("beta"):
        customer = user_create(email="door-race@beta.test", password=PASSWORD, role=Role.CUSTOMER)
        scanners = [
            user_create(email=f"door{index}@beta.test", password=PASSWORD, role=Role.SCANNER)
            for index in range(2)
        ]
        committed.extend(("beta", user) for user in [customer, *scanners])
    Tenant.objects.filter(slug="beta").update(holds_per_customer=20)
    try:
        yield programme, customer, scanners
    finally:
        programme_delete("beta")
        Tenant.objects.filter(slug="beta").update(holds_per_customer=2)
        connections.close_all()


def test_two_doors_scanning_one_ticket_at_once_admit_it_once(door_race):
    programme, customer, scanners = door_race
    show = programme["show"]

    def signed_in(user) -> Client:
        client = Client(HTTP_HOST="beta.localhost")
        token = client.post(
            "/api/v1/auth/token/",
            {"email": user.email, "password": PASSWORD},
            content_type="application/json",
        ).json()["access"]
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client

    buyer = signed_in(customer)
    with schema_context("beta"):
        from venue_apps.inventory.models import ShowSeat

        seat = ShowSeat.objects.filter(show=show, label="A1").values_list("id", flat=True).get()
    held = buyer.post(
        f"/api/v1/shows/{show.pk}/holds/", {"seats": [seat]}, content_type="application/json"
    ).json()
    order = buyer.post(
        "/api/v1/orders/",
        {"hold": held["id"], "provider": "sandbox"},
        content_type="application/json",
    ).json()
    buyer.post(
        f"/api/v1/payments/{order['payment']['id']}/sandbox/",
        {"outcome": "approve"},
        content_type="application/json",
    )
    _today(show, schema="beta")
    qr = buyer.get(f"/api/v1/orders/{order['id']}/tickets/").json()[0]["qr"]
    doors = [signed_in(scanner) for scanner in scanners]
    rounds = []
    for attempt in range(3):
        if attempt:
            with schema_context("beta"):
                Ticket.objects.filter(order_id=order["id"]).update(checked_in_at=None)
        barrier = threading.Barrier(2)
        answers: list = [None, None]

        def scan(index: int, barrier=barrier, answers=answers) -> None:
            barrier.wait()
            try:
                answers[index] = (
                    doors[index]
                    .post(
                        "/api/v1/checkin/",
                        {"qr": qr, "gate": f"Door {index + 1}"},
                        content_type="application/json",
                    )
                    .status_code
                )
            finally:
                connections.close_all()

        threads = [threading.Thread(target=scan, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        rounds.append(sorted(answers))

    assert rounds == [[200, 409]] * 3
    with schema_context("beta"):
        assert Order.objects.get(pk=order["id"]).status == "paid"
        verdicts = list(CheckIn.objects.values_list("verdict", flat=True))
        assert sorted(verdicts) == ["admitted"] * 3 + ["already_used"] * 3
