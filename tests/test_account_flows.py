"""Registration with email verification, password reset and change, and the owner's
management of staff."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from tests.fixtures import PASSWORD, obtain_tokens
from venue_apps.accounts.models import Role, User

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-long-passphrase"


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def _query(link: str) -> dict[str, str]:
    from urllib.parse import parse_qs, urlparse

    return {key: values[0] for key, values in parse_qs(urlparse(link).query).items()}


def test_registration_sends_a_verification_link_that_works_once(
    api, alpha, tasks_inline, django_capture_on_commit_callbacks
):
    client = api(alpha)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/api/v1/auth/register/",
            {"email": "Nia@Example.com", "password": PASSWORD, "name": "Nia"},
            format="json",
        )
    assert created.status_code == 201
    assert created.json()["email_verified"] is False
    verify = next(m for m in mail.outbox if "Confirm" in m.subject)
    link = _link(verify)
    assert link.startswith("http://alpha.localhost:8000/account/verify-email/?token=")

    token = _query(link)["token"]
    page = client.get(link.split(":8000", 1)[1])
    with schema_context(alpha.schema_name):
        # Opening the link (as mail scanners do) confirms nothing by itself.
        assert not User.objects.get(email="nia@example.com").email_verified
    confirmed = client.post("/account/verify-email/", {"token": token, "action": "confirm"})
    again = client.post("/api/v1/auth/verify-email/", {"token": token}, format="json")
    forged = client.post("/api/v1/auth/verify-email/", {"token": "x" + token}, format="json")

    assert page.status_code == 200 and "Was it you?" in page.content.decode()
    assert confirmed.status_code == 200 and "is confirmed" in confirmed.content.decode()
    assert again.status_code == 200 and again.json()["email_verified"] is True
    assert (forged.status_code, forged.json()["code"]) == (400, "token_invalid")


def test_the_owner_of_an_address_disowns_an_account_someone_else_opened(
    api, alpha, tasks_inline, django_capture_on_commit_callbacks
):
    squatter = api(alpha)
    with django_capture_on_commit_callbacks(execute=True):
        squatter.post(
            "/api/v1/auth/register/",
            {"email": "owner@example.com", "password": PASSWORD, "name": "Not Them"},
            format="json",
        )
    session = obtain_tokens(squatter, "owner@example.com")
    token = _query(_link(next(m for m in mail.outbox if "Confirm" in m.subject)))["token"]

    disowned = api(alpha).post("/account/verify-email/", {"token": token, "action": "not_me"})

    assert disowned.status_code == 200 and "forgot-password" in disowned.content.decode()
    assert (
        api(alpha)
        .post("/api/v1/auth/token/refresh/", {"refresh": session["refresh"]}, format="json")
        .status_code
        == 401
    )
    assert (
        api(alpha)
        .post(
            "/api/v1/auth/token/",
            {"email": "owner@example.com", "password": PASSWORD},
            format="json",
        )
        .status_code
        == 401
    )
    with schema_context(alpha.schema_name):
        account = User.objects.get(email="owner@example.com")
        assert account.is_active and not account.email_verified
    # A confirmed address cannot be disowned with an old link.
    api(alpha).post("/account/verify-email/", {"token": token, "action": "confirm"})
    late = api(alpha).post("/account/verify-email/", {"token": token, "action": "not_me"})
    assert late.status_code == 400


def test_a_verification_link_of_one_chain_is_worthless_at_another(api, alpha, beta, make_user):
    from venue_apps.accounts.signed_links import email_verification_token

    user = make_user(alpha)
    with schema_context(alpha.schema_name):
        token = email_verification_token(User.objects.get(pk=user.pk))
    make_user(beta, email=user.email)

    at_beta = api(beta).post("/api/v1/auth/verify-email/", {"token": token}, format="json")

    assert at_beta.status_code == 400
    with schema_context(beta.schema_name):
        assert not User.objects.get(email=user.email).email_verified


def test_password_reset_by_email_signs_out_everywhere(
    api, alpha, make_user, tasks_inline, django_capture_on_commit_callbacks
):
    user = make_user(alpha)
    client = api(alpha)
    old_refresh = obtain_tokens(client, user.email)["refresh"]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(
            "/api/v1/auth/password-reset/", {"email": user.email.upper()}, format="json"
        )
        nobody = client.post(
            "/api/v1/auth/password-reset/", {"email": "nobody@example.com"}, format="json"
        )
    (message,) = mail.outbox  # nothing is sent for an unknown address, and nothing said
    link = _query(_link(message))
    weak = client.post(
        "/api/v1/auth/password-reset/confirm/", {**link, "new_password": "123"}, format="json"
    )
    done = client.post(
        "/api/v1/auth/password-reset/confirm/",
        {**link, "new_password": NEW_PASSWORD},
        format="json",
    )
    reused = client.post(
        "/api/v1/auth/password-reset/confirm/",
        {**link, "new_password": NEW_PASSWORD + "x"},
        format="json",
    )

    assert asked.status_code == nobody.status_code == 202
    assert (weak.status_code, weak.json()["code"]) == (400, "password_invalid")
    assert done.status_code == 204
    assert reused.status_code == 400  # one use only: the password changed
    assert (
        client.post(
            "/api/v1/auth/token/refresh/", {"refresh": old_refresh}, format="json"
        ).status_code
        == 401
    )
    assert obtain_tokens(client, user.email, NEW_PASSWORD)["access"]


def test_the_reset_page_sets_a_new_password(api, alpha, make_user):
    from venue_apps.accounts.signed_links import password_reset_link_parts

    user = make_user(alpha)
    with schema_context(alpha.schema_name):
        uid, token = password_reset_link_parts(User.objects.get(pk=user.pk))
    browser = api(alpha)

    page = browser.get(f"/account/reset-password/?uid={uid}&token={token}")
    mismatch = browser.post(
        "/account/reset-password/",
        {"uid": uid, "token": token, "password": NEW_PASSWORD, "password_again": "other"},
    )
    done = browser.post(
        "/account/reset-password/",
        {"uid": uid, "token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )

    assert page.status_code == 200 and "Choose a new password" in page.content.decode()
    assert mismatch.status_code == 400
    assert done.status_code == 200 and "Password changed" in done.content.decode()
    assert obtain_tokens(browser, user.email, NEW_PASSWORD)["access"]
    used = browser.get(f"/account/reset-password/?uid={uid}&token={token}")
    assert used.status_code == 400 and "no longer works" in used.content.decode()
    assert 'href="/account/forgot-password/"' in used.content.decode()


def test_changing_the_password_needs_the_old_one_and_ends_other_sessions(api, alpha, make_user):
    user = make_user(alpha)
    phone = api(alpha)
    laptop = api(alpha)
    phone_tokens = obtain_tokens(phone, user.email)
    laptop.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(laptop, user.email)['access']}")

    wrong = laptop.post(
        "/api/v1/auth/password/change/",
        {"old_password": "not-it", "new_password": NEW_PASSWORD},
        format="json",
    )
    changed = laptop.post(
        "/api/v1/auth/password/change/",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert (wrong.status_code, wrong.json()["code"]) == (400, "password_invalid")
    assert changed.status_code == 200 and set(changed.json()) == {"access", "refresh"}
    assert (
        phone.post(
            "/api/v1/auth/token/refresh/", {"refresh": phone_tokens["refresh"]}, format="json"
        ).status_code
        == 401
    )
    assert (
        api(alpha)
        .post("/api/v1/auth/token/refresh/", {"refresh": changed.json()["refresh"]}, format="json")
        .status_code
        == 200
    )
    # The phone's access token ends now, not when it expires.
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {phone_tokens['access']}")
    assert phone.get("/api/v1/me/").status_code == 401
    laptop.credentials(HTTP_AUTHORIZATION=f"Bearer {changed.json()['access']}")
    assert laptop.get("/api/v1/me/").status_code == 200


def _dashboard(tenant, user):
    from django.conf import settings
    from django.test import Client

    browser = Client(HTTP_HOST=f"{tenant.slug}.{settings.PLATFORM_DOMAIN}")
    with schema_context(tenant.schema_name):
        browser.force_login(User.objects.get(pk=user.pk))
    return browser


def test_a_password_changed_in_the_dashboard_ends_the_api_sessions(api, alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    box_office = make_user(alpha, role=Role.BOX_OFFICE)
    owners_tokens = obtain_tokens(api(alpha), owner.email)
    box_office_tokens = obtain_tokens(api(alpha), box_office.email)
    browser = _dashboard(alpha, owner)

    own = browser.post(
        "/dashboard/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    theirs = browser.post(
        f"/dashboard/accounts/user/{box_office.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert own.status_code == 302 and theirs.status_code == 302
    for tokens in (owners_tokens, box_office_tokens):
        client = api(alpha)
        assert (
            client.post(
                "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
            ).status_code
            == 401
        )
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert client.get("/api/v1/me/").status_code == 401
    # The owner's own dashboard session carries on.
    assert browser.get("/dashboard/").status_code == 200


def test_the_dashboard_will_not_demote_or_close_the_last_owner(alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    with schema_context(alpha.schema_name):
        User.objects.filter(role=Role.OWNER).exclude(pk=owner.pk).update(is_active=False)
    browser = _dashboard(alpha, owner)
    form = {
        "email": owner.email,
        "name": "Owner",
        "role": "manager",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
    }

    demoted = browser.post(f"/dashboard/accounts/user/{owner.pk}/change/", form)

    closed = browser.post(
        f"/dashboard/accounts/user/{owner.pk}/change/", {**form, "role": "owner", "is_active": ""}
    )

    for answer in (demoted, closed):
        assert answer.status_code == 200
        assert "at least one active owner" in answer.content.decode()
    with schema_context(alpha.schema_name):
        kept = User.objects.get(pk=owner.pk)
        assert (kept.role, kept.is_active) == (Role.OWNER, True)


def test_the_owner_adds_staff_who_choose_their_password_by_email(
    api, alpha, as_role, tasks_inline, django_capture_on_commit_callbacks
):
    owner = as_role(Role.OWNER)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        created = owner.post(
            "/api/v1/staff/",
            {"email": "door@alpha.test", "name": "Door", "role": "scanner"},
            format="json",
        )
    customer_role = owner.post(
        "/api/v1/staff/", {"email": "c@alpha.test", "role": "customer"}, format="json"
    )
    by_manager = as_role(Role.MANAGER).post(
        "/api/v1/staff/", {"email": "m@alpha.test", "role": "manager"}, format="json"
    )

    assert created.status_code == 201 and created.json()["role"] == "scanner"
    assert customer_role.status_code == 400
    assert by_manager.status_code == 403
    (welcome,) = mail.outbox
    assert "staff account" in welcome.subject
    link = _query(_link(welcome))
    api(alpha).post(
        "/api/v1/auth/password-reset/confirm/",
        {**link, "new_password": NEW_PASSWORD},
        format="json",
    )
    tokens = obtain_tokens(api(alpha), "door@alpha.test", NEW_PASSWORD)
    assert tokens["access"]

    staff_id = created.json()["id"]
    closed = owner.patch(f"/api/v1/staff/{staff_id}/", {"is_active": False}, format="json")
    assert closed.status_code == 200 and closed.json()["is_active"] is False
    assert (
        api(alpha)
        .post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
        .status_code
        == 401
    )
    listed = owner.get("/api/v1/staff/").json()
    assert "door@alpha.test" in {row["email"] for row in listed["results"]}
    assert all(row["role"] != "customer" for row in listed["results"])


def test_a_chain_keeps_an_owner(alpha, as_role, make_user):
    owner_client = as_role(Role.OWNER)
    with schema_context(alpha.schema_name):
        owners = list(User.objects.filter(role=Role.OWNER, is_active=True))
    for extra in owners:
        if extra.email != "owner@alpha.test":
            continue
        with schema_context(alpha.schema_name):
            User.objects.filter(pk=extra.pk).update(role=Role.MANAGER)
    me = owner_client.get("/api/v1/me/").json()

    demoted = owner_client.patch(f"/api/v1/staff/{me['id']}/", {"role": "manager"}, format="json")

    assert (demoted.status_code, demoted.json()["code"]) == (400, "staff_invalid")
