"""`POST /api/v1/holds/{id}/quote/`: what ordering a hold would cost, priced exactly as
checkout prices it, for the hold's owner only, and changing nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.checkout import hold, order, seat_ids, states
from venue_apps.accounts.models import Role
from venue_apps.audit.models import AuditEntry
from venue_apps.inventory.models import Hold
from venue_apps.orders.models import (
    CheckoutSettings,
    Order,
    PromoCode,
    PromoRedemption,
    TaxRate,
)

pytestmark = pytest.mark.django_db
CART = "quote-cart-0123456789abcdef"


@pytest.fixture
def show(programme, alpha):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    # As the demo's Aurora: a convenience fee, GST inside ticket prices and added on fees.
    with schema_context(alpha.schema_name):
        CheckoutSettings.objects.update_or_create(pk=1, defaults={"booking_fee_per_ticket": 3000})
        TaxRate.objects.create(name="GST", basis_points=1800, applies_to="tickets", inclusive=True)
        TaxRate.objects.create(
            name="GST on fees", basis_points=1800, applies_to="fees", inclusive=False
        )
        PromoCode.objects.create(
            code="WELCOME10", kind="percent", value=1000, max_uses_per_customer=1
        )
    return programme["show"]


def quote(client, hold_id: str, **body):
    return client.post(f"/api/v1/holds/{hold_id}/quote/", body, format="json")


def nothing_changed(hold_id: str, *, owner: dict) -> None:
    with schema_context("alpha"):
        assert not Order.objects.exists()
        assert not AuditEntry.objects.filter(target_type="orders.order").exists()
        assert not PromoRedemption.objects.exists()
        row = Hold.objects.get(pk=hold_id)
        assert (row.status, {"user_id": row.user_id, "cart_id": row.cart_id}) == (
            "active",
            owner,
        )


def test_the_quote_is_what_the_order_then_costs(alpha, show, customer):
    _, client = customer
    seats = seat_ids(alpha.schema_name, show, ["A1", "C1", "C2"])
    held = hold(client, show, seats)

    quoted = quote(client, held["id"], promo_code="welcome10")
    ordered = order(client, held["id"], promo_code="welcome10")

    assert quoted.status_code == 200, quoted.content
    assert ordered.status_code == 201, ordered.content
    body, placed = quoted.json(), ordered.json()
    assert body["hold"] == held["id"]
    assert body["currency"] == placed["currency"] == "INR"
    assert body["expires_at"] == held["expires_at"]
    assert body["promo_code"] == placed["promo_code"] == "WELCOME10"
    for key in ("subtotal", "discount", "fees", "tax", "total"):
        assert body[key] == placed[key], key
    fields = ("seat", "label", "category", "price", "discount", "fee", "tax", "total")
    assert body["lines"] == [{key: line[key] for key in fields} for line in placed["lines"]]
    assert body["discount"] > 0
    assert body["tax"]["added"] > 0 and body["tax"]["included"] > 0
    assert sum(line["total"] for line in body["lines"]) == body["total"]


def test_a_quote_changes_nothing(alpha, show, customer):
    user, client = customer
    seats = seat_ids(alpha.schema_name, show, ["A2", "A3"])
    held = hold(client, show, seats)

    for _ in range(3):
        assert quote(client, held["id"], promo_code="WELCOME10").status_code == 200

    nothing_changed(held["id"], owner={"user_id": user.pk, "cart_id": ""})
    assert states(alpha.schema_name, seats) == {seat: "held" for seat in seats}
    # The code was only looked at: ordering with it still works.
    assert order(client, held["id"], promo_code="WELCOME10").status_code == 201


def test_without_a_code_there_is_no_discount(alpha, show, customer):
    _, client = customer
    held = hold(client, show, seat_ids(alpha.schema_name, show, ["A4"]))

    body = quote(client, held["id"]).json()

    assert (body["discount"], body["promo_code"]) == (0, None)
    assert body["fees"] == 3000
    assert body["total"] == 20000 + 3000 + 540  # price, fee, 18 % GST on the fee


def test_an_anonymous_cart_quotes_its_hold_by_its_cart_id(api, alpha, show):
    client = api(alpha)
    held = client.post(
        f"/api/v1/shows/{show.pk}/holds/",
        {"seats": seat_ids(alpha.schema_name, show, ["B1"])},
        format="json",
        HTTP_X_CART_ID=CART,
    ).json()

    with_cart = client.post(
        f"/api/v1/holds/{held['id']}/quote/", {}, format="json", HTTP_X_CART_ID=CART
    )
    without = client.post(f"/api/v1/holds/{held['id']}/quote/", {}, format="json")
    other_cart = client.post(
        f"/api/v1/holds/{held['id']}/quote/", {}, format="json", HTTP_X_CART_ID="x" * 20
    )
    bad_cart = client.post(
        f"/api/v1/holds/{held['id']}/quote/", {}, format="json", HTTP_X_CART_ID="no!"
    )

    assert with_cart.status_code == 200
    assert (without.status_code, without.json()["code"]) == (404, "hold_not_found")
    assert other_cart.status_code == 404
    assert (bad_cart.status_code, bad_cart.json()["code"]) == (400, "cart_invalid")


def test_a_signed_in_customer_quotes_the_cart_hold_they_made_before_signing_in(
    api, alpha, show, customer
):
    _, client = customer
    held = (
        api(alpha)
        .post(
            f"/api/v1/shows/{show.pk}/holds/",
            {"seats": seat_ids(alpha.schema_name, show, ["B2"])},
            format="json",
            HTTP_X_CART_ID=CART,
        )
        .json()
    )

    with_cart = client.post(
        f"/api/v1/holds/{held['id']}/quote/", {}, format="json", HTTP_X_CART_ID=CART
    )
    without = client.post(f"/api/v1/holds/{held['id']}/quote/", {}, format="json")

    assert with_cart.status_code == 200
    assert without.status_code == 404
    # Quoting is not claiming: the hold is still the cart's until an order is placed.
    nothing_changed(held["id"], owner={"user_id": None, "cart_id": CART})


def test_someone_elses_hold_is_not_found(api, alpha, beta, show, customer, as_role):
    _, client = customer
    held = hold(client, show, seat_ids(alpha.schema_name, show, ["B3"]))
    stranger = as_role(Role.CUSTOMER)
    box_office = as_role(Role.BOX_OFFICE)
    at_beta = api(beta)

    answers = [
        quote(stranger, held["id"]).status_code,
        quote(box_office, held["id"]).status_code,
        quote(api(alpha), held["id"]).status_code,
        quote(at_beta, held["id"]).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    # Managers sell at the box office too: someone else's hold is a 404 to them as well.
    assert quote(as_role(Role.MANAGER), held["id"]).status_code == 404
    assert quote(as_role(Role.SCANNER), held["id"]).status_code == 403


def test_box_office_quotes_its_own_walk_in_hold(alpha, show, as_role):
    box_office = as_role(Role.BOX_OFFICE)
    held = hold(box_office, show, seat_ids(alpha.schema_name, show, ["B4"]))

    body = quote(box_office, held["id"]).json()

    assert body["total"] == 20000 + 3000 + 540


def test_a_lapsed_released_or_ordered_hold_is_a_conflict(alpha, show, customer):
    _, client = customer
    lapsed = hold(client, show, seat_ids(alpha.schema_name, show, ["C3"]))
    released = hold(client, show, seat_ids(alpha.schema_name, show, ["C4"]))
    ordered = hold(client, show, seat_ids(alpha.schema_name, show, ["B5"]))
    with schema_context(alpha.schema_name):
        Hold.objects.filter(pk=lapsed["id"]).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    client.delete(f"/api/v1/holds/{released['id']}/")
    placed = order(client, ordered["id"]).json()

    answers = [quote(client, held["id"]) for held in (lapsed, released, ordered)]

    assert [(a.status_code, a.json()["code"]) for a in answers] == [
        (409, "hold_expired"),
        (409, "hold_not_active"),
        (409, "order_exists"),
    ]
    assert answers[2].json()["order"] == placed["id"]


@pytest.mark.parametrize(
    "promo, status, code",
    [
        (None, 400, "promo_invalid"),
        ({"valid_until": timezone.now() - timedelta(days=1)}, 400, "promo_expired"),
        ({"valid_from": timezone.now() + timedelta(days=1)}, 400, "promo_expired"),
        ({"titles": "play"}, 400, "promo_not_applicable"),
        ({"max_uses": 0}, 409, "promo_used_up"),
        ({"is_active": False}, 400, "promo_invalid"),
    ],
)
def test_a_code_checkout_would_refuse_is_refused_with_its_reason(
    alpha, show, programme, customer, promo, status, code
):
    user, client = customer
    if promo is not None:
        with schema_context(alpha.schema_name):
            titles = promo.pop("titles", None)
            made = PromoCode.objects.create(code="TRYME", kind="fixed", value=500, **promo)
            if titles:
                made.titles.set([programme[titles]])
    held = hold(client, show, seat_ids(alpha.schema_name, show, ["D3"]))

    refused = quote(client, held["id"], promo_code="TRYME")
    at_checkout = order(client, held["id"], promo_code="TRYME")

    assert (refused.status_code, refused.json()["code"]) == (status, code)
    assert refused.json()["detail"]
    assert (at_checkout.status_code, at_checkout.json()["code"]) == (status, code)
    nothing_changed(held["id"], owner={"user_id": user.pk, "cart_id": ""})


def test_a_per_customer_code_needs_a_signed_in_customer(api, alpha, show):
    client = api(alpha)
    held = client.post(
        f"/api/v1/shows/{show.pk}/holds/",
        {"seats": seat_ids(alpha.schema_name, show, ["D5"])},
        format="json",
        HTTP_X_CART_ID=CART,
    ).json()

    refused = client.post(
        f"/api/v1/holds/{held['id']}/quote/",
        {"promo_code": "WELCOME10"},
        format="json",
        HTTP_X_CART_ID=CART,
    )

    assert (refused.status_code, refused.json()["code"]) == (400, "promo_sign_in_required")
    nothing_changed(held["id"], owner={"user_id": None, "cart_id": CART})


def test_a_code_already_used_by_this_customer_is_used_up(alpha, show, customer, api):
    _, client = customer
    first = hold(client, show, seat_ids(alpha.schema_name, show, ["A5"]))
    assert order(client, first["id"], promo_code="WELCOME10").status_code == 201
    second = hold(client, show, seat_ids(alpha.schema_name, show, ["A6"]))

    refused = quote(client, second["id"], promo_code="WELCOME10")

    assert (refused.status_code, refused.json()["code"]) == (409, "promo_used_up")


def test_quotes_are_throttled_like_holds(alpha, show, customer, settings):
    _, client = customer
    held = hold(client, show, seat_ids(alpha.schema_name, show, ["A7"]))
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "hold_client": "3/min",  # the hold itself was the first
        },
    }

    answers = [quote(client, held["id"]).status_code for _ in range(3)]

    assert answers == [200, 200, 429]


def test_a_bad_body_is_a_400(alpha, show, customer):
    _, client = customer
    held = hold(client, show, seat_ids(alpha.schema_name, show, ["A8"]))

    response = quote(client, held["id"], promo_code="x" * 100)

    assert response.status_code == 400
    assert response.json()["code"] == "max_length"
