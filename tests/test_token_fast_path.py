"""Access tokens are checked without a query (accounts.revocations): the token names the
account's role and stamp, and each process keeps a copy of the chain's recent
revocations from Redis, re-read whenever its version moves. A sign-out, a new password,
a deactivation or a role change is seen by every process on its next request (no delay:
the record is written when the change commits); with Redis unreachable the database
decides, as before."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_redis import get_redis_connection
from django_tenants.utils import schema_context
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIRequestFactory
from rest_framework_simplejwt.exceptions import InvalidToken

from api.authentication import TenantJWTAuthentication
from tests.fixtures import host_of, obtain_tokens
from venue_apps.accounts import revocations
from venue_apps.accounts.models import Role, User

pytestmark = pytest.mark.django_db
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def started_long_ago(alpha) -> Iterator[None]:
    """A new process (no copies), and a chain whose record started before any token of
    the test was issued (a record started after a token knows nothing about it, and
    sends it to the database)."""
    revocations.forget_copies()
    with schema_context(alpha.schema_name):
        get_redis_connection("default").hset(
            cache.make_key("accounts:revoked"), mapping={"since": "0", "v": "1"}
        )
    yield
    revocations.forget_copies()


def _authenticate(tenant, access: str):
    """The authentication step of a request alone, in the chain's schema."""
    request = APIRequestFactory().post(
        "/", HTTP_HOST=host_of(tenant), HTTP_AUTHORIZATION=f"Bearer {access}"
    )
    with schema_context(tenant.schema_name):
        from rest_framework.request import Request

        return TenantJWTAuthentication().authenticate(Request(request))


def _queries(block) -> int:
    with (
        CaptureQueriesContext(connection) as log,
        contextlib.suppress(InvalidToken, AuthenticationFailed),
    ):
        block()
    return sum(not query["sql"].startswith("SET search_path") for query in log.captured_queries)


def _me(api, tenant, access):
    return api(tenant).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {access}")


def test_a_holds_authentication_reads_nothing_from_the_database(api, alpha, make_user):
    user = make_user(alpha)
    access = obtain_tokens(api(alpha), user.email)["access"]

    with CaptureQueriesContext(connection) as log:
        account, _ = _authenticate(alpha, access)
        assert (account.pk, account.role, account.is_active) == (user.pk, Role.CUSTOMER, True)
        assert account.is_authenticated and not account.is_chain_staff

    assert [q["sql"] for q in log.captured_queries if "search_path" not in q["sql"]] == []
    # Anything more than the id and role reads the row, once.
    with schema_context(alpha.schema_name):
        assert account.email == user.email
        assert isinstance(account, User)


def test_a_hold_answers_with_the_token_alone(api, alpha, make_user, programme):
    """The hold endpoint itself, end to end, on the trusted token: its owner is the
    token's account, read from no row."""
    from venue_apps.inventory.models import Hold, ShowSeat

    show = programme["show"]
    user = make_user(alpha)
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, user.email)['access']}")
    with schema_context(alpha.schema_name):
        seat = ShowSeat.objects.filter(show=show).order_by("id").values_list("id", flat=True)[0]

    with CaptureQueriesContext(connection) as log:
        held = client.post(f"/api/v1/shows/{show.pk}/holds/", {"seats": [seat]}, format="json")

    assert held.status_code == 201, held.content
    assert not any('"accounts_user"' in query["sql"] for query in log.captured_queries)
    assert not any("accounts_tokendenial" in query["sql"] for query in log.captured_queries)
    with schema_context(alpha.schema_name):
        assert Hold.objects.get(pk=held.json()["id"]).user_id == user.pk


def test_a_sign_out_is_seen_at_once_by_another_process(
    api, alpha, make_user, django_capture_on_commit_callbacks
):
    user = make_user(alpha)
    phone = obtain_tokens(api(alpha), user.email)
    laptop = obtain_tokens(api(alpha), user.email)
    # This process has its copy, from before the sign-out.
    assert _queries(lambda: _authenticate(alpha, phone["access"])) == 0
    with schema_context(alpha.schema_name):
        before = revocations.revocation_state()

    # Another process signs the phone out: its write reaches Redis only.
    with django_capture_on_commit_callbacks(execute=True):
        signed_out = api(alpha).post(
            "/api/v1/auth/logout/", {"refresh": phone["refresh"]}, format="json"
        )
    assert signed_out.status_code == 200

    # The next request here sees it, without a query, and so does a new process.
    assert _queries(lambda: _authenticate(alpha, phone["access"])) == 0
    with pytest.raises(InvalidToken, match="signed out"):
        _authenticate(alpha, phone["access"])
    with schema_context(alpha.schema_name):
        after = revocations.revocation_state()
    assert after is not before and after.version > before.version
    revocations.forget_copies()
    assert _me(api, alpha, phone["access"]).status_code == 401
    assert _me(api, alpha, laptop["access"]).status_code == 200
    assert _queries(lambda: _authenticate(alpha, laptop["access"])) == 0


