"""The chain dashboard's payments pages: keys for the owner only, refunds for managers."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tests.checkout import STRIPE_KEYS, checkout, sandbox, seat_ids
from venue_apps.accounts.models import Role
from venue_apps.payments.models import GatewayAccount, Refund

pytestmark = pytest.mark.django_db


def signed_in(alpha, user) -> Client:
    client = Client(HTTP_HOST="alpha.localhost")
    with schema_context(alpha.schema_name):
        client.force_login(user)
    return client


def test_the_owner_enters_keys_in_the_dashboard_and_they_are_sealed(alpha, make_user):
    owner = signed_in(alpha, make_user(alpha, role=Role.OWNER))

    saved = owner.post(
        "/dashboard/payments/gatewayaccount/add/",
        {"provider": "stripe", **STRIPE_KEYS, "is_active": "on"},
    )
    page = owner.get("/dashboard/payments/gatewayaccount/")

    assert saved.status_code == 302, saved.content.decode()[:2000]
    with schema_context(alpha.schema_name):
        account = GatewayAccount.objects.get()
        assert account.secret_key_sealed.startswith("s1.")
        assert STRIPE_KEYS["secret_key"] not in account.secret_key_sealed
        edit = owner.get(f"/dashboard/payments/gatewayaccount/{account.pk}/change/")
    text = page.content.decode() + edit.content.decode()
    assert STRIPE_KEYS["secret_key"] not in text and STRIPE_KEYS["webhook_secret"] not in text
    assert "sk_test_…Leak" in text


def test_managers_cannot_see_the_keys_or_payment_settings(alpha, make_user):
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))

    assert manager.get("/dashboard/payments/gatewayaccount/").status_code == 403
    assert manager.get("/dashboard/payments/paymentsettings/").status_code == 403
    assert manager.get("/dashboard/payments/ledgerentry/").status_code == 200
    assert manager.get("/dashboard/orders/order/").status_code == 200


def test_a_manager_refunds_one_seat_from_the_order_page(alpha, programme, customer, make_user):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    _, client = customer
    show = programme["show"]
    seats = seat_ids("alpha", show, ["A1", "A2"])
    body = checkout(client, show, seats)
    sandbox(client, body["payment"]["id"], "approve")
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))
    with schema_context(alpha.schema_name):
        from venue_apps.orders.models import OrderLine

        line = OrderLine.objects.get(order_id=body["id"], show_seat_id=seats[0])

    form = manager.get(f"/dashboard/orders/order/{body['id']}/refund/")
    done = manager.post(
        f"/dashboard/orders/order/{body['id']}/refund/", {"seats": [line.pk], "note": "Broken seat"}
    )

    assert form.status_code == 200 and "A1 (regular)" in form.content.decode()
    assert done.status_code == 302
    with schema_context(alpha.schema_name):
        refund = Refund.objects.get()
        assert (refund.amount, refund.note) == (line.total, "Broken seat")
    assert client.get(f"/api/v1/orders/{body['id']}/").json()["refunded"] == line.total
