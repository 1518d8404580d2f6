"""A chain that requires two factors for its staff, and recovery codes for a lost phone.

Staff the rule covers who signed in with a password alone reach only the enrolment
endpoints (API) or the two-factor page (dashboard) until they set up an app; the token
says how its holder signed in (`amr`), and keeps saying it through refresh. Recovery
codes stand in for the app once each, are stored hashed, and count towards the back-off
when wrong. The clock is moved with time-machine, as in test_two_factor."""

from __future__ import annotations

import re

import jwt
import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.core import mail
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tests.fixtures import PASSWORD, PLATFORM_STAFF_EMAIL, obtain_tokens
from tests.test_two_factor import START, _code, _signed_in, _token
from venue_apps.accounts.models import AccountSettings, RecoveryCode, Role, StaffTwoFactor, User
from venue_apps.accounts.services.two_factor import account_settings_update

pytestmark = pytest.mark.django_db


def _require(tenant, rule: StaffTwoFactor, capture) -> None:
    with schema_context(tenant.schema_name), capture(execute=True):
        account_settings_update(staff_two_factor=rule)


def _enrol(client, prefix="/api/v1", at=START) -> tuple[str, dict]:
    secret = client.post(f"{prefix}/auth/2fa/setup/").json()["secret"]
    confirmed = client.post(
        f"{prefix}/auth/2fa/confirm/", {"code": _code(secret, at)}, format="json"
    )
    assert confirmed.status_code == 200, confirmed.content
    return secret, confirmed.json()


def _amr(access: str) -> list[str]:
    return jwt.decode(access, options={"verify_signature": False})["amr"]


def _bearer(client, access: str):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


@time_machine.travel(START, tick=False)
def test_a_manager_of_a_chain_that_requires_it_must_enrol_first(
    api, alpha, make_user, django_capture_on_commit_callbacks
):
    _require(alpha, StaffTwoFactor.OWNERS_MANAGERS, django_capture_on_commit_callbacks)
    manager = make_user(alpha, role=Role.MANAGER)
    box_office = make_user(alpha, role=Role.BOX_OFFICE)
    client, first = _signed_in(api, alpha, manager)

    me = client.get("/api/v1/me/")
    refused = client.get("/api/v1/reports/ledger/")
    status = client.get("/api/v1/auth/2fa/").json()
    secret, confirmed = _enrol(client)
    _bearer(client, confirmed["access"])
    allowed = client.get("/api/v1/reports/ledger/")
    refreshed = api(alpha).post(
        "/api/v1/auth/token/refresh/", {"refresh": confirmed["refresh"]}, format="json"
    )
    after_refresh = _bearer(api(alpha), refreshed.json()["access"]).get("/api/v1/reports/ledger/")
    box_client, _ = _signed_in(api, alpha, box_office)

    assert me.status_code == 200 and me.json()["two_factor_required"] is True
    assert (refused.status_code, refused.json()["code"]) == (403, "two_factor_required")
    assert status["required"] is True and status["enabled"] is False
    assert _amr(first["access"]) == ["pwd"]
    assert _amr(confirmed["access"]) == ["pwd", "otp"]
    assert allowed.status_code == 200
    # The claim survives rotation: the refreshed access token still opens the ledger.
    assert refreshed.status_code == 200 and after_refresh.status_code == 200
    # Box office staff are not covered by "owners and managers".
    assert box_client.get("/api/v1/orders/").status_code == 200
    # And the next sign-in gives the code and gets a full token at once.
    with time_machine.travel(START + 30, tick=False):
        signed = _token(api, alpha, manager.email, otp=_code(secret, START + 30)).json()
    assert _amr(signed["access"]) == ["pwd", "otp"]


@time_machine.travel(START, tick=False)
def test_turning_the_rule_on_stops_password_only_tokens_at_once(
    api, alpha, make_user, django_capture_on_commit_callbacks
):
    scanner = make_user(alpha, role=Role.SCANNER)
    customer = make_user(alpha, role=Role.CUSTOMER)
    door, _ = _signed_in(api, alpha, scanner)
    shopper, _ = _signed_in(api, alpha, customer)
    before = door.post("/api/v1/checkin/", {"code": "garbage"}, format="json")
    # Read once so the rule ("optional") is cached; the change must replace it.
    assert door.get("/api/v1/checkin/keys/").status_code == 200

    _require(alpha, StaffTwoFactor.ALL_STAFF, django_capture_on_commit_callbacks)
    after = door.post("/api/v1/checkin/", {"code": "garbage"}, format="json")

    assert before.status_code == 400
    assert (after.status_code, after.json()["code"]) == (403, "two_factor_required")
    # Customers are never covered.
    assert shopper.get("/api/v1/orders/").status_code == 200


