"""Secrets at start-up and in rotation: a placeholder FIELD_ENCRYPTION_KEYS stops the
release before anything is sealed with it; SECRET_KEY and the JWT signing key rotate
without signing anyone out; `reseal_secrets` moves every sealed value to the new key."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from django.contrib.auth import get_user
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django_tenants.utils import schema_context

from tenants.checks import field_encryption_keys_check, jwt_signing_keys_check
from tenants.crypto import current_key_prefix, new_key, seal, unseal
from tests.checkout import STRIPE_KEYS
from tests.fixtures import obtain_tokens, settings_in_a_fresh_process

ROOT = Path(__file__).resolve().parent.parent
OLD_JWT_KEY = "old-jwt-signing-key-" + "a" * 40
NEW_JWT_KEY = "new-jwt-signing-key-" + "b" * 40


def _production(**variables: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "SECRET_KEY_FALLBACKS",
            "JWT_SIGNING_KEY",
            "JWT_SIGNING_KEY_FALLBACKS",
        }
    }
    return {
        **environment,
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "FIELD_ENCRYPTION_KEYS": new_key(),
        **variables,
    }


def _manage(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- start-up ----------------------------------------------------------------------------


def test_check_deploy_refuses_the_placeholder_encryption_key():
    placeholder = "CHANGE-ME-placeholder-not-a-real-data-key"

    result = _manage(
        "check", "--deploy", environment=_production(FIELD_ENCRYPTION_KEYS=placeholder)
    )

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "tenants.E001" in output
    assert placeholder not in output  # a message never repeats a secret


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        (["CHANGE-ME-placeholder-not-a-real-data-key"], "tenants.E001"),
        ([base64.urlsafe_b64encode(b"sixteen-bytes-ok").decode()], "tenants.E001"),
        ([], "tenants.E001"),
        (["not base64 at all!"], "tenants.E001"),
    ],
)
def test_unusable_encryption_keys_are_errors(settings, keys, problem):
    settings.FIELD_ENCRYPTION_KEYS = keys

    assert [message.id for message in field_encryption_keys_check(None)] == [problem]


def test_usable_encryption_keys_pass_and_a_repeated_one_is_a_warning(settings):
    key = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [new_key(), key]
    assert field_encryption_keys_check(None) == []

    settings.FIELD_ENCRYPTION_KEYS = [key, key]
    assert [message.id for message in field_encryption_keys_check(None)] == ["tenants.W001"]


def test_a_placeholder_jwt_key_fails_the_deploy_check(settings):
    settings.SIMPLE_JWT = {
        **settings.SIMPLE_JWT,
        "SIGNING_KEY": "CHANGE-ME-placeholder-not-a-real-jwt-signing-key",
    }
    settings.JWT_SIGNING_KEY_FALLBACKS = ["short"]

    (message,) = jwt_signing_keys_check(None)

    assert message.id == "tenants.E002"
    assert "JWT_SIGNING_KEY, JWT_SIGNING_KEY_FALLBACKS[0]" in message.msg
    assert "CHANGE-ME" not in message.msg


# --- SECRET_KEY and the JWT key rotate -----------------------------------------------------

PRINT_KEYS = (
    "import json, django\n"
    "django.setup()\n"
    "from django.conf import settings as s\n"
    "print(json.dumps([s.SECRET_KEY_FALLBACKS, s.SIMPLE_JWT['SIGNING_KEY'],\n"
    "                  s.JWT_SIGNING_KEY_FALLBACKS]))\n"
)


def _keys(**variables: str) -> list:
    result = settings_in_a_fresh_process(PRINT_KEYS, _production(**variables))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_secret_key_fallbacks_come_from_the_environment_and_cover_jwts_too():
    new, old = "n" * 60, "o" * 60

    assert _keys(SECRET_KEY=new, SECRET_KEY_FALLBACKS=f"{old},{'p' * 60}") == [
        [old, "p" * 60],
        new,
        [old, "p" * 60],
    ]


def test_a_jwt_key_of_its_own_has_fallbacks_of_its_own():
    assert _keys(
        SECRET_KEY_FALLBACKS="o" * 60,
        JWT_SIGNING_KEY=NEW_JWT_KEY,
        JWT_SIGNING_KEY_FALLBACKS=OLD_JWT_KEY,
    ) == [["o" * 60], NEW_JWT_KEY, [OLD_JWT_KEY]]


@pytest.mark.django_db
def test_a_session_survives_a_secret_key_rotation_with_the_old_key_as_fallback(
    settings, alpha, make_user
):
    old = settings.SECRET_KEY
    with schema_context(alpha.schema_name):
        user = make_user(alpha)
        from django.test import Client

        client = Client(HTTP_HOST="alpha.localhost")
        client.force_login(user)
        request = RequestFactory().get("/")
        request.session = SessionStore(client.session.session_key)

        settings.SECRET_KEY = "rotated-" + "k" * 60
        settings.SECRET_KEY_FALLBACKS = [old]
        assert get_user(request).pk == user.pk

        settings.SECRET_KEY_FALLBACKS = []
        request.session = SessionStore(client.session.session_key)
        assert get_user(request).is_anonymous


@pytest.fixture
def jwt_key(settings):
    def use(key: str, *, fallbacks: list[str]) -> None:
        settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "SIGNING_KEY": key}
        settings.JWT_SIGNING_KEY_FALLBACKS = fallbacks

    return use


@pytest.mark.django_db
def test_tokens_signed_with_the_old_jwt_key_still_work_after_a_rotation(
    api, alpha, make_user, jwt_key
):
    user = make_user(alpha)
    jwt_key(OLD_JWT_KEY, fallbacks=[])
    tokens = obtain_tokens(api(alpha), user.email)

    jwt_key(NEW_JWT_KEY, fallbacks=[OLD_JWT_KEY])
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = client.get("/api/v1/me/")
    refreshed = api(alpha).post(
        "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )

    assert me.status_code == 200
    assert refreshed.status_code == 200, refreshed.content
    # What is issued now is signed with the new key only.
    new_access = refreshed.json()["access"]
    assert jwt.decode(new_access, NEW_JWT_KEY, algorithms=["HS256"])["tenant"] == "alpha"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(new_access, OLD_JWT_KEY, algorithms=["HS256"])


@pytest.mark.django_db
def test_once_the_old_jwt_key_is_dropped_its_tokens_are_refused(api, alpha, make_user, jwt_key):
    user = make_user(alpha)
    jwt_key(OLD_JWT_KEY, fallbacks=[])
    access = obtain_tokens(api(alpha), user.email)["access"]

    jwt_key(NEW_JWT_KEY, fallbacks=[])
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_an_expired_token_is_refused_whatever_key_signed_it(api, alpha, make_user, jwt_key):
    from venue_apps.accounts.tokens import TenantAccessToken

    user = make_user(alpha)
    jwt_key(OLD_JWT_KEY, fallbacks=[])
    with schema_context(alpha.schema_name):
        token = TenantAccessToken.for_user(user)
        token.set_exp(lifetime=timedelta(seconds=-30))
        access = str(token)

    jwt_key(NEW_JWT_KEY, fallbacks=[OLD_JWT_KEY])
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    assert client.get("/api/v1/me/").status_code == 401
    assert (
        jwt.decode(access, OLD_JWT_KEY, algorithms=["HS256"], options={"verify_exp": False})[
            "tenant"
        ]
        == "alpha"
    )


# --- re-sealing ---------------------------------------------------------------------------


@pytest.fixture
def sealed_everywhere(alpha, make_user):
    """A value in each sealed column of alpha (gateway keys, OAuth client, authenticator
    app, a signing key from onboarding) and a platform staff member's app in public."""
    from venue_apps.accounts.models import Role
    from venue_apps.accounts.services.oauth import oauth_client_set
    from venue_apps.accounts.services.two_factor import totp_setup
    from venue_apps.payments.services.gateways import gateway_account_set

    with schema_context(alpha.schema_name):
        gateway_account_set("stripe", **STRIPE_KEYS)
        oauth_client_set(
            "google", client_id="1234567890.apps.example", client_secret="oauth-secret-1234"
        )
        totp_setup(make_user(alpha, role=Role.MANAGER))
    from tenants.models import Tenant

    totp_setup(make_user(Tenant.objects.get(schema_name="public"), role=Role.PLATFORM_STAFF))


