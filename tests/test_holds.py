"""Seat holds over the API: all or nothing, one owner per seat, exact expiry, limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.fixtures import obtain_tokens
from venue_apps.inventory.holds import holds_expire
from venue_apps.inventory.models import Hold, ShowInventory, ShowSeat

pytestmark = pytest.mark.django_db

CART_A = "cart-aaaaaaaaaaaaaaaa"
CART_B = "cart-bbbbbbbbbbbbbbbb"


@pytest.fixture
def seats(alpha, programme):
    with schema_context(alpha.schema_name):
        return {
            seat.label: seat.pk
            for seat in ShowSeat.objects.filter(show=programme["show"]).order_by("y", "x")
        }


def hold(api, tenant, show, body, cart=CART_A):
    return api(tenant).post(
        f"/api/v1/shows/{show.pk}/holds/", body, format="json", HTTP_X_CART_ID=cart
    )


def seat_states(api, tenant, show) -> dict[int, str]:
    body = api(tenant).get(f"/api/v1/shows/{show.pk}/seats/").json()
    return {seat["id"]: seat["state"] for seat in body["seats"]}


def test_hold_is_all_or_nothing_and_names_what_was_taken(api, alpha, programme, seats):
    show = programme["show"]

    first = hold(api, alpha, show, {"seats": [seats["A1"], seats["A2"]]})
    second = hold(api, alpha, show, {"seats": [seats["A2"], seats["A3"]]}, cart=CART_B)

    assert first.status_code == 201, first.content
    body = first.json()
    assert [seat["label"] for seat in body["seats"]] == ["A1", "A2"]
    assert body["expires_at"]
    assert second.status_code == 409
    assert second.json()["code"] == "seats_unavailable"
    assert second.json()["seats"] == [seats["A2"]]
    states = seat_states(api, alpha, show)
    assert states[seats["A1"]] == states[seats["A2"]] == "held"
    assert states[seats["A3"]] == "available"  # the loser changed nothing


def test_release_frees_the_seats_and_versions_are_consecutive(api, alpha, programme, seats):
    show = programme["show"]
    with schema_context(alpha.schema_name):
        start = ShowInventory.objects.get(show=show).version

    created = hold(api, alpha, show, {"seats": [seats["B1"]]}).json()
    released = api(alpha).delete(f"/api/v1/holds/{created['id']}/", HTTP_X_CART_ID=CART_A)
    body = api(alpha).get(f"/api/v1/shows/{show.pk}/seats/").json()

    assert released.status_code == 204
    assert body["version"] == start + 2
    assert {seat["id"]: seat["state"] for seat in body["seats"]}[seats["B1"]] == "available"
    with schema_context(alpha.schema_name):
        assert Hold.objects.get(pk=created["id"]).status == "released"


def test_a_customer_who_signed_in_after_holding_reads_and_releases_the_carts_hold(
    api, alpha, programme, seats, customer
):
    """The storefront holds seats before the customer signs in; after signing in, the
    same browser still presents the cart's id, and its hold is still the customer's to
    see and let go."""
    show = programme["show"]
    created = hold(api, alpha, show, {"seats": [seats["C1"], seats["C2"]]}).json()
    _, client = customer

    without_cart = client.get(f"/api/v1/holds/{created['id']}/")
    seen = client.get(f"/api/v1/holds/{created['id']}/", HTTP_X_CART_ID=CART_A)
    refused = client.delete(f"/api/v1/holds/{created['id']}/")
    with schema_context(alpha.schema_name):
        still_held = Hold.objects.get(pk=created["id"]).status
    released = client.delete(f"/api/v1/holds/{created['id']}/", HTTP_X_CART_ID=CART_A)

    assert without_cart.status_code == 404
    assert seen.status_code == 200 and seen.json()["id"] == created["id"]
    assert refused.status_code == 404
    assert still_held == Hold.Status.ACTIVE
    assert released.status_code == 204
    with schema_context(alpha.schema_name):
        assert Hold.objects.get(pk=created["id"]).status == Hold.Status.RELEASED
        assert set(
            ShowSeat.objects.filter(pk__in=[seats["C1"], seats["C2"]]).values_list(
                "state", flat=True
            )
        ) == {"available"}


def test_another_cart_cannot_see_or_release_a_hold(api, alpha, programme, seats):
    created = hold(api, alpha, programme["show"], {"seats": [seats["B2"]]}).json()

    assert (
        api(alpha).get(f"/api/v1/holds/{created['id']}/", HTTP_X_CART_ID=CART_B).status_code == 404
    )
    assert (
        api(alpha).delete(f"/api/v1/holds/{created['id']}/", HTTP_X_CART_ID=CART_B).status_code
        == 404
    )
    assert (
        api(alpha).get(f"/api/v1/holds/{created['id']}/", HTTP_X_CART_ID=CART_A).status_code == 200
    )


def test_a_lapsed_hold_is_free_to_others_at_once_and_the_sweeper_closes_it(
    api, alpha, programme, seats
):
    show = programme["show"]
    created = hold(api, alpha, show, {"seats": [seats["C1"], seats["C2"]]}).json()
    with schema_context(alpha.schema_name):
        past = timezone.now() - timedelta(seconds=1)
        ShowSeat.objects.filter(hold_id=created["id"]).update(held_until=past)
        Hold.objects.filter(pk=created["id"]).update(expires_at=past)

    assert seat_states(api, alpha, show)[seats["C1"]] == "available"
    taken = hold(api, alpha, show, {"seats": [seats["C2"]]}, cart=CART_B)
    assert taken.status_code == 201
    with schema_context(alpha.schema_name):
        freed = holds_expire()
        assert freed == 1  # C1; C2 now belongs to the new hold
        assert Hold.objects.get(pk=created["id"]).status == "expired"
        assert ShowSeat.objects.get(pk=seats["C2"]).hold_id is not None


def test_best_available_picks_adjacent_seats_of_the_category(api, alpha, programme, seats):
    response = hold(
        api, alpha, programme["show"], {"best_available": {"count": 3, "category": "premium"}}
    )

    assert response.status_code == 201, response.content
    picked = response.json()["seats"]
    assert {seat["category"] for seat in picked} == {"premium"}
    assert len({seat["row"] for seat in picked}) == 1
    numbers = sorted(seat["number"] for seat in picked)
    assert numbers == list(range(numbers[0], numbers[0] + 3))


def test_best_available_keeps_a_wheelchair_place_with_its_companion(api, alpha, programme, seats):
    response = hold(
        api, alpha, programme["show"], {"best_available": {"count": 2, "category": "wheelchair"}}
    )

    assert response.status_code == 201, response.content
    labels = sorted(seat["label"] for seat in response.json()["seats"])
    assert labels in (["D1", "D2"], ["D5", "D6"])


def test_best_available_without_room_is_a_409(api, alpha, programme):
    response = hold(
        api, alpha, programme["show"], {"best_available": {"count": 9, "category": "regular"}}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "seats_unavailable"


@pytest.mark.parametrize(
    "body, code",
    [
        ({}, "hold_invalid"),
        ({"seats": []}, "min_length"),
        ({"seats": [1, 1]}, "hold_invalid"),
        ({"seats": [999999]}, "seats_unknown"),
        ({"best_available": {"count": 11}}, "hold_invalid"),
    ],
)
def test_bad_hold_requests_are_400s(api, alpha, programme, body, code):
    response = hold(api, alpha, programme["show"], body)

    assert response.status_code == 400, response.content
    assert response.json()["code"] == code


def test_holds_per_customer_are_limited(api, alpha, programme, seats, make_user):
    user = make_user(alpha)
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, user.email)['access']}")
    path = f"/api/v1/shows/{programme['show'].pk}/holds/"

    results = [
        client.post(path, {"seats": [seats[label]]}, format="json") for label in ("A5", "A6", "A7")
    ]

    assert [r.status_code for r in results] == [201, 201, 409]
    assert results[2].json()["code"] == "holds_limit"


def test_best_available_says_when_the_limit_of_holds_is_reached(
    api, alpha, programme, seats, make_user
):
    user = make_user(alpha)
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, user.email)['access']}")
    path = f"/api/v1/shows/{programme['show'].pk}/holds/"
    for label in ("A5", "A6"):
        assert client.post(path, {"seats": [seats[label]]}, format="json").status_code == 201

    best = client.post(path, {"best_available": {"count": 1}}, format="json")

    # Not "seats are going fast": the box office must know to release a hold.
    assert best.status_code == 409
    assert best.json()["code"] == "holds_limit"


def test_anonymous_hold_without_a_cart_gets_one(api, alpha, programme, seats):
    response = api(alpha).post(
        f"/api/v1/shows/{programme['show'].pk}/holds/", {"seats": [seats["A8"]]}, format="json"
    )

    assert response.status_code == 201
    assert len(response.json()["cart_id"]) >= 16


def test_a_show_not_on_sale_cannot_be_held(api, alpha, programme, seats):
    with schema_context(alpha.schema_name):
        programme["show"].__class__.objects.filter(pk=programme["show"].pk).update(
            sales_close_at=timezone.now() - timedelta(minutes=1),
            sales_open_at=timezone.now() - timedelta(days=1),
        )

    response = hold(api, alpha, programme["show"], {"seats": [seats["A1"]]})

    assert response.status_code == 409
    assert response.json()["code"] == "sales_closed"


def test_hold_rate_limit_answers_429_with_retry_after(api, alpha, programme, seats):
    path = f"/api/v1/shows/{programme['show'].pk}/holds/"
    client = api(alpha)
    codes = [
        client.post(path, {"seats": [999999]}, format="json", HTTP_X_CART_ID=CART_A).status_code
        for _ in range(31)
    ]

    assert codes[:30] == [400] * 30
    assert codes[30] == 429
    limited = client.post(path, {"seats": [999999]}, format="json", HTTP_X_CART_ID=CART_A)
    assert int(limited["Retry-After"]) > 0
    # Another cart behind the same address is not punished for it.
    other = client.post(path, {"seats": [seats["B5"]]}, format="json", HTTP_X_CART_ID=CART_B)
    assert other.status_code == 201


DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_with_redis_down_holds_still_work_and_nothing_is_double_held(
    api, alpha, programme, seats, settings
):
    caches = {"default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS}}
    layers = {"default": {**settings.CHANNEL_LAYERS["default"], "CONFIG": {"hosts": [DEAD_REDIS]}}}
    with override_settings(CACHES=caches, CHANNEL_LAYERS=layers):
        first = hold(api, alpha, programme["show"], {"seats": [seats["A3"], seats["A4"]]})
        second = hold(api, alpha, programme["show"], {"seats": [seats["A4"]]}, cart=CART_B)
        states = seat_states(api, alpha, programme["show"])

    assert first.status_code == 201, first.content
    assert second.status_code == 409
    assert states[seats["A4"]] == "held"


def test_releasing_a_lapsed_hold_never_frees_seats_someone_else_now_holds(
    api, alpha, programme, seats
):
    show = programme["show"]
    first = hold(api, alpha, show, {"seats": [seats["C3"], seats["C4"]]}).json()
    with schema_context(alpha.schema_name):
        past = timezone.now() - timedelta(seconds=1)
        ShowSeat.objects.filter(hold_id=first["id"]).update(held_until=past)
        Hold.objects.filter(pk=first["id"]).update(expires_at=past)
    second = hold(api, alpha, show, {"seats": [seats["C4"]]}, cart=CART_B).json()

    lapsed = api(alpha).get(f"/api/v1/holds/{first['id']}/", HTTP_X_CART_ID=CART_A).json()
    released = api(alpha).delete(f"/api/v1/holds/{first['id']}/", HTTP_X_CART_ID=CART_A)

    assert lapsed["status"] == "expired"
    assert released.status_code == 204
    with schema_context(alpha.schema_name):
        taken = ShowSeat.objects.get(pk=seats["C4"])
        assert (taken.state, str(taken.hold_id)) == ("held", second["id"])
        assert ShowSeat.objects.get(pk=seats["C3"]).state == "available"


def test_anonymous_holds_per_address_are_limited(api, alpha, programme, seats, settings):
    settings.HOLDS_PER_ADDRESS = 2
    show = programme["show"]
    carts = [f"address-cart-{index}-xxxxxxxx" for index in range(3)]

    codes = [
        hold(api, alpha, show, {"seats": [seats[label]]}, cart=cart).status_code
        for label, cart in zip(("B6", "B7", "B8"), carts, strict=True)
    ]

    assert codes == [201, 201, 409]


def test_a_new_holds_answer_is_the_same_json_as_reading_it_back(api, alpha, programme, seats):
    # The hold's answer is built from the rows its statement returned, not by
    # HoldOutput; reading the hold back goes through HoldOutput.
    body = {"seats": [seats["B3"], seats["A4"], seats["A3"]]}
    created = hold(api, alpha, programme["show"], body)
    read = api(alpha).get(f"/api/v1/holds/{created.json()['id']}/", HTTP_X_CART_ID=CART_A)

    assert created.status_code == 201, created.content
    assert created.content == read.content
    assert [seat["label"] for seat in created.json()["seats"]] == ["A3", "A4", "B3"]


@pytest.mark.parametrize(
    "body",
    [
        {"seats": [7]},
        {"seats": [3, 1, 2]},
        {"seats": list(range(1, 51))},
        {"seats": list(range(1, 52))},
        {"seats": []},
        {"seats": [0]},
        {"seats": [-4]},
        {"seats": [True]},
        {"seats": ["5"]},
        {"seats": [5.0]},
        {"seats": [[5]]},
        {"seats": 5},
        {"seats": None},
        {"seats": [5], "best_available": {"count": 2}},
        {"seats": [5], "note": "extra"},
        {"best_available": {"count": 2}},
        {"best_available": {"count": 2, "category": "vip"}},
        {"best_available": {"count": 0}},
        {},
        [5],
    ],
    ids=repr,
)
def test_the_hold_bodys_quick_reading_agrees_with_its_serializer(body):
    # The view reads the on-sale's shape by hand and leaves the rest to HoldInput:
    # both must accept the same bodies with the same values, and refuse the same.
    from rest_framework.exceptions import ValidationError

    from api.inventory.views import HoldInput, _hold_input

    serializer = HoldInput(data=body)
    if serializer.is_valid():
        assert _hold_input(body) == dict(serializer.validated_data)
    else:
        with pytest.raises(ValidationError) as refused:
            _hold_input(body)
        assert refused.value.detail == serializer.errors


def test_seats_taken_already_are_refused_by_the_first_statement(api, alpha, programme, seats):
    # Most hold requests of an on-sale ask for seats someone has: the first statement
    # sees it in the committed rows, and the hold's own statement is never sent.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    show = programme["show"]
    assert hold(api, alpha, show, {"seats": [seats["C5"]]}).status_code == 201

    with CaptureQueriesContext(connection) as log:
        refused = hold(api, alpha, show, {"seats": [seats["C6"], seats["C5"]]}, cart=CART_B)

    assert refused.status_code == 409
    assert refused.json()["code"] == "seats_unavailable"
    assert refused.json()["seats"] == [seats["C5"]]
    assert "C5" in refused.json()["detail"]
    assert not [query for query in log.captured_queries if "WITH mine AS" in query["sql"]]
    assert seat_states(api, alpha, show)[seats["C6"]] == "available"


def test_the_prepared_check_reads_each_chains_own_seats(alpha, beta, programme):
    # The check is prepared once per connection; a connection serves every chain. The
    # same statement, run in beta after alpha on one connection, must read beta's rows.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants.error_codes import Conflict, DomainError
    from tests.programme import build_programme
    from venue_apps.inventory import holds

    other = build_programme(beta.schema_name)
    owner = holds.HoldOwner(cart_id=CART_A, address="192.0.2.1")
    with schema_context(beta.schema_name):
        beta_seat = ShowSeat.objects.filter(show=other["show"]).order_by("id").first()
        ShowSeat.objects.filter(pk=beta_seat.pk).update(state="sold", hold=None, held_until=None)
    with schema_context(alpha.schema_name):
        alpha_seats = list(ShowSeat.objects.filter(show=programme["show"]).order_by("id"))

    with CaptureQueriesContext(connection) as log:
        with schema_context(alpha.schema_name):
            labels = holds._check(programme["show"].pk, [alpha_seats[0].pk], owner)
        with schema_context(beta.schema_name), pytest.raises(Conflict) as refused:
            holds._check(other["show"].pk, [beta_seat.pk], owner)
        with schema_context(alpha.schema_name):
            again = holds._check(programme["show"].pk, [alpha_seats[0].pk], owner)

    assert labels == again == {alpha_seats[0].pk: alpha_seats[0].label}
    assert refused.value.code == "seats_unavailable"  # beta's sold seat, read in beta
    # Seats are found by id and their show compared in Python: the seat of another
    # show of the same chain is not one of this show's.
    from tests.factories import ShowFactory

    second = ShowFactory(
        schema=alpha.schema_name,
        title=programme["film"],
        auditorium=programme["auditorium"],
        price_card=programme["price_card"],
        starts_at=programme["show"].starts_at + timedelta(hours=4),
    )
    with schema_context(alpha.schema_name), pytest.raises(DomainError) as unknown:
        holds._check(second.pk, [alpha_seats[0].pk], owner)
    assert unknown.value.code == "seats_unknown"
    statements = [query["sql"].split()[0] for query in log.captured_queries]
    assert statements.count("PREPARE") <= 1 and statements.count("EXECUTE") == 3