@time_machine.travel(START, tick=False)
def test_the_rule_is_per_chain(api, alpha, beta, make_user, django_capture_on_commit_callbacks):
    _require(alpha, StaffTwoFactor.ALL_STAFF, django_capture_on_commit_callbacks)
    beta_manager = make_user(beta, role=Role.MANAGER)
    client, _ = _signed_in(api, beta, beta_manager)

    assert client.get("/api/v1/reports/ledger/").status_code == 200


@time_machine.travel(START, tick=False)
def test_turning_the_app_off_under_the_rule_ends_the_sessions(
    api, alpha, make_user, django_capture_on_commit_callbacks
):
    _require(alpha, StaffTwoFactor.OWNERS_MANAGERS, django_capture_on_commit_callbacks)
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    secret, confirmed = _enrol(client)
    _bearer(client, confirmed["access"])

    with time_machine.travel(START + 30, tick=False):
        off = client.post(
            "/api/v1/auth/2fa/disable/", {"code": _code(secret, START + 30)}, format="json"
        )
    refresh = api(alpha).post(
        "/api/v1/auth/token/refresh/", {"refresh": confirmed["refresh"]}, format="json"
    )
    again, _ = _signed_in(api, alpha, manager)

    assert off.status_code == 204
    assert refresh.status_code == 401
    assert again.get("/api/v1/reports/ledger/").status_code == 403


@time_machine.travel(START, tick=False)
def test_the_dashboard_sends_staff_to_enrol_before_anything_else(
    alpha, make_user, django_capture_on_commit_callbacks
):
    _require(alpha, StaffTwoFactor.OWNERS_MANAGERS, django_capture_on_commit_callbacks)
    manager = make_user(alpha, role=Role.MANAGER)
    browser = Client(HTTP_HOST=f"{alpha.slug}.{settings.PLATFORM_DOMAIN}")
    login = browser.post(
        "/dashboard/login/", {"username": manager.email, "password": PASSWORD}, follow=False
    )
    index = browser.get("/dashboard/")
    shows = browser.get("/dashboard/shows/show/")
    page = browser.get("/dashboard/two-factor/")
    setup = browser.post("/dashboard/two-factor/", {"action": "setup"})
    secret = re.search(r"<code>([A-Z2-7]+)</code>", setup.content.decode()).group(1)
    on = browser.post("/dashboard/two-factor/", {"action": "confirm", "code": _code(secret, START)})

    assert login.status_code == 302
    assert (index.status_code, index["Location"]) == (302, "/dashboard/two-factor/")
    assert (shows.status_code, shows["Location"]) == (302, "/dashboard/two-factor/")
    assert page.status_code == 200 and "<strong>required</strong>" in page.content.decode()
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", on.content.decode())
    assert on.status_code == 200 and len(codes) == 10
    assert browser.get("/dashboard/").status_code == 200
    assert browser.get("/dashboard/shows/show/").status_code == 200


