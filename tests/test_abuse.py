"""Keeping attackers out: lockout per account and address, rate limits keyed by account
(generous per address), security headers, and CORS closed by default."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.fixtures import PASSWORD
from venue_apps.accounts.models import Role

pytestmark = pytest.mark.django_db
HOME_WIFI = "203.0.113.7"
CINEMA_WIFI = "198.51.100.20"


def _sign_in(api, tenant, email, password, address):
    return api(tenant).post(
        "/api/v1/auth/token/",
        {"email": email, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_five_wrong_passwords_lock_that_account_from_that_address_only(
    api, alpha, make_user, settings
):
    settings.AXES_FAILURE_LIMIT = 5
    victim = make_user(alpha)
    neighbour = make_user(alpha)

    wrong = [_sign_in(api, alpha, victim.email, "guess-" + str(n), CINEMA_WIFI) for n in range(5)]
    locked = _sign_in(api, alpha, victim.email, PASSWORD, CINEMA_WIFI)
    from_home = _sign_in(api, alpha, victim.email, PASSWORD, HOME_WIFI)
    same_wifi_other_account = _sign_in(api, alpha, neighbour.email, PASSWORD, CINEMA_WIFI)

    assert [answer.status_code for answer in wrong] == [401] * 5
    assert locked.status_code == 429
    assert locked.json()["code"] == "account_locked"
    assert int(locked["Retry-After"]) == 15 * 60
    assert from_home.status_code == 200  # the account, not the person, was being guessed
    assert same_wifi_other_account.status_code == 200  # never a whole address


def test_a_lockout_at_one_chain_does_not_lock_the_same_email_at_another(
    api, alpha, beta, make_user, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    email = "twice@example.com"
    make_user(alpha, email=email)
    make_user(beta, email=email)
    for n in range(3):
        _sign_in(api, alpha, email, f"wrong-{n}", CINEMA_WIFI)

    assert _sign_in(api, alpha, email, PASSWORD, CINEMA_WIFI).status_code == 429
    assert _sign_in(api, beta, email, PASSWORD, CINEMA_WIFI).status_code == 200


def test_the_dashboard_login_locks_out_too(alpha, make_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    manager = make_user(alpha, role=Role.MANAGER)
    browser = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=CINEMA_WIFI)
    for n in range(3):
        browser.post("/dashboard/login/", {"username": manager.email, "password": f"x{n}"})

    locked = browser.post("/dashboard/login/", {"username": manager.email, "password": PASSWORD})

    assert locked.status_code == 429
    assert "Retry-After" in locked


def test_sign_in_is_rate_limited_per_account_and_generously_per_address(
    api, alpha, make_user, settings
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "login_account": "3/min",
            "login_address": "8/min",
        },
    }
    settings.AXES_FAILURE_LIMIT = 100
    target = make_user(alpha)
    others = [make_user(alpha) for _ in range(4)]

    # Guessing one account from many addresses still meets the per-account limit.
    spread = [_sign_in(api, alpha, target.email, "guess", f"192.0.2.{n}") for n in range(4)]
    # Many customers behind one address all sign in until the generous ceiling.
    crowd = [_sign_in(api, alpha, user.email, PASSWORD, CINEMA_WIFI) for user in others]

    assert [answer.status_code for answer in spread] == [401, 401, 401, 429]
    assert int(spread[-1]["Retry-After"]) > 0
    assert [answer.status_code for answer in crowd] == [200] * 4


def test_registration_is_rate_limited_per_address(api, alpha, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "register_address": "2/hour",
        },
    }
    answers = [
        api(alpha).post(
            "/api/v1/auth/register/",
            {"email": f"bot{n}@example.com", "password": PASSWORD, "name": "Bot"},
            format="json",
            REMOTE_ADDR="192.0.2.99",
        )
        for n in range(3)
    ]

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert "Retry-After" in answers[-1]


def test_pages_carry_the_security_headers(api, alpha, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    answer = api(alpha).get("/api/v1/tenant/", secure=True)

    assert answer["Strict-Transport-Security"].startswith("max-age=31536000")
    assert answer["X-Frame-Options"] == "DENY"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "same-origin"
    assert answer["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in answer["Content-Security-Policy"].split(";")
    )
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert answer["Permissions-Policy"].startswith("camera=(self)")


def test_cors_is_closed_unless_an_origin_is_listed(api, alpha, settings):
    preflight = {
        "HTTP_ORIGIN": "https://evil.example",
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization,content-type",
    }
    closed = api(alpha).options("/api/v1/orders/", **preflight)
    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example"]
    still_closed = api(alpha).options("/api/v1/orders/", **preflight)
    listed = api(alpha).options(
        "/api/v1/orders/", **{**preflight, "HTTP_ORIGIN": "https://partner.example"}
    )

    assert "Access-Control-Allow-Origin" not in closed
    assert "Access-Control-Allow-Origin" not in still_closed
    assert listed["Access-Control-Allow-Origin"] == "https://partner.example"


def test_the_dashboard_login_needs_its_csrf_token(alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    browser = Client(HTTP_HOST="alpha.localhost", enforce_csrf_checks=True)
    credentials = {"username": manager.email, "password": PASSWORD}

    forged = browser.post("/dashboard/login/", credentials)
    form = browser.get("/dashboard/login/")
    token = form.context["csrf_token"]
    genuine = browser.post(
        "/dashboard/login/?next=/dashboard/", {**credentials, "csrfmiddlewaretoken": str(token)}
    )

    assert forged.status_code == 403
    assert genuine.status_code == 302 and genuine["Location"] == "/dashboard/"
