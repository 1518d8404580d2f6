"""JWTs are bound to the tenant that issued them (django-tenants #983)."""

from __future__ import annotations

import jwt
import pytest
from django.conf import settings

from tests.fixtures import PLATFORM_STAFF_EMAIL, obtain_tokens
from venue_apps.accounts.models import Role

pytestmark = pytest.mark.django_db


def bearer(client, access: str):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_token_names_its_tenant(api, alpha, make_user):
    user = make_user(alpha)
    tokens = obtain_tokens(api(alpha), user.email)

    for kind in ("access", "refresh"):
        claims = jwt.decode(tokens[kind], settings.SIMPLE_JWT["SIGNING_KEY"], algorithms=["HS256"])
        assert claims["tenant"] == "alpha"
        assert claims["user_id"] == str(user.pk)


def test_token_of_a_works_on_a(api, alpha, make_user):
    user = make_user(alpha)
    client = bearer(api(alpha), obtain_tokens(api(alpha), user.email)["access"])

    assert client.get("/api/v1/me/").status_code == 200


def test_token_of_a_is_refused_by_b_even_when_b_has_the_same_user_id(api, alpha, beta, make_user):
    alpha_user = make_user(alpha)
    # Make sure an account with the same primary key exists in beta: the claim, not
    # luck, must be what refuses the token.
    beta_user = make_user(beta)
    while beta_user.pk < alpha_user.pk:
        beta_user = make_user(beta)
    access = obtain_tokens(api(alpha), alpha_user.email)["access"]

    response = bearer(api(beta), access).get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {
        "detail": "This token was issued for another tenant.",
        "code": "token_not_valid",
    }


def test_token_of_a_is_refused_by_the_platform_api(api, alpha, make_user):
    user = make_user(alpha, role=Role.OWNER)
    access = obtain_tokens(api(alpha), user.email)["access"]

    response = bearer(api(), access).get("/api/platform/tenants/")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_platform_token_is_refused_by_every_tenant(api, alpha, beta):
    access = obtain_tokens(api(), PLATFORM_STAFF_EMAIL, platform=True)["access"]

    for tenant in (alpha, beta):
        response = bearer(api(tenant), access).get("/api/v1/me/")
        assert response.status_code == 401, tenant.slug
        assert response.json()["code"] == "token_not_valid"


def test_refresh_token_of_a_is_refused_by_b(api, alpha, beta, make_user):
    user = make_user(alpha)
    refresh = obtain_tokens(api(alpha), user.email)["refresh"]

    response = api(beta).post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_rotates_and_the_old_refresh_token_is_revoked(api, alpha, make_user):
    user = make_user(alpha)
    client = api(alpha)
    first = obtain_tokens(client, user.email)

    rotated = client.post(
        "/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json"
    )
    replayed = client.post(
        "/api/v1/auth/token/refresh/", {"refresh": first["refresh"]}, format="json"
    )

    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert replayed.status_code == 401


def test_logout_revokes_the_refresh_token(api, alpha, make_user):
    user = make_user(alpha)
    client = api(alpha)
    refresh = obtain_tokens(client, user.email)["refresh"]

    logout = client.post("/api/v1/auth/logout/", {"refresh": refresh}, format="json")
    after = client.post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json")

    assert logout.status_code == 200
    assert after.status_code == 401


def test_tenant_users_cannot_sign_in_on_the_platform(api, alpha, make_user):
    user = make_user(alpha, role=Role.OWNER)

    response = api().post(
        "/api/platform/auth/token/", {"email": user.email, "password": "x" * 12}, format="json"
    )

    assert response.status_code == 401


def test_wrong_password_is_refused_with_a_reason(api, alpha, make_user):
    user = make_user(alpha)

    response = api(alpha).post(
        "/api/v1/auth/token/", {"email": user.email, "password": "not-the-password"}, format="json"
    )

    assert response.status_code == 401
    assert response.json()["code"] == "no_active_account"
    assert response.json()["detail"]


def test_forged_token_is_refused(api, alpha, make_user):
    user = make_user(alpha)
    forged = jwt.encode(
        {
            "token_type": "access",
            "user_id": str(user.pk),
            "tenant": "alpha",
            "exp": 4_000_000_000,
            "jti": "x",
        },
        "not-the-signing-key-but-long-enough-for-hs256",
        algorithm="HS256",
    )

    response = bearer(api(alpha), forged).get("/api/v1/me/")

    assert response.status_code == 401
