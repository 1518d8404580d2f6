"""Every way a password changes ends the account's other sessions, exactly once: the
API, a reset link (API and page), the dashboard's own password form, the admin's form
for somebody else's account, `manage.py changepassword`, and an address's owner
disowning an account. They all go through one path (`User.save` announces the new
password, accounts.receivers revokes), so a way that bypassed it, or revoked a second
time on its own, fails here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, make_password
from django.contrib.auth.management.commands import changepassword
from django.core.management import call_command
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tests.fixtures import PASSWORD, obtain_tokens
from venue_apps.accounts.models import Role, User
from venue_apps.accounts.signed_links import email_verification_token, password_reset_link_parts

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-long-passphrase"
SESSIONS_LOGGER = "venue_apps.accounts.services.sessions"


@pytest.fixture
def revocations(caplog) -> Iterator[Callable[[User], int]]:
    """`revocations(user)`: how many times the user was signed out everywhere."""
    with caplog.at_level(logging.INFO, logger=SESSIONS_LOGGER):
        yield lambda user: sum(
            record.name == SESSIONS_LOGGER
            and record.getMessage().startswith(f"user {user.pk} signed out everywhere")
            for record in caplog.records
        )


def _refresh_works(api, alpha, tokens: dict) -> bool:
    answer = api(alpha).post(
        "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    return answer.status_code == 200


def _access_works(api, alpha, tokens: dict) -> bool:
    client: APIClient = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client.get("/api/v1/me/").status_code == 200


def _ended(api, alpha, tokens: dict) -> bool:
    return not _refresh_works(api, alpha, tokens) and not _access_works(api, alpha, tokens)


def _dashboard(tenant, user) -> Client:
    browser = Client(HTTP_HOST=f"{tenant.slug}.{settings.PLATFORM_DOMAIN}")
    with schema_context(tenant.schema_name):
        browser.force_login(User.objects.get(pk=user.pk))
    return browser


def _new_password_works(api, alpha, user) -> bool:
    answer = api(alpha).post(
        "/api/v1/auth/token/", {"email": user.email, "password": NEW_PASSWORD}, format="json"
    )
    return answer.status_code == 200


def test_the_api_change(api, alpha, make_user, revocations):
    user = make_user(alpha)
    phone = obtain_tokens(api(alpha), user.email)
    laptop = api(alpha)
    laptop.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(laptop, user.email)['access']}")

    changed = laptop.post(
        "/api/v1/auth/password/change/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert changed.status_code == 200
    assert _ended(api, alpha, phone)
    assert revocations(user) == 1
    # The pair it answers is the one session that goes on.
    assert _access_works(api, alpha, changed.json())


def test_a_refused_api_change_ends_nothing(api, alpha, make_user, revocations):
    user = make_user(alpha)
    phone = obtain_tokens(api(alpha), user.email)
    laptop = api(alpha)
    laptop.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(laptop, user.email)['access']}")

    refused = laptop.post(
        "/api/v1/auth/password/change/",
        {"old_password": "not-the-password", "new_password": NEW_PASSWORD},
        format="json",
    )

    assert (refused.status_code, refused.json()["code"]) == (400, "password_invalid")
    assert _refresh_works(api, alpha, phone)
    assert revocations(user) == 0


def test_the_api_reset_link(api, alpha, make_user, revocations):
    user = make_user(alpha)
    phone = obtain_tokens(api(alpha), user.email)
    with schema_context(alpha.schema_name):
        uid, token = password_reset_link_parts(User.objects.get(pk=user.pk))

    confirmed = api(alpha).post(
        "/api/v1/auth/password-reset/confirm/",
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert confirmed.status_code == 204
    assert _ended(api, alpha, phone)
    assert revocations(user) == 1
    assert _new_password_works(api, alpha, user)


def test_the_reset_page(api, alpha, make_user, revocations):
    user = make_user(alpha)
    phone = obtain_tokens(api(alpha), user.email)
    with schema_context(alpha.schema_name):
        uid, token = password_reset_link_parts(User.objects.get(pk=user.pk))

    done = api(alpha).post(
        "/account/reset-password/",
        {"uid": uid, "token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )

    assert done.status_code == 200
    assert _ended(api, alpha, phone)
    assert revocations(user) == 1


def test_the_dashboards_own_password_form(api, alpha, make_user, revocations):
    owner = make_user(alpha, role=Role.OWNER)
    phone = obtain_tokens(api(alpha), owner.email)
    browser = _dashboard(alpha, owner)

    changed = browser.post(
        "/dashboard/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert changed.status_code == 302
    assert _ended(api, alpha, phone)
    assert revocations(owner) == 1
    # The dashboard session it was changed in carries on.
    assert browser.get("/dashboard/").status_code == 200


@pytest.mark.parametrize("usable", [True, False], ids=["new password", "password turned off"])
def test_the_admins_form_for_another_account(api, alpha, make_user, revocations, usable):
    owner = make_user(alpha, role=Role.OWNER)
    box_office = make_user(alpha, role=Role.BOX_OFFICE)
    theirs = obtain_tokens(api(alpha), box_office.email)
    owners = obtain_tokens(api(alpha), owner.email)
    form = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    if not usable:
        # The admin's "Disable password-based authentication" button.
        form = {"usable_password": "false", "unset-password": "1"}

    changed = _dashboard(alpha, owner).post(
        f"/dashboard/accounts/user/{box_office.pk}/password/", form
    )

    assert changed.status_code == 302
    with schema_context(alpha.schema_name):
        assert User.objects.get(pk=box_office.pk).has_usable_password() is usable
    assert _ended(api, alpha, theirs)
    assert revocations(box_office) == 1
    # Only theirs: the owner who changed it signs nothing out of their own.
    assert _refresh_works(api, alpha, owners)
    assert revocations(owner) == 0


def test_manage_py_changepassword(api, alpha, make_user, revocations):
    user = make_user(alpha, role=Role.MANAGER)
    phone = obtain_tokens(api(alpha), user.email)

    with (
        schema_context(alpha.schema_name),
        mock.patch.object(changepassword.Command, "_get_pass", return_value=NEW_PASSWORD),
    ):
        call_command("changepassword", user.email, stdout=mock.Mock())

    assert _ended(api, alpha, phone)
    assert revocations(user) == 1
    assert _new_password_works(api, alpha, user)


def test_the_owner_of_the_address_disowning_the_account(api, alpha, make_user, revocations):
    user = make_user(alpha)
    phone = obtain_tokens(api(alpha), user.email)
    with schema_context(alpha.schema_name):
        token = email_verification_token(User.objects.get(pk=user.pk))

    disowned = api(alpha).post("/account/verify-email/", {"token": token, "action": "not_me"})

    assert disowned.status_code == 200
    assert _ended(api, alpha, phone)
    assert revocations(user) == 1


def test_a_sign_in_that_rehashes_the_password_ends_nothing(api, alpha, make_user, revocations):
    user = make_user(alpha)
    with schema_context(alpha.schema_name):
        # A hash of a hasher no longer preferred: the next sign-in stores a new hash.
        User.objects.filter(pk=user.pk).update(
            password=make_password(PASSWORD, hasher="pbkdf2_sha256")
        )
    phone = obtain_tokens(api(alpha), user.email)

    obtain_tokens(api(alpha), user.email)

    with schema_context(alpha.schema_name):
        assert User.objects.get(pk=user.pk).password.startswith(f"{get_hasher().algorithm}$")
    assert _refresh_works(api, alpha, phone)
    assert revocations(user) == 0