def test_only_the_owner_sets_the_rule_in_the_dashboard(alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    manager = make_user(alpha, role=Role.MANAGER)
    host = f"{alpha.slug}.{settings.PLATFORM_DOMAIN}"
    owners, managers = Client(HTTP_HOST=host), Client(HTTP_HOST=host)
    with schema_context(alpha.schema_name):
        owners.force_login(User.objects.get(pk=owner.pk))
        managers.force_login(User.objects.get(pk=manager.pk))
    url = "/dashboard/accounts/accountsettings/1/change/"

    opened = owners.get("/dashboard/accounts/accountsettings/", follow=True)
    saved = owners.post(url, {"staff_two_factor": "all_staff"})
    bad = owners.post(url, {"staff_two_factor": "whenever"})
    refused = managers.get(url)

    assert opened.status_code == 200 and "Required for all staff" in opened.content.decode()
    assert saved.status_code == 302
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    assert refused.status_code == 403
    with schema_context(alpha.schema_name):
        assert AccountSettings.current().staff_two_factor == StaffTwoFactor.ALL_STAFF


@time_machine.travel(START, tick=False)
def test_platform_staff_must_enrol_when_the_platform_requires_it(api, settings):
    settings.PLATFORM_STAFF_TWO_FACTOR = True
    client = api()
    tokens = obtain_tokens(client, PLATFORM_STAFF_EMAIL, platform=True)
    _bearer(client, tokens["access"])
    console = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    console.force_login(User.objects.get(email=PLATFORM_STAFF_EMAIL))

    refused = client.get("/api/platform/tenants/")
    sent = console.get("/console/")
    _, confirmed = _enrol(client, prefix="/api/platform")
    allowed = _bearer(api(), confirmed["access"]).get("/api/platform/tenants/")

    assert (refused.status_code, refused.json()["code"]) == (403, "two_factor_required")
    assert (sent.status_code, sent["Location"]) == (302, "/console/two-factor/")
    assert allowed.status_code == 200


# --- recovery codes -------------------------------------------------------------------------


@time_machine.travel(START, tick=False)
def test_a_recovery_code_signs_in_once_and_the_user_is_told(
    api, alpha, make_user, tasks_inline, django_capture_on_commit_callbacks
):
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    _, confirmed = _enrol(client)
    codes = confirmed["recovery_codes"]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        # Typed as people type them: upper case, a space for the dash.
        first = _token(api, alpha, manager.email, otp=codes[3].upper().replace("-", " "))
    with time_machine.travel(START + 2, tick=False):
        again = _token(api, alpha, manager.email, otp=codes[3])
    with time_machine.travel(START + 10, tick=False):
        other = _token(api, alpha, manager.email, otp=codes[7])
        left = _bearer(api(alpha), other.json()["access"]).get("/api/v1/auth/2fa/").json()

    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", code) for code in codes)
    assert first.status_code == 200
    assert _amr(first.json()["access"]) == ["pwd", "otp"]
    assert (again.status_code, again.json()["code"]) == (401, "otp_invalid")
    assert other.status_code == 200 and left["recovery_codes_left"] == 8
    told = [m for m in mail.outbox if "recovery code" in m.subject]
    assert len(told) == 1 and told[0].to == [manager.email]
    assert "9 left" in told[0].body and "/dashboard/two-factor/" in told[0].body


@time_machine.travel(START, tick=False)
def test_recovery_codes_are_stored_hashed(api, alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    client, _ = _signed_in(api, alpha, owner)
    _, confirmed = _enrol(client)

    with connection.cursor() as cursor:
        cursor.execute("SELECT code_hash FROM alpha.accounts_recoverycode")
        stored = [row[0] for row in cursor.fetchall()]
    # Password hashes, by the configured hasher (Argon2 outside the tests' fast one).
    assert len(stored) == 10
    assert {identify_hasher(value).algorithm for value in stored} == {get_hasher().algorithm}
    for code in confirmed["recovery_codes"]:
        assert not any(code.replace("-", "") in value for value in stored)


@time_machine.travel(START, tick=False)
def test_new_recovery_codes_replace_the_old_ones(api, alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    secret, confirmed = _enrol(client)
    _bearer(client, confirmed["access"])

    with time_machine.travel(START + 30, tick=False):
        new = client.post(
            "/api/v1/auth/2fa/recovery-codes/", {"code": _code(secret, START + 30)}, format="json"
        )
        with_a_recovery_code = client.post(
            "/api/v1/auth/2fa/recovery-codes/",
            {"code": confirmed["recovery_codes"][0]},
            format="json",
        )
    with time_machine.travel(START + 40, tick=False):
        old = _token(api, alpha, manager.email, otp=confirmed["recovery_codes"][1])
    with time_machine.travel(START + 50, tick=False):
        fresh = _token(api, alpha, manager.email, otp=new.json()["recovery_codes"][1])

    assert new.status_code == 200 and len(new.json()["recovery_codes"]) == 10
    assert not set(new.json()["recovery_codes"]) & set(confirmed["recovery_codes"])
    # Only the app's code makes new ones: a recovery code is not enough.
    assert with_a_recovery_code.status_code == 400
    assert (old.status_code, old.json()["code"]) == (401, "otp_invalid")
    assert fresh.status_code == 200


@time_machine.travel(START, tick=False)
def test_wrong_recovery_codes_count_towards_the_back_off(api, alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    secret, _ = _enrol(client)

    with time_machine.travel(START + 30, tick=False):
        wrong = _token(api, alpha, manager.email, otp="aaaaa-bbbbb")
        # The app's right code, straight after: the back-off (1 s) is not over.
        too_soon = _token(api, alpha, manager.email, otp=_code(secret, START + 30))
    with time_machine.travel(START + 32, tick=False):
        later = _token(api, alpha, manager.email, otp=_code(secret, START + 30))

    assert (wrong.status_code, wrong.json()["code"]) == (401, "otp_invalid")
    assert too_soon.status_code == 401
    assert later.status_code == 200


@time_machine.travel(START, tick=False)
def test_the_dashboard_takes_a_recovery_code_and_the_owners_reset_voids_them(api, alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    _, confirmed = _enrol(client)
    host = f"{alpha.slug}.{settings.PLATFORM_DOMAIN}"
    browser = Client(HTTP_HOST=host)

    login = browser.post(
        "/dashboard/login/",
        {
            "username": manager.email,
            "password": PASSWORD,
            "otp_token": confirmed["recovery_codes"][0],
        },
    )
    owners = Client(HTTP_HOST=host)
    with schema_context(alpha.schema_name):
        owners.force_login(User.objects.get(pk=owner.pk))
    owners.post(
        "/dashboard/accounts/user/",
        {"action": "two_factor_reset", "_selected_action": [manager.pk]},
    )

    assert login.status_code == 302 and browser.get("/dashboard/").status_code == 200
    with schema_context(alpha.schema_name):
        assert not RecoveryCode.objects.filter(user_id=manager.pk).exists()


@time_machine.travel(START, tick=False)
def test_a_token_given_with_an_app_stops_counting_when_the_app_is_gone(
    api, alpha, make_user, django_capture_on_commit_callbacks
):
    """The owner resets a manager's app (or the manager turns it off): an access token
    issued with that app's code, still within its 10 minutes, no longer passes the rule."""
    from venue_apps.accounts.services.two_factor import totp_reset

    _require(alpha, StaffTwoFactor.OWNERS_MANAGERS, django_capture_on_commit_callbacks)
    owner = make_user(alpha, role=Role.OWNER)
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    _, confirmed = _enrol(client)
    _bearer(client, confirmed["access"])
    before = client.get("/api/v1/reports/ledger/")

    with schema_context(alpha.schema_name):
        totp_reset(User.objects.get(pk=manager.pk), actor=User.objects.get(pk=owner.pk))
    after = client.get("/api/v1/reports/ledger/")

    assert before.status_code == 200
    assert (after.status_code, after.json()["code"]) == (403, "two_factor_required")


@time_machine.travel(START, tick=False)
def test_a_lost_phone_is_replaced_with_a_recovery_code(api, alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    client, _ = _signed_in(api, alpha, manager)
    _, confirmed = _enrol(client)
    with time_machine.travel(START + 30, tick=False):
        signed = _token(api, alpha, manager.email, otp=confirmed["recovery_codes"][0]).json()
        phone_lost = _bearer(api(alpha), signed["access"])
        off = phone_lost.post(
            "/api/v1/auth/2fa/disable/", {"code": confirmed["recovery_codes"][1]}, format="json"
        )
    again, _ = _signed_in(api, alpha, manager)
    new_phone = again.post("/api/v1/auth/2fa/setup/")

    assert off.status_code == 204
    # Turning it off signs out everywhere, the session that did it included.
    refresh = api(alpha).post(
        "/api/v1/auth/token/refresh/", {"refresh": signed["refresh"]}, format="json"
    )
    assert refresh.status_code == 401
    assert new_phone.status_code == 201


def test_the_owner_sets_the_rule_through_the_api(api, alpha, make_user, as_role):
    owner = as_role(Role.OWNER)

    before = owner.get("/api/v1/account-settings/")
    bad = owner.put("/api/v1/account-settings/", {"staff_two_factor": "whenever"}, format="json")
    saved = owner.put("/api/v1/account-settings/", {"staff_two_factor": "all_staff"}, format="json")

    assert before.json() == {"staff_two_factor": "optional"}
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_choice")
    assert saved.status_code == 200 and saved.json() == {"staff_two_factor": "all_staff"}
    with schema_context(alpha.schema_name):
        assert AccountSettings.current().staff_two_factor == StaffTwoFactor.ALL_STAFF
