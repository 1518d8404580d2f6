"""Customer registration on a chain's host."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tests.fixtures import PASSWORD
from venue_apps.accounts.models import User

pytestmark = pytest.mark.django_db


def test_register_creates_a_customer(api, alpha):
    response = api(alpha).post(
        "/api/v1/auth/register/",
        {"email": "  Meera@Example.com ", "password": PASSWORD, "name": "Meera"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["role"] == "customer"
    assert response.json()["email"] == "meera@example.com"
    with schema_context(alpha.schema_name):
        user = User.objects.get(email="meera@example.com")
        assert user.check_password(PASSWORD)
        assert not user.is_staff


@pytest.mark.parametrize(
    "payload, code",
    [
        ({"email": "x@example.com", "password": "short", "name": "X"}, "password_invalid"),
        ({"email": "x@example.com", "password": "password123", "name": "X"}, "password_invalid"),
        ({"email": "not-an-email", "password": PASSWORD, "name": "X"}, "invalid"),
        ({"password": PASSWORD, "name": "X"}, "required"),
    ],
)
def test_bad_registration_is_a_400_with_a_reason_and_creates_nothing(api, alpha, payload, code):
    with schema_context(alpha.schema_name):
        before = User.objects.count()

    response = api(alpha).post("/api/v1/auth/register/", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["detail"]
    with schema_context(alpha.schema_name):
        assert User.objects.count() == before


def test_duplicate_email_is_a_409_ignoring_case(api, alpha):
    client = api(alpha)
    client.post(
        "/api/v1/auth/register/", {"email": "dup@example.com", "password": PASSWORD}, format="json"
    )

    response = client.post(
        "/api/v1/auth/register/", {"email": "DUP@example.com", "password": PASSWORD}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"


def test_malformed_json_is_a_400(api, alpha):
    response = api(alpha).post(
        "/api/v1/auth/register/", data="{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_registration_cannot_choose_a_staff_role(api, alpha):
    response = api(alpha).post(
        "/api/v1/auth/register/",
        {"email": "sneaky@example.com", "password": PASSWORD, "role": "owner"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["role"] == "customer"