def _sealed_values() -> dict[str, list[str]]:
    from django.apps import apps
    from django.db import connection

    from tenants.models import Tenant
    from tenants.sealed_fields import sealed_fields

    found: dict[str, list[str]] = {}
    for schema in Tenant.objects.values_list("schema_name", flat=True):
        with schema_context(schema):
            tables = set(connection.introspection.table_names())
            for sealed in sealed_fields():
                model = apps.get_model(sealed.model)
                if model._meta.db_table in tables:
                    found.setdefault(f"{schema}:{sealed.model}.{sealed.field}", []).extend(
                        value
                        for value in model.objects.values_list(sealed.field, flat=True)
                        if value
                    )
    return found


def _opened() -> dict[str, list[str]]:
    from django.apps import apps
    from django.db import connection

    from tenants.models import Tenant
    from tenants.sealed_fields import sealed_fields

    opened: dict[str, list[str]] = {}
    for schema in Tenant.objects.values_list("schema_name", flat=True):
        with schema_context(schema):
            tables = set(connection.introspection.table_names())
            for sealed in sealed_fields():
                model = apps.get_model(sealed.model)
                if model._meta.db_table not in tables:
                    continue
                for row in model.objects.order_by("pk"):
                    value = getattr(row, sealed.field)
                    if value:
                        opened.setdefault(f"{schema}:{sealed.model}.{sealed.field}", []).append(
                            unseal(value, context=sealed.context(row))
                        )
    return opened