def test_a_deactivated_account_is_refused_on_its_next_request(
    api, alpha, make_user, django_capture_on_commit_callbacks
):
    user = make_user(alpha)
    access = obtain_tokens(api(alpha), user.email)["access"]
    assert _me(api, alpha, access).status_code == 200  # this process's copy is warm

    with django_capture_on_commit_callbacks(execute=True), schema_context(alpha.schema_name):
        account = User.objects.get(pk=user.pk)
        account.is_active = False
        account.save(update_fields=["is_active"])

    assert _me(api, alpha, access).status_code == 401


def test_a_changed_role_is_read_from_the_database_until_the_token_is_refreshed(
    api, alpha, make_user, django_capture_on_commit_callbacks
):
    user = make_user(alpha, role=Role.MANAGER)
    tokens = obtain_tokens(api(alpha), user.email)
    assert _authenticate(alpha, tokens["access"])[0].role == Role.MANAGER

    with django_capture_on_commit_callbacks(execute=True), schema_context(alpha.schema_name):
        account = User.objects.get(pk=user.pk)
        account.role = Role.CUSTOMER
        account.save()

    # The token still says manager: the database says otherwise, and decides.
    assert _queries(lambda: _authenticate(alpha, tokens["access"])) > 0
    assert _authenticate(alpha, tokens["access"])[0].role == Role.CUSTOMER
    # A refreshed token names the new role, and is trusted again without a query.
    refreshed = api(alpha).post(
        "/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200
    assert _queries(lambda: _authenticate(alpha, refreshed.json()["access"])) == 0
    assert _authenticate(alpha, refreshed.json()["access"])[0].role == Role.CUSTOMER


def test_a_new_password_ends_the_tokens_of_every_process(
    api, alpha, make_user, django_capture_on_commit_callbacks
):
    user = make_user(alpha)
    access = obtain_tokens(api(alpha), user.email)["access"]
    assert _me(api, alpha, access).status_code == 200

    with django_capture_on_commit_callbacks(execute=True), schema_context(alpha.schema_name):
        account = User.objects.get(pk=user.pk)
        account.set_password("another-long-passphrase")
        account.save()

    assert _me(api, alpha, access).status_code == 401


def test_with_redis_down_the_database_decides(api, alpha, make_user, settings):
    user = make_user(alpha)
    tokens = obtain_tokens(api(alpha), user.email)
    assert _me(api, alpha, tokens["access"]).status_code == 200
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS}}

    assert (
        api(alpha)
        .post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
        .status_code
        == 200
    )

    assert _me(api, alpha, tokens["access"]).status_code == 401


def test_a_record_started_after_a_token_sends_it_to_the_database(api, alpha, make_user):
    user = make_user(alpha)
    access = obtain_tokens(api(alpha), user.email)["access"]
    with schema_context(alpha.schema_name):
        # Redis lost the record: whatever it said about this token is gone.
        get_redis_connection("default").delete(cache.make_key("accounts:revoked"))

    assert _queries(lambda: _authenticate(alpha, access)) > 0
    assert _me(api, alpha, access).status_code == 200


def test_a_sign_out_that_missed_redis_is_sent_when_redis_answers_again(
    api, alpha, make_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    user = make_user(alpha)
    tokens = obtain_tokens(api(alpha), user.email)
    assert _me(api, alpha, tokens["access"]).status_code == 200  # a copy without it
    live = settings.CACHES
    settings.CACHES = {"default": {**live["default"], "LOCATION": DEAD_REDIS}}
    with django_capture_on_commit_callbacks(execute=True):
        signed_out = api(alpha).post(
            "/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json"
        )
    assert signed_out.status_code == 200

    # Redis answers again (and this process tries it again at once).
    settings.CACHES = live
    monkeypatch.setattr(revocations, "_unusable_until", 0.0)

    # This process sends what it missed before trusting anything...
    assert _me(api, alpha, tokens["access"]).status_code == 401
    # ...so a process that never saw the outage refuses the token too.
    revocations.forget_copies()
    assert _me(api, alpha, tokens["access"]).status_code == 401
    with schema_context(alpha.schema_name):
        record = get_redis_connection("default").hgetall(cache.make_key("accounts:revoked"))
    assert any(name.startswith(b"s:") for name in record)
