"""Limits that protect an account must not be limits a stranger can fill for it.

Only failed password checks count against an account (per account and address, and
account-wide with a ceiling that never applies where the account already signs in);
requests refused before a password is checked count for nothing. Reset emails are
limited per account and address, and an account-wide ceiling only stops new emails
(the answer stays the same, and the links already sent keep working). With Redis down
the account's limits still hold (they count in the database).
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from tests.fixtures import PASSWORD, PLATFORM_STAFF_EMAIL, sign_in_from, throttle_rates
from venue_apps.accounts.models import Role

pytestmark = pytest.mark.django_db
VICTIM_HOME = "203.0.113.7"
VICTIM_PHONE = "198.51.100.77"
ATTACKER = "192.0.2.66"


def _dashboard(email, password, address, host="alpha.localhost", path="/dashboard/login/"):
    return Client(HTTP_HOST=host, REMOTE_ADDR=address).post(
        path, {"username": email, "password": password}
    )


def test_requests_refused_before_the_password_is_checked_never_count_against_the_account(
    api, alpha, make_user, settings
):
    # Attacker: ten `{"email": victim, "password": ""}` a minute used to keep the
    # victim's API and dashboard sign-ins at 429 without ever guessing a password.
    throttle_rates(settings, login_account="3/min")
    victim = make_user(alpha, role=Role.OWNER)

    blanks = [
        api(alpha)
        .post(
            "/api/v1/auth/token/",
            {"email": victim.email, "password": ""},
            format="json",
            REMOTE_ADDR=f"192.0.2.{n}",
        )
        .status_code
        for n in range(12)
    ]
    api_sign_in = sign_in_from(api, alpha, victim.email, PASSWORD, VICTIM_PHONE)
    dashboard_sign_in = _dashboard(victim.email, PASSWORD, VICTIM_PHONE)

    assert blanks == [400] * 12
    assert api_sign_in.status_code == 200, api_sign_in.content
    assert dashboard_sign_in.status_code == 302, dashboard_sign_in.content


def test_a_flood_of_wrong_passwords_does_not_keep_the_victim_out_where_they_sign_in(
    api, alpha, make_user, settings
):
    # Attacker: wrong passwords for the victim from many addresses used to fill the
    # account's one limit, so that the victim's own right password got 429 everywhere.
    throttle_rates(settings, login_account="4/hour")
    settings.AXES_FAILURE_LIMIT = 3
    victim = make_user(alpha, role=Role.OWNER)
    assert sign_in_from(api, alpha, victim.email, PASSWORD, VICTIM_HOME).status_code == 200

    guesses = [
        sign_in_from(api, alpha, victim.email, f"guess-{n}", f"192.0.2.{n // 2}").status_code
        for n in range(10)
    ]
    at_home = sign_in_from(api, alpha, victim.email, PASSWORD, VICTIM_HOME)
    dashboard_at_home = _dashboard(victim.email, PASSWORD, VICTIM_HOME)
    # The account-wide ceiling still stops guessing from new addresses, the right
    # password included (an attacker who guesses it gets nothing), with a reason.
    stranger_guessing_right = sign_in_from(api, alpha, victim.email, PASSWORD, "192.0.2.200")

    assert guesses == [401] * 4 + [429] * 6
    assert at_home.status_code == 200, at_home.content
    assert dashboard_at_home.status_code == 302
    assert stranger_guessing_right.status_code == 429
    assert stranger_guessing_right.json()["code"] == "sign_in_paused"
    assert int(stranger_guessing_right["Retry-After"]) > 0


def test_refusals_of_the_ceiling_and_of_the_lockout_do_not_count(api, alpha, make_user, settings):
    throttle_rates(settings, login_account="2/hour")
    settings.AXES_FAILURE_LIMIT = 2
    victim = make_user(alpha)
    from venue_apps.accounts.models import RateCounter

    for n in range(2):
        sign_in_from(api, alpha, victim.email, f"guess-{n}", ATTACKER)
    # Locked out at that address (axes), then paused for new addresses (the ceiling):
    # none of these reach the password check, so none of them count.
    refused = [sign_in_from(api, alpha, victim.email, "guess", f"192.0.2.{n}") for n in range(5)]
    locked = [sign_in_from(api, alpha, victim.email, "guess", ATTACKER) for _ in range(3)]

    assert [answer.json()["code"] for answer in refused] == ["sign_in_paused"] * 5
    assert [answer.json()["code"] for answer in locked] == ["account_locked"] * 3
    with schema_context(alpha.schema_name):
        counts = list(RateCounter.objects.values_list("count", flat=True))
    assert counts == [2]


@pytest.mark.parametrize("surface", ["api", "console"])
def test_the_platforms_sign_ins_keep_their_staff_in_during_a_flood(api, settings, surface):
    # Attacker: the platform's own staff could be kept out of the API and the console
    # by anyone who knows their email.
    throttle_rates(settings, login_account="2/hour")
    settings.AXES_FAILURE_LIMIT = 100
    assert (
        api()
        .post(
            "/api/platform/auth/token/",
            {"email": PLATFORM_STAFF_EMAIL, "password": PASSWORD},
            format="json",
            REMOTE_ADDR=VICTIM_HOME,
        )
        .status_code
        == 200
    )
    for n in range(6):
        api().post(
            "/api/platform/auth/token/",
            {"email": PLATFORM_STAFF_EMAIL, "password": f"guess-{n}"},
            format="json",
            REMOTE_ADDR=f"192.0.2.{n}",
        )

    if surface == "api":
        answer = api().post(
            "/api/platform/auth/token/",
            {"email": PLATFORM_STAFF_EMAIL, "password": PASSWORD},
            format="json",
            REMOTE_ADDR=VICTIM_HOME,
        )
        assert answer.status_code == 200, answer.content
    else:
        answer = _dashboard(
            PLATFORM_STAFF_EMAIL, PASSWORD, VICTIM_HOME, host="localhost", path="/console/login/"
        )
        assert answer.status_code == 302, answer.content


# --- password reset emails -------------------------------------------------------------


def _reset(api, tenant, email, address):
    return api(tenant).post(
        "/api/v1/auth/password-reset/", {"email": email}, format="json", REMOTE_ADDR=address
    )


def test_a_stranger_cannot_use_up_the_victims_password_resets(
    api, alpha, make_user, settings, tasks_inline, django_capture_on_commit_callbacks
):
    # Attacker: five reset requests an hour for the victim's email used to make the
    # victim's own request answer 429, so they could not get a new password.
    throttle_rates(settings, email_account="2/hour", email_account_ceiling="3/hour")
    victim = make_user(alpha)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        stranger = [_reset(api, alpha, victim.email, ATTACKER).status_code for _ in range(4)]
        spread = [_reset(api, alpha, victim.email, f"192.0.2.{n}").status_code for n in range(3)]
        own = _reset(api, alpha, victim.email, VICTIM_PHONE)

    assert stranger == [202, 202, 429, 429]  # the stranger's own pair of account and address
    assert spread == [202] * 3
    assert own.status_code == 202
    # At most the ceiling reached the inbox, and each of those links works for the victim.
    assert len(mail.outbox) == 3
    assert all(victim.email in message.to for message in mail.outbox)


def test_the_ceiling_on_reset_emails_never_applies_where_the_account_signs_in(
    api, alpha, make_user, settings, tasks_inline, django_capture_on_commit_callbacks
):
    throttle_rates(settings, email_account="5/hour", email_account_ceiling="2/hour")
    victim = make_user(alpha)
    assert sign_in_from(api, alpha, victim.email, PASSWORD, VICTIM_HOME).status_code == 200
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            _reset(api, alpha, victim.email, f"192.0.2.{n}")
    sent_to_strangers = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        own = _reset(api, alpha, victim.email, VICTIM_HOME)

    assert (sent_to_strangers, own.status_code, len(mail.outbox)) == (2, 202, 3)


def test_reset_requests_refused_by_the_address_limit_do_not_count_for_the_account(
    api, alpha, make_user, settings, tasks_inline, django_capture_on_commit_callbacks
):
    throttle_rates(
        settings, email_address="1/hour", email_account="2/hour", email_account_ceiling="1/hour"
    )
    victim = make_user(alpha)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = _reset(api, alpha, "somebody@example.com", ATTACKER)
        refused = [_reset(api, alpha, victim.email, ATTACKER).status_code for _ in range(3)]
        own = _reset(api, alpha, victim.email, VICTIM_PHONE)

    assert first.status_code == 202
    assert refused == [429] * 3
    assert own.status_code == 202
    assert [message.to for message in mail.outbox] == [[victim.email]]


def test_the_forgot_password_page_keeps_the_same_rules(
    alpha, make_user, settings, tasks_inline, django_capture_on_commit_callbacks
):
    throttle_rates(settings, email_account="1/hour", email_account_ceiling="2/hour")
    victim = make_user(alpha)
    mail.outbox.clear()

    def page(address):
        return Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR=address).post(
            "/account/forgot-password/", {"email": victim.email}
        )

    with django_capture_on_commit_callbacks(execute=True):
        stranger = [page(ATTACKER).status_code for _ in range(2)]
        own = page(VICTIM_PHONE)

    assert stranger == [200, 429]
    assert own.status_code == 200
    assert len(mail.outbox) == 2


def test_during_a_flood_a_reset_link_lets_the_owner_in_from_where_they_followed_it(
    api, alpha, make_user, settings
):
    from venue_apps.accounts.signed_links import password_reset_link_parts

    throttle_rates(settings, login_account="2/hour")
    settings.AXES_FAILURE_LIMIT = 100
    victim = make_user(alpha)
    for n in range(3):
        sign_in_from(api, alpha, victim.email, f"guess-{n}", f"192.0.2.{n}")
    paused = sign_in_from(api, alpha, victim.email, PASSWORD, VICTIM_PHONE)
    with schema_context(alpha.schema_name):
        uid, token = password_reset_link_parts(victim)

    reset = api(alpha).post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": "a-brand-new-passphrase"},
        format="json",
        REMOTE_ADDR=VICTIM_PHONE,
    )
    signed_in = sign_in_from(api, alpha, victim.email, "a-brand-new-passphrase", VICTIM_PHONE)
    stranger = sign_in_from(api, alpha, victim.email, "a-brand-new-passphrase", "192.0.2.50")

    assert paused.json()["code"] == "sign_in_paused"
    assert reset.status_code == 204
    assert signed_in.status_code == 200, signed_in.content
    assert stranger.status_code == 429  # still paused everywhere else