@pytest.mark.django_db
def test_reseal_moves_every_secret_of_every_chain_to_the_new_key(settings, sealed_everywhere):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    before = _opened()
    settings.FIELD_ENCRYPTION_KEYS = [new_key(), old_key]

    call_command("reseal_secrets", stdout=open(os.devnull, "w"))  # noqa: SIM115

    values = _sealed_values()
    assert {name.split(":")[0] for name in values} >= {"public", "alpha", "beta", "frozen"}
    assert {
        "alpha:payments.GatewayAccount.secret_key_sealed",
        "alpha:payments.GatewayAccount.webhook_secret_sealed",
        "alpha:accounts.OAuthClient.client_secret_sealed",
        "alpha:accounts.TOTPDevice.key_sealed",
        "alpha:tickets.SigningKey.private_key_sealed",
        "frozen:tickets.SigningKey.private_key_sealed",
        "public:accounts.TOTPDevice.key_sealed",
    } <= {name for name, found in values.items() if found}
    prefix = current_key_prefix()
    assert all(value.startswith(prefix) for found in values.values() for value in found)
    # The same secrets, and the old key is no longer needed to open them.
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]
    assert _opened() == before


@pytest.mark.django_db
def test_reseal_is_idempotent_and_check_says_when_old_keys_may_go(settings, sealed_everywhere):
    settings.FIELD_ENCRYPTION_KEYS = [new_key(), settings.FIELD_ENCRYPTION_KEYS[0]]
    with pytest.raises(CommandError, match="still sealed under an older key"):
        call_command("reseal_secrets", "--check", stdout=open(os.devnull, "w"))  # noqa: SIM115

    call_command("reseal_secrets", stdout=open(os.devnull, "w"))  # noqa: SIM115
    after_first = _sealed_values()
    from io import StringIO

    second = StringIO()
    call_command("reseal_secrets", stdout=second)
    call_command("reseal_secrets", "--check", stdout=StringIO())

    assert _sealed_values() == after_first
    assert "alpha: 0 re-sealed" in second.getvalue()


@pytest.mark.django_db
def test_a_value_under_a_dropped_key_is_reported_and_left_alone(settings, alpha):
    from venue_apps.tickets.models import SigningKey

    lost_key = new_key()
    settings.FIELD_ENCRYPTION_KEYS = [lost_key]
    with schema_context(alpha.schema_name):
        orphan = seal("private", context="alpha:tickets.signing_key")
        SigningKey.objects.create(kid="orphan-1", public_key="x", private_key_sealed=orphan)
    settings.FIELD_ENCRYPTION_KEYS = [new_key()]

    with pytest.raises(CommandError) as error:
        call_command("reseal_secrets", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert "alpha: tickets.SigningKey.private_key_sealed #" in str(error.value)
    with schema_context(alpha.schema_name):
        assert SigningKey.objects.get(kid="orphan-1").private_key_sealed == orphan
