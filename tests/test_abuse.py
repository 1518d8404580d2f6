"""Keeping attackers out: lockout per account and address, rate limits keyed by account
(generous per address), security headers, and CORS closed by default."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.fixtures import PASSWORD, obtain_tokens, throttle_rates
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


def _policy(answer) -> dict[str, str]:
    return dict(
        directive.strip().split(" ", 1)
        for directive in answer["Content-Security-Policy"].split(";")
    )


@pytest.mark.parametrize("path", ["/api/v1/tenant/", "/dashboard/login/"])
def test_pages_carry_the_security_headers(api, alpha, settings, path):
    settings.SECURE_HSTS_SECONDS = 31536000
    answer = api(alpha).get(path, secure=True)

    assert answer.status_code == 200
    assert answer["Strict-Transport-Security"].startswith("max-age=31536000")
    assert answer["X-Frame-Options"] == "DENY"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "same-origin"
    assert answer["Cross-Origin-Opener-Policy"] == "same-origin"
    assert answer["Permissions-Policy"].startswith("camera=(self)")
    policy = _policy(answer)
    assert policy["frame-ancestors"] == "'none'"
    if answer["Content-Type"].startswith("application/json"):
        # Data, never a page: nothing may load or run if a browser shows it.
        assert policy == {"default-src": "'none'", "frame-ancestors": "'none'"}
    else:
        assert policy["default-src"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert "'unsafe-inline'" not in policy["script-src"]


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


def test_forwarded_for_is_read_from_our_proxies_only(api, alpha, make_user, settings):
    """X-Forwarded-For is the client's to write except for what our proxies append: it
    is ignored without proxies, read from the right behind them, and junk never gets
    further than the address our proxy saw."""
    from django.test import RequestFactory

    from tenants.addresses import client_address

    factory = RequestFactory()

    def seen(forwarded, remote="10.0.0.2"):
        return client_address(factory.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote))

    settings.NUM_PROXIES = 0
    assert seen("203.0.113.9") == "10.0.0.2"
    settings.NUM_PROXIES = 1
    assert seen("198.51.100.1, 203.0.113.9") == "203.0.113.9"  # the left is the client's
    assert seen("unknown") == "10.0.0.2"
    assert seen("203.0.113.9, not-an-address") == "10.0.0.2"
    assert seen("") == "10.0.0.2"
    settings.NUM_PROXIES = 2
    assert seen("203.0.113.9") == "10.0.0.2"  # did not come through both proxies


@pytest.mark.parametrize("forwarded", ["10.0.0.1, 203.0.113.9", "unknown", "x" * 300])
def test_odd_forwarded_for_headers_are_never_a_500(api, alpha, make_user, settings, forwarded):
    settings.NUM_PROXIES = 1
    user = make_user(alpha)
    client = api(alpha)

    good = client.post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    bad = client.post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": "nope"},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    dashboard = Client(HTTP_HOST="alpha.localhost", HTTP_X_FORWARDED_FOR=forwarded).post(
        "/dashboard/login/", {"username": user.email, "password": "nope"}
    )

    assert (good.status_code, bad.status_code, dashboard.status_code) == (200, 401, 200)


def test_spoofed_forwarded_for_neither_escapes_nor_causes_a_lockout(
    api, alpha, make_user, settings
):
    settings.NUM_PROXIES = 1
    settings.AXES_FAILURE_LIMIT = 5
    throttle_rates(settings, login_account="1000/min")
    victim = make_user(alpha)

    def attempt(password, spoof, real):
        return api(alpha).post(
            "/api/v1/auth/token/",
            {"email": victim.email, "password": password},
            format="json",
            HTTP_X_FORWARDED_FOR=f"{spoof}, {real}",
        )

    # A guesser writing a new address into the header each time is still one address.
    guesses = [attempt(f"guess{n}", f"198.51.100.{n}", CINEMA_WIFI).status_code for n in range(7)]
    # Writing the victim's address into the header locks nothing at the victim's.
    victim_at_home = attempt(PASSWORD, CINEMA_WIFI, HOME_WIFI)

    assert guesses == [401] * 5 + [429] * 2
    assert victim_at_home.status_code == 200


def test_the_dashboards_login_has_the_per_account_limit_too(alpha, make_user, settings):
    throttle_rates(settings, login_account="3/min")
    settings.AXES_FAILURE_LIMIT = 100
    owner = make_user(alpha, role=Role.OWNER)

    for n in range(3):
        Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=f"192.0.2.{n}").post(
            "/dashboard/login/", {"username": owner.email, "password": f"guess{n}"}
        )
    right = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR="192.0.2.99").post(
        "/dashboard/login/", {"username": owner.email, "password": PASSWORD}
    )

    assert right.status_code == 200  # the form again, not a session
    assert "Too many failed sign-ins for this account" in right.content.decode()


@pytest.mark.parametrize("body", ["[]", '["a"]', "null", '"x"', "5"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/token/",
        "/api/v1/auth/password-reset/",
        "/api/v1/auth/register/",
        "/api/v1/auth/token/refresh/",
    ],
)
def test_bodies_that_are_not_objects_are_400s(api, alpha, path, body):
    answer = api(alpha).post(path, body, content_type="application/json")

    assert answer.status_code == 400


def test_over_long_credentials_are_400s(api, alpha):
    long_email = api(alpha).post(
        "/api/v1/auth/token/", {"email": "a" * 300 + "@example.com", "password": "x"}, format="json"
    )
    long_password = api(alpha).post(
        "/api/v1/auth/token/", {"email": "a@example.com", "password": "x" * 5000}, format="json"
    )

    assert (long_email.status_code, long_password.status_code) == (400, 400)


def test_the_forgot_password_page_has_the_per_account_email_limit(
    api, alpha, make_user, settings, tasks_inline, django_capture_on_commit_callbacks
):
    from django.core import mail

    throttle_rates(settings, email_account_ceiling="2/hour")
    user = make_user(alpha)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=f"192.0.2.{n}")
            .post("/account/forgot-password/", {"email": user.email})
            .status_code
            for n in range(5)
        ]

    assert answers == [200] * 5  # the same answer whatever happens
    assert len(mail.outbox) == 2


def test_refreshing_the_token_of_a_deleted_account_is_a_401(api, alpha, make_user):
    from django_tenants.utils import schema_context

    from venue_apps.accounts.models import User

    user = make_user(alpha)
    tokens = obtain_tokens(api(alpha), user.email)
    with schema_context(alpha.schema_name):
        User.objects.filter(pk=user.pk).delete()

    answer = api(alpha).post(
        "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )

    assert answer.status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/orders/", "/dashboard/", "/healthz/live/"])
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_ORIGIN": "https://partner.example"},
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "https://partner.example", "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST"},
    ],
)
@pytest.mark.parametrize("method", ["get", "options"])
def test_our_cors_middleware_answers_as_django_cors_headers_does(settings, path, headers, method):
    import corsheaders.middleware
    from django.http import HttpResponse
    from django.test import RequestFactory

    from ticketing_platform.security import CorsMiddleware

    settings.CORS_ALLOWED_ORIGINS = ["https://partner.example"]

    def answer(middleware_class):
        request = getattr(RequestFactory(), method)(path, **headers)
        response = middleware_class(lambda request: HttpResponse("ok"))(request)
        return response.status_code, sorted(response.items())

    assert answer(CorsMiddleware) == answer(corsheaders.middleware.CorsMiddleware)
