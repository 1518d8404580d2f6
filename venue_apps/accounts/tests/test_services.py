"""Account services: creation rules and the registration race."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connections
from django_tenants.utils import schema_context

from tenants.error_codes import Conflict, DomainError
from tests.fixtures import PASSWORD
from venue_apps.accounts.models import Role, User
from venue_apps.accounts.services.users import customer_register, user_create


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, is_staff, manages_accounts",
    [
        (Role.OWNER, True, True),
        (Role.MANAGER, True, False),
        (Role.BOX_OFFICE, True, False),  # order lookup only
        (Role.SCANNER, True, False),  # the door scanner page only
        (Role.CUSTOMER, False, False),
    ],
)
def test_dashboard_access_follows_the_role(alpha, role, is_staff, manages_accounts):
    with schema_context(alpha.schema_name):
        user = user_create(email=f"{role}@x.test", password=PASSWORD, role=role)
    assert (user.is_staff, user.has_perm("accounts.add_user")) == (is_staff, manages_accounts)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "schema, role", [("alpha", "janitor"), ("alpha", "platform_staff"), ("public", "owner")]
)
def test_roles_of_another_site_are_refused(schema, role):
    with schema_context(schema), pytest.raises(DomainError) as error:
        user_create(email="x@x.test", password=PASSWORD, role=role)
    assert error.value.code == "role_invalid"
    with schema_context(schema):
        assert not User.objects.filter(email="x@x.test").exists()


@pytest.mark.django_db
def test_password_similar_to_the_email_is_refused(alpha):
    with schema_context(alpha.schema_name), pytest.raises(DomainError) as error:
        customer_register(email="meenakshi.sundaram@x.test", password="meenakshi.sundaram", name="")
    assert error.value.code == "password_invalid"


def test_concurrent_registrations_of_one_email_create_one_account(
    django_db_setup, django_db_blocker
):
    email = f"race-{uuid.uuid4().hex[:8]}@example.com"
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def register() -> None:
        try:
            with schema_context("alpha"):
                barrier.wait()
                customer_register(email=email, password=PASSWORD, name="Racer")
            outcomes.append("created")
        except Conflict as error:
            outcomes.append(error.code)
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=register) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        try:
            assert sorted(outcomes) == ["created"] + ["email_taken"] * 5
            with schema_context("alpha"):
                assert User.objects.filter(email=email).count() == 1
        finally:
            with schema_context("alpha"):
                User.objects.filter(email=email).delete()
            connections.close_all()


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2id_at_owasp_parameters(alpha, settings):
    settings.PASSWORD_HASHERS = ["venue_apps.accounts.hashers.Argon2idHasher"]
    with schema_context(alpha.schema_name):
        user = user_create(email="hash@x.test", password=PASSWORD)
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(PASSWORD)
