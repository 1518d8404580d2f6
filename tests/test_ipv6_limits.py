"""An IPv6 customer line is a whole /64: every limit per address counts it once, so
stepping through its addresses dodges nothing."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tests.fixtures import PASSWORD, sign_in_from, throttle_rates

pytestmark = pytest.mark.django_db


def test_an_ipv6_client_is_one_address_across_its_64(api, alpha, make_user, settings):
    # Attacker: an IPv6 customer line is a whole /64, so stepping through its addresses
    # used to dodge every per-address limit (2^64 fresh addresses).
    throttle_rates(settings, login_address="2/min")
    users = [make_user(alpha) for _ in range(3)]

    answers = [
        sign_in_from(api, alpha, user.email, PASSWORD, f"2001:db8:1:2::{n + 1:x}").status_code
        for n, user in enumerate(users)
    ]
    next_subscriber = sign_in_from(api, alpha, users[0].email, PASSWORD, "2001:db8:1:3::1")

    assert answers == [200, 200, 429]
    assert next_subscriber.status_code == 200


def test_ipv6_guesses_across_a_64_meet_one_lockout(api, alpha, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    victim = make_user(alpha)

    guesses = [
        sign_in_from(api, alpha, victim.email, f"guess-{n}", f"2001:db8:5:6::{n + 1:x}").status_code
        for n in range(5)
    ]

    assert guesses == [401, 401, 401, 429, 429]


def test_ipv4_clients_seen_through_ipv6_are_not_lumped_together():
    from tenants.addresses import address_bucket

    assert address_bucket("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_bucket("::ffff:192.0.2.2") == "192.0.2.2"
    assert address_bucket("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::"
    assert address_bucket("192.0.2.9") == "192.0.2.9"
    assert address_bucket(None) is None


def test_anonymous_holds_count_an_ipv6_client_per_64(api, alpha, programme, settings):
    # Attacker: anonymous carts cost nothing, and the ceiling on holds per address was
    # counted per /128, so one IPv6 line could hold a whole show from fresh addresses.
    from venue_apps.inventory.models import ShowSeat

    settings.HOLDS_PER_ADDRESS = 2
    show = programme["show"]
    with schema_context(alpha.schema_name):
        seat_ids = list(
            ShowSeat.objects.filter(show=show).order_by("id").values_list("id", flat=True)[:4]
        )

    def hold(seat_id, cart, address):
        return api(alpha).post(
            f"/api/v1/shows/{show.pk}/holds/",
            {"seats": [seat_id]},
            format="json",
            HTTP_X_CART_ID=cart,
            REMOTE_ADDR=address,
        )

    same_line = [
        hold(seat_id, f"ipv6-cart-{n}-xxxxxxxxxx", f"2001:db8:7:8::{n + 1:x}").status_code
        for n, seat_id in enumerate(seat_ids[:3])
    ]
    next_line = hold(seat_ids[3], "ipv6-cart-9-xxxxxxxxxx", "2001:db8:7:9::1")

    assert same_line == [201, 201, 409]
    assert next_line.status_code == 201
