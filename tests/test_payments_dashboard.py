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


# --- money flags are read-only in the dashboards -----------------------------------------

# What records money that moved, or in which mode: no dashboard form may edit these.
MONEY_RECORDS = {
    ("orders", "order"),
    ("orders", "orderline"),
    ("payments", "payment"),
    ("payments", "refund"),
    ("payments", "ledgerentry"),
    ("payments", "webhookevent"),
    ("tickets", "ticket"),
}
MONEY_FLAGS = {"test_mode", "live", "paid_order", "platform_fee", "captured_amount"}


def _editable_fields(site, user) -> set[tuple[str, str, str]]:
    """(app, model, field) of every field some form of `site` lets `user` edit."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    editable = set()
    for model_admin in site._registry.values():
        forms = []
        if model_admin.has_add_permission(request):
            forms.append(model_admin.get_form(request, None, change=False))
        if model_admin.has_change_permission(request):
            forms.append(model_admin.get_form(request, None, change=True))
        for inline in model_admin.get_inline_instances(request):
            if inline.has_add_permission(request, None) or inline.has_change_permission(
                request, None
            ):
                forms.append(inline.get_formset(request, None).form)
        for form in forms:
            meta = form._meta.model._meta
            editable |= {(meta.app_label, meta.model_name, name) for name in form.base_fields}
    return editable


# Building every form of the site also builds forms with URL fields (not ours to change).
@pytest.mark.filterwarnings("ignore:The default scheme will be changed")
def test_no_dashboard_form_edits_an_order_payment_or_money_flag(alpha, make_user):
    from dashboards.sites import tenant_dashboard

    with schema_context(alpha.schema_name):
        owner = make_user(alpha, role=Role.OWNER)
        editable = _editable_fields(tenant_dashboard, owner)

    assert {
        (app, model, field)
        for app, model, field in editable
        if (app, model) in MONEY_RECORDS or field in MONEY_FLAGS
    } == set()


def test_an_orders_test_mode_cannot_be_switched_off_in_the_dashboard(
    alpha, programme, customer, make_user
):
    # Flipping a test-mode order to live would make its sandbox tickets admit people
    # once the chain is live, and keep them out of the sweep that voids test orders.
    from venue_apps.orders.models import Order

    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    _, client = customer
    show = programme["show"]
    body = checkout(client, show, seat_ids("alpha", show, ["A3"]))
    sandbox(client, body["payment"]["id"], "approve")
    owner = signed_in(alpha, make_user(alpha, role=Role.OWNER))
    with schema_context(alpha.schema_name):
        before = list(Order.objects.filter(pk=body["id"]).values())

    page = owner.get(f"/dashboard/orders/order/{body['id']}/change/")
    saved = owner.post(f"/dashboard/orders/order/{body['id']}/change/", {"test_mode": ""})

    assert page.status_code == 200
    assert 'name="test_mode"' not in page.content.decode()
    assert "Refund seats or an amount" in page.content.decode()  # refunds stay one click away
    assert saved.status_code == 403
    with schema_context(alpha.schema_name):
        assert list(Order.objects.filter(pk=body["id"]).values()) == before


def test_managers_still_refund_orders_in_full_from_the_order_list(
    alpha, programme, customer, make_user
):
    from venue_apps.orders.models import Order

    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    _, client = customer
    show = programme["show"]
    body = checkout(client, show, seat_ids("alpha", show, ["A4"]))
    sandbox(client, body["payment"]["id"], "approve")
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))
    desk = signed_in(alpha, make_user(alpha, role=Role.BOX_OFFICE))

    refused = desk.post(
        "/dashboard/orders/order/", {"action": "refund_in_full", "_selected_action": [body["id"]]}
    )
    with schema_context(alpha.schema_name):
        assert Order.objects.get(pk=body["id"]).status == "paid"
        assert not Refund.objects.exists()
    done = manager.post(
        "/dashboard/orders/order/", {"action": "refund_in_full", "_selected_action": [body["id"]]}
    )

    assert refused.status_code in (200, 302, 403)
    assert done.status_code == 302
    with schema_context(alpha.schema_name):
        assert Order.objects.get(pk=body["id"]).status == "refunded"
        assert Refund.objects.get().amount == body["total"]
