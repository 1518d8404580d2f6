"""Two factors for staff: an authenticator app (RFC 6238 codes) enrolled through the API,
then asked for at every sign-in, by the API and by both dashboards. The clock is moved
with time-machine, so that codes of successive 30-second steps can be used."""

from __future__ import annotations

import base64
import time

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django_otp.oath import TOTP
from django_tenants.utils import schema_context

from tests.fixtures import PASSWORD, PLATFORM_STAFF_EMAIL, obtain_tokens
from venue_apps.accounts.models import Role, TOTPDevice, User

pytestmark = pytest.mark.django_db
START = 1_900_000_020  # the start of a 30-second step


def _code(secret: str, at: float) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = at
    return f"{totp.token():06d}"


def _signed_in(api, tenant, user, **extra):
    client = api(tenant)
    tokens = obtain_tokens(client, user.email, platform=tenant is None)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client, tokens


def _enrol(client, prefix="/api/v1") -> str:
    setup = client.post(f"{prefix}/auth/2fa/setup/")
    assert setup.status_code == 201, setup.content
    secret = setup.json()["secret"]
    confirmed = client.post(
        f"{prefix}/auth/2fa/confirm/", {"code": _code(secret, time.time())}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.content
    return secret


def _token(api, tenant, email, **body):
    path = "/api/v1/auth/token/" if tenant else "/api/platform/auth/token/"
    return api(tenant).post(path, {"email": email, "password": PASSWORD, **body}, format="json")


@time_machine.travel(START, tick=False)
def test_a_manager_enrols_and_then_signs_in_with_a_code(api, alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    client, before = _signed_in(api, alpha, manager)

    setup = client.post("/api/v1/auth/2fa/setup/")
    secret = setup.json()["secret"]
    pending = client.get("/api/v1/auth/2fa/").json()
    assert setup.json()["otpauth_url"].startswith("otpauth://totp/Alpha%20Cinemas%3A")
    assert f"secret={secret}" in setup.json()["otpauth_url"]
    assert setup.json()["qr_svg"].startswith("<svg")
    wrong = client.post("/api/v1/auth/2fa/confirm/", {"code": "000000"}, format="json")
    too_soon = client.post(
        "/api/v1/auth/2fa/confirm/", {"code": _code(secret, START)}, format="json"
    )
    with time_machine.travel(START + 2, tick=False):  # the wrong code's back-off is 1 s
        right = client.post(
            "/api/v1/auth/2fa/confirm/", {"code": _code(secret, START)}, format="json"
        )

    assert pending == {
        "enabled": False,
        "pending": True,
        "required": False,
        "recovery_codes_left": 0,
    }
    assert (wrong.status_code, wrong.json()["code"]) == (400, "otp_invalid")
    # Wrong codes count even though the request failed: the next one waits its turn.
    assert too_soon.status_code == 400
    assert right.status_code == 200
    # Sessions opened with the password alone end when the second factor is switched on.
    assert (
        api(alpha)
        .post("/api/v1/auth/token/refresh/", {"refresh": before["refresh"]}, format="json")
        .status_code
        == 401
    )
    with time_machine.travel(START + 30, tick=False):
        without = _token(api, alpha, manager.email)
        bad = _token(api, alpha, manager.email, otp="123456")
    with time_machine.travel(START + 35, tick=False):  # after the wrong code's back-off
        good = _token(api, alpha, manager.email, otp=_code(secret, START + 30))
        replayed = _token(api, alpha, manager.email, otp=_code(secret, START + 30))
    assert (without.status_code, without.json()["code"]) == (401, "otp_required")
    assert (bad.status_code, bad.json()["code"]) == (401, "otp_invalid")
    assert good.status_code == 200 and good.json()["access"]
    assert (replayed.status_code, replayed.json()["code"]) == (401, "otp_invalid")


@time_machine.travel(START, tick=False)
def test_the_key_is_sealed_at_rest(api, alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    client, _ = _signed_in(api, alpha, owner)

    secret = _enrol(client)

    raw_key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    with connection.cursor() as cursor:
        cursor.execute("SELECT key_sealed FROM alpha.accounts_totpdevice")
        (sealed,) = cursor.fetchone()
    assert raw_key not in sealed and sealed.startswith("s1.")
    with schema_context(alpha.schema_name):
        assert TOTPDevice.objects.get().key_bytes().hex() == raw_key


@time_machine.travel(START, tick=False)
def test_a_code_two_steps_old_is_refused_and_one_step_old_taken(api, alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    secret = _enrol(client)

    with time_machine.travel(START + 300, tick=False):
        stale = _token(api, alpha, manager.email, otp=_code(secret, START + 240))
    with time_machine.travel(START + 305, tick=False):  # after the wrong code's back-off
        near = _token(api, alpha, manager.email, otp=_code(secret, START + 270))

    assert stale.status_code == 401  # two steps old
    assert near.status_code == 200  # one step: a phone clock a little behind


def test_guessing_codes_is_throttled_on_the_device(api, alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    with time_machine.travel(START, tick=False):
        client, _ = _signed_in(api, alpha, manager)
        secret = _enrol(client)
        for guess in ("111111", "222222", "333333"):
            assert _token(api, alpha, manager.email, otp=guess).status_code == 401
        # Right after the wrong guesses even the right code waits its turn…
        blocked = _token(api, alpha, manager.email, otp=_code(secret, START + 30))
    assert blocked.status_code == 401
    # …and is taken once the back-off has passed.
    with time_machine.travel(START + 60, tick=False):
        assert _token(api, alpha, manager.email, otp=_code(secret, START + 60)).status_code == 200


@time_machine.travel(START, tick=False)
def test_turning_it_off_needs_a_current_code(api, alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    secret = _enrol(client)
    client = api(alpha)
    with time_machine.travel(START + 30, tick=False):
        tokens = _token(api, alpha, manager.email, otp=_code(secret, START + 30)).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    with time_machine.travel(START + 60, tick=False):
        refused = client.post("/api/v1/auth/2fa/disable/", {"code": "999999"}, format="json")
    with time_machine.travel(START + 65, tick=False):
        done = client.post(
            "/api/v1/auth/2fa/disable/", {"code": _code(secret, START + 60)}, format="json"
        )
        after = client.get("/api/v1/auth/2fa/").json()
        password_alone = _token(api, alpha, manager.email)

    assert refused.status_code == 400
    assert done.status_code == 204
    assert after == {
        "enabled": False,
        "pending": False,
        "required": False,
        "recovery_codes_left": 0,
    }
    assert password_alone.status_code == 200


def test_customers_have_no_second_factor_to_set_up(customer):
    _, client = customer

    answer = client.post("/api/v1/auth/2fa/setup/")

    assert answer.status_code == 403


def test_bad_codes_are_400s(as_role):
    client = as_role(Role.MANAGER)
    client.post("/api/v1/auth/2fa/setup/")

    answers = [
        client.post("/api/v1/auth/2fa/confirm/", body, format="json").status_code
        for body in ({}, {"code": "12345"}, {"code": "abcdef"}, {"code": ["1"]})
    ]
    not_started = as_role(Role.OWNER).post(
        "/api/v1/auth/2fa/confirm/", {"code": "123456"}, format="json"
    )

    assert answers == [400, 400, 400, 400]
    assert (not_started.status_code, not_started.json()["code"]) == (400, "otp_not_set_up")


@time_machine.travel(START, tick=False)
def test_the_dashboard_asks_for_the_code(api, alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    client, _ = _signed_in(api, alpha, owner)
    secret = _enrol(client)
    browser = Client(HTTP_HOST=f"{alpha.slug}.{settings.PLATFORM_DOMAIN}")
    login = "/dashboard/login/?next=/dashboard/"

    form = browser.get(login)
    password_only = browser.post(login, {"username": owner.email, "password": PASSWORD})
    with time_machine.travel(START + 30, tick=False):
        with_code = browser.post(
            login,
            {"username": owner.email, "password": PASSWORD, "otp_token": _code(secret, START + 30)},
        )
        index = browser.get("/dashboard/")

    assert 'name="otp_token"' in form.content.decode()
    assert password_only.status_code == 200
    assert "authenticator app" in password_only.content.decode()
    assert with_code.status_code == 302 and with_code["Location"] == "/dashboard/"
    assert index.status_code == 200


@time_machine.travel(START, tick=False)
def test_a_session_without_the_code_cannot_open_the_dashboard(alpha, api, make_user):
    """A session signed in some other way (say, before the app was enrolled) is sent
    back to the login page once the account has an app."""
    owner = make_user(alpha, role=Role.OWNER)
    browser = Client(HTTP_HOST=f"{alpha.slug}.{settings.PLATFORM_DOMAIN}")
    with schema_context(alpha.schema_name):
        browser.force_login(User.objects.get(pk=owner.pk))
    assert browser.get("/dashboard/").status_code == 200
    client, _ = _signed_in(api, alpha, owner)

    _enrol(client)

    answer = browser.get("/dashboard/")
    assert answer.status_code == 302 and "/dashboard/login/" in answer["Location"]


@time_machine.travel(START, tick=False)
def test_platform_staff_enrol_and_the_console_and_platform_api_ask(api):
    client, _ = _signed_in(api, None, User.objects.get(email=PLATFORM_STAFF_EMAIL))
    try:
        secret = _enrol(client, prefix="/api/platform")
        console = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
        with time_machine.travel(START + 30, tick=False):
            without = _token(api, None, PLATFORM_STAFF_EMAIL)
            with_code = _token(api, None, PLATFORM_STAFF_EMAIL, otp=_code(secret, START + 30))
        with time_machine.travel(START + 60, tick=False):
            console_login = console.post(
                "/console/login/?next=/console/",
                {
                    "username": PLATFORM_STAFF_EMAIL,
                    "password": PASSWORD,
                    "otp_token": _code(secret, START + 60),
                },
            )
        assert (without.status_code, without.json()["code"]) == (401, "otp_required")
        assert with_code.status_code == 200
        assert console_login.status_code == 302
    finally:
        TOTPDevice.objects.filter(user__email=PLATFORM_STAFF_EMAIL).delete()


@time_machine.travel(START, tick=False)
def test_staff_enrol_from_the_dashboard_and_stay_signed_in(alpha, make_user):
    import re

    manager = make_user(alpha, role=Role.MANAGER)
    browser = Client(HTTP_HOST=f"{alpha.slug}.{settings.PLATFORM_DOMAIN}")
    with schema_context(alpha.schema_name):
        browser.force_login(User.objects.get(pk=manager.pk))
    page = "/dashboard/two-factor/"

    index = browser.get("/dashboard/")
    off = browser.get(page)
    setup = browser.post(page, {"action": "setup"})
    secret = re.search(r"<code>([A-Z2-7]+)</code>", setup.content.decode()).group(1)
    wrong = browser.post(page, {"action": "confirm", "code": "000000"})
    with time_machine.travel(START + 5, tick=False):  # after the wrong code's back-off
        on = browser.post(page, {"action": "confirm", "code": _code(secret, START)}, follow=True)

    assert 'href="/dashboard/two-factor/"' in index.content.decode()
    assert "is <strong>off</strong>" in off.content.decode()
    assert "<svg" in setup.content.decode()
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    assert on.status_code == 200 and "is <strong>on</strong>" in on.content.decode()
    # This session gave the code by confirming it; it still opens the dashboard.
    assert browser.get("/dashboard/").status_code == 200
    with schema_context(alpha.schema_name):
        assert TOTPDevice.objects.filter(user_id=manager.pk, confirmed=True).exists()

    with time_machine.travel(START + 30, tick=False):
        off_again = browser.post(
            page, {"action": "disable", "code": _code(secret, START + 30)}, follow=True
        )
    assert "is <strong>off</strong>" in off_again.content.decode()


@time_machine.travel(START, tick=False)
def test_platform_staff_enrol_from_the_console(api):
    import re

    staff = User.objects.get(email=PLATFORM_STAFF_EMAIL)
    console = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    console.force_login(staff)

    setup = console.post("/console/two-factor/", {"action": "setup"})
    secret = re.search(r"<code>([A-Z2-7]+)</code>", setup.content.decode()).group(1)
    on = console.post("/console/two-factor/", {"action": "confirm", "code": _code(secret, START)})

    assert setup.status_code == 200 and "<svg" in setup.content.decode()
    # The answer shows the recovery codes, this once.
    assert on.status_code == 200 and "not shown again" in on.content.decode()
    assert len(re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", on.content.decode())) == 10
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert console.get("/console/").status_code == 200


@time_machine.travel(START, tick=False)
def test_the_owner_resets_the_app_of_someone_who_lost_their_phone(api, alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    secret = _enrol(client)
    with time_machine.travel(START + 30, tick=False):
        session = _token(api, alpha, manager.email, otp=_code(secret, START + 30)).json()
    owners_browser = Client(HTTP_HOST=f"{alpha.slug}.{settings.PLATFORM_DOMAIN}")
    with schema_context(alpha.schema_name):
        owners_browser.force_login(User.objects.get(pk=owner.pk))
    action = {"action": "two_factor_reset", "_selected_action": [manager.pk, owner.pk]}

    with time_machine.travel(START + 40, tick=False):
        answer = owners_browser.post("/dashboard/accounts/user/", action, follow=True)
        password_alone = _token(api, alpha, manager.email)
        old_refresh = api(alpha).post(
            "/api/v1/auth/token/refresh/", {"refresh": session["refresh"]}, format="json"
        )

    page = answer.content.decode()
    assert "reset for 1" in page
    assert "Turn off your own app with a current code" in page  # the owner's own row
    assert password_alone.status_code == 200
    assert old_refresh.status_code == 401
    with schema_context(alpha.schema_name):
        assert not TOTPDevice.objects.filter(user_id=manager.pk).exists()


def test_only_owners_reset_two_factors(alpha, make_user):
    from tenants.error_codes import DomainError
    from venue_apps.accounts.services.two_factor import totp_reset

    manager, box_office = (
        make_user(alpha, role=Role.MANAGER),
        make_user(alpha, role=Role.BOX_OFFICE),
    )

    with schema_context(alpha.schema_name):
        TOTPDevice.objects.create(user_id=box_office.pk, name="Authenticator app", confirmed=True)
        with pytest.raises(DomainError) as refused:
            totp_reset(box_office, actor=manager)

        assert (refused.value.code, refused.value.detail, refused.value.status_code) == (
            "staff_invalid",
            "Only owners reset two factors.",
            400,
        )
        assert TOTPDevice.objects.filter(user_id=box_office.pk).count() == 1


@time_machine.travel(START, tick=False)
def test_a_session_alone_cannot_swap_in_another_app(api, alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    secret = _enrol(client)
    with time_machine.travel(START + 30, tick=False):
        stolen = api(alpha)
        access = _token(api, alpha, manager.email, otp=_code(secret, START + 30)).json()["access"]
        stolen.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

        swap = stolen.post("/api/v1/auth/2fa/setup/")

    assert (swap.status_code, swap.json()["code"]) == (409, "otp_already_on")
    with time_machine.travel(START + 60, tick=False):
        # The owner's own app still works.
        assert _token(api, alpha, manager.email, otp=_code(secret, START + 60)).status_code == 200


@time_machine.travel(START, tick=False)
def test_wrong_codes_to_turn_it_off_count_towards_the_back_off(api, alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    secret = _enrol(client)
    with time_machine.travel(START + 30, tick=False):
        access = _token(api, alpha, manager.email, otp=_code(secret, START + 30)).json()["access"]
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    with time_machine.travel(START + 40, tick=False):
        for guess in ("111111", "222222", "333333", "444444"):
            client.post("/api/v1/auth/2fa/disable/", {"code": guess}, format="json")
        right_too_soon = client.post(
            "/api/v1/auth/2fa/disable/", {"code": _code(secret, START + 30 + 30)}, format="json"
        )

    assert right_too_soon.status_code == 400
    with schema_context(alpha.schema_name):
        # Counted and kept, though each request failed (guesses within the back-off
        # are not even checked).
        assert TOTPDevice.objects.get(user_id=manager.pk).throttling_failure_count == 1
    with time_machine.travel(START + 62, tick=False):
        done = client.post(
            "/api/v1/auth/2fa/disable/", {"code": _code(secret, START + 62)}, format="json"
        )
    assert done.status_code == 204
