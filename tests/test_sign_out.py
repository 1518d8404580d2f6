"""Signing out ends that session at once: its refresh token is revoked and its access
tokens are refused straight away (a short-lived deny list in the database, keyed by
the session's `jti`), while the account's other sessions go on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.fixtures import PLATFORM_STAFF_EMAIL, obtain_tokens

pytestmark = pytest.mark.django_db
DEAD_REDIS = "redis://127.0.0.1:1/0"


def _me(api, tenant, access):
    return api(tenant).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {access}")


def _sign_out(api, tenant, refresh, **extra):
    return api(tenant).post("/api/v1/auth/logout/", {"refresh": refresh}, format="json", **extra)


def test_signing_out_ends_that_sessions_access_token_at_once(api, alpha, make_user):
    user = make_user(alpha)
    phone = obtain_tokens(api(alpha), user.email)
    laptop = obtain_tokens(api(alpha), user.email)

    # As the storefront signs out: the refresh token alone, no Authorization header.
    signed_out = _sign_out(api, alpha, phone["refresh"])
    phone_after = _me(api, alpha, phone["access"])
    laptop_after = _me(api, alpha, laptop["access"])

    assert signed_out.status_code == 200
    assert phone_after.status_code == 401
    assert phone_after.json()["code"] == "token_not_valid"
    assert laptop_after.status_code == 200  # the other session goes on


def test_access_tokens_from_before_a_refresh_end_with_their_session(api, alpha, make_user):
    user = make_user(alpha)
    first = obtain_tokens(api(alpha), user.email)
    rotated = (
        api(alpha)
        .post("/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json")
        .json()
    )

    _sign_out(api, alpha, rotated["refresh"])

    assert _me(api, alpha, first["access"]).status_code == 401
    assert _me(api, alpha, rotated["access"]).status_code == 401


def test_signing_out_holds_with_redis_down(api, alpha, make_user, settings):
    user = make_user(alpha)
    tokens = obtain_tokens(api(alpha), user.email)
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS}}

    signed_out = _sign_out(api, alpha, tokens["refresh"])

    assert signed_out.status_code == 200
    assert _me(api, alpha, tokens["access"]).status_code == 401


def test_a_token_issued_before_sessions_had_ids_ends_when_presented(api, alpha, make_user):
    from venue_apps.accounts.tokens import SESSION_CLAIM, TenantRefreshToken

    user = make_user(alpha)
    with schema_context(alpha.schema_name):
        refresh = TenantRefreshToken.for_user(user)
        del refresh[SESSION_CLAIM]
        access = str(refresh.access_token)

    _sign_out(api, alpha, str(refresh), HTTP_AUTHORIZATION=f"Bearer {access}")

    assert _me(api, alpha, access).status_code == 401


def test_the_deny_list_keeps_entries_only_as_long_as_an_access_token_lives(api, alpha, make_user):
    from venue_apps.accounts.models import TokenDenial

    user = make_user(alpha)
    old = obtain_tokens(api(alpha), user.email)
    _sign_out(api, alpha, old["refresh"])
    with schema_context(alpha.schema_name):
        TokenDenial.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    new = obtain_tokens(api(alpha), user.email)

    _sign_out(api, alpha, new["refresh"])

    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    with schema_context(alpha.schema_name):
        rows = list(TokenDenial.objects.values_list("user_id", "expires_at"))
    assert len(rows) == 1  # the lapsed entry is gone
    assert rows[0][0] == user.pk
    assert abs(rows[0][1] - (timezone.now() + lifetime)) < timedelta(seconds=30)


def test_signing_out_twice_or_with_a_foreign_token_is_refused_and_changes_nothing(
    api, alpha, beta, make_user
):
    from venue_apps.accounts.models import TokenDenial

    user = make_user(alpha)
    stranger = make_user(beta)
    tokens = obtain_tokens(api(alpha), user.email)
    foreign = obtain_tokens(api(beta), stranger.email)

    from_beta = _sign_out(api, alpha, foreign["refresh"])

    assert from_beta.status_code == 401
    with schema_context(alpha.schema_name):
        assert not TokenDenial.objects.exists()
    assert _me(api, alpha, tokens["access"]).status_code == 200
    assert _sign_out(api, alpha, tokens["refresh"]).status_code == 200
    with schema_context(alpha.schema_name):
        connection.check_constraints()  # nothing names the deleted account
    assert _sign_out(api, alpha, tokens["refresh"]).status_code == 401


def test_platform_staff_sign_out_too(api):
    tokens = obtain_tokens(api(), PLATFORM_STAFF_EMAIL, platform=True)

    signed_out = api().post(
        "/api/platform/auth/logout/", {"refresh": tokens["refresh"]}, format="json"
    )
    after = api().get("/api/platform/tenants/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    assert signed_out.status_code == 200
    assert after.status_code == 401


def test_signing_out_of_a_deleted_account_is_no_error(api, alpha, make_user):
    from venue_apps.accounts.models import User

    user = make_user(alpha)
    tokens = obtain_tokens(api(alpha), user.email)
    with schema_context(alpha.schema_name):
        User.objects.filter(pk=user.pk).delete()

    assert _sign_out(api, alpha, tokens["refresh"]).status_code == 200
    with schema_context(alpha.schema_name):
        connection.check_constraints()  # nothing names the deleted account
