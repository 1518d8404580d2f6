"""With Redis down, every rate limit still holds: the throttles count in the database
while Redis cannot be reached (the cache itself ignores Redis errors), and the limits
that protect accounts always count there."""

from __future__ import annotations

import pytest

from tests.fixtures import PASSWORD, sign_in_from, throttle_rates

pytestmark = pytest.mark.django_db
ATTACKER = "192.0.2.66"
ELSEWHERE = "203.0.113.7"
DEAD_REDIS = "redis://127.0.0.1:1/0"


def _reset(api, tenant, email, address):
    return api(tenant).post(
        "/api/v1/auth/password-reset/", {"email": email}, format="json", REMOTE_ADDR=address
    )


@pytest.fixture
def redis_down(settings):
    # Through the `settings` fixture, so that it is undone in turn with the rates.
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS}}


def test_with_redis_down_the_sign_in_limit_per_address_still_holds(
    api, alpha, make_user, settings, redis_down
):
    throttle_rates(settings, login_address="3/min")
    settings.AXES_FAILURE_LIMIT = 100
    users = [make_user(alpha) for _ in range(4)]

    answers = [sign_in_from(api, alpha, user.email, "wrong", ATTACKER) for user in users]
    elsewhere = sign_in_from(api, alpha, users[0].email, PASSWORD, ELSEWHERE)

    assert [answer.status_code for answer in answers] == [401, 401, 401, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert elsewhere.status_code == 200


def test_with_redis_down_the_email_limit_per_address_still_holds(api, alpha, settings, redis_down):
    throttle_rates(settings, email_address="2/hour")

    answers = [
        _reset(api, alpha, f"someone{n}@example.com", ATTACKER).status_code for n in range(3)
    ]

    assert answers == [202, 202, 429]


def test_with_redis_down_checkout_limits_still_hold(api, alpha, customer, settings, redis_down):
    throttle_rates(settings, checkout_client="2/min")
    _, client = customer

    answers = [
        client.post("/api/v1/orders/", {}, format="json", REMOTE_ADDR=ATTACKER).status_code
        for _ in range(3)
    ]

    assert answers == [400, 400, 429]


def test_with_redis_down_a_flood_still_meets_the_account_ceiling(
    api, alpha, make_user, settings, redis_down
):
    throttle_rates(settings, login_account="2/hour")
    settings.AXES_FAILURE_LIMIT = 100
    victim = make_user(alpha)

    guesses = [
        sign_in_from(api, alpha, victim.email, "guess", f"192.0.2.{n}").status_code
        for n in range(4)
    ]

    assert guesses == [401, 401, 429, 429]


def test_with_redis_down_the_hold_limit_per_cart_still_holds(api, alpha, settings, redis_down):
    # The hold views count all their limits in one Redis call; without Redis, each
    # limit counts in the database.
    throttle_rates(settings, hold_client="2/min")
    cart = "redis-down-cart-000001"
    answers = [
        api(alpha)
        .post("/api/v1/shows/999999/holds/", {"seats": [1]}, format="json", HTTP_X_CART_ID=cart)
        .status_code
        for _ in range(3)
    ]

    assert answers == [404, 404, 429]
