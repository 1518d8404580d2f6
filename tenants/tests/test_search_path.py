"""The search path is sent only when it changed, and never trusted after a rollback.

TENANT_LIMIT_SET_CALLS is on; these tests pin the behaviour that makes it safe: a SET
search_path undone by a rollback is sent again before the next query.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from venue_apps.accounts.models import User
from venue_apps.accounts.services.users import user_create


def current_path() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_path_set_inside_a_rolled_back_savepoint_is_sent_again():
    with schema_context("alpha"):
        user_create(email="only-in-alpha@x.test", password="correct-horse-battery")
        assert current_path().startswith("alpha")  # the path is now alpha, outside
    with schema_context("beta"):
        try:
            with transaction.atomic():  # a savepoint inside the test's transaction
                # The first query in beta sends SET beta, inside the savepoint...
                assert not User.objects.filter(email="only-in-alpha@x.test").exists()
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        # ...which PostgreSQL undoes on rollback: the path is alpha again while the code
        # still works in beta. The backend must send the path again, not trust memory.
        assert not User.objects.filter(email="only-in-alpha@x.test").exists()
        assert current_path().startswith("beta")


@pytest.mark.django_db
def test_the_path_is_not_sent_before_every_query():
    with schema_context("alpha"):
        User.objects.count()
        with CaptureQueriesContext(connection) as log:
            User.objects.count()
            User.objects.count()
    assert [q["sql"] for q in log.captured_queries if "search_path" in q["sql"]] == []


def test_a_path_set_inside_a_rolled_back_transaction_is_sent_again(
    django_db_setup, django_db_blocker
):
    # Outside any test transaction: the case of a request whose service fails.
    with django_db_blocker.unblock():
        try:
            with schema_context("alpha"):
                assert User.objects.filter(email="owner@alpha.test").exists()  # path: alpha
            with schema_context("beta"):
                try:
                    with transaction.atomic():
                        # BEGIN; SET search_path beta; SELECT ... all inside the transaction
                        assert not User.objects.filter(email="owner@alpha.test").exists()
                        raise RuntimeError("roll back")
                except RuntimeError:
                    pass
                # The rollback undid SET beta: PostgreSQL is back on alpha's path.
                assert not User.objects.filter(email="owner@alpha.test").exists()
                assert User.objects.filter(email="owner@beta.test").exists()
        finally:
            connection.close()


def _sets(log) -> list[str]:
    return [q["sql"] for q in log.captured_queries if q["sql"].startswith("SET search_path")]


def test_the_connection_remembers_its_path_across_requests(django_db_setup, django_db_blocker):
    # Each request sets its tenant again (tenants.middleware), which makes django-tenants
    # forget the path it sent. The connection still has it: no second SET for the same
    # chain, one for another chain, and one again on the way back.
    from django.db import connections

    with django_db_blocker.unblock():
        try:
            connections.close_all()
            with schema_context("alpha"):
                assert User.objects.filter(email="owner@alpha.test").exists()
            # The next request of the same chain:
            with CaptureQueriesContext(connection) as log, schema_context("alpha"):
                assert User.objects.filter(email="owner@alpha.test").exists()
            assert _sets(log) == []
            with CaptureQueriesContext(connection) as log:
                with schema_context("beta"):
                    assert User.objects.filter(email="owner@beta.test").exists()
                    assert current_path().startswith("beta")
                with schema_context("alpha"):
                    assert User.objects.filter(email="owner@alpha.test").exists()
                    assert current_path().startswith("alpha")
            assert len(_sets(log)) == 2
        finally:
            connection.close()


def test_a_path_set_inside_a_transaction_is_not_remembered(django_db_setup, django_db_blocker):
    # A SET inside a transaction lasts only if the transaction commits, so the
    # connection does not remember it: after a rollback the path is sent again, and
    # the query reads the right chain's rows.
    with django_db_blocker.unblock():
        try:
            with schema_context("alpha"):
                assert User.objects.filter(email="owner@alpha.test").exists()
            with schema_context("beta"):
                try:
                    with transaction.atomic():
                        assert User.objects.filter(email="owner@beta.test").exists()
                        raise RuntimeError("roll back")
                except RuntimeError:
                    pass
            with schema_context("beta"):  # the next request: beta again
                with CaptureQueriesContext(connection) as log:
                    assert User.objects.filter(email="owner@beta.test").exists()
                    assert not User.objects.filter(email="owner@alpha.test").exists()
                assert len(_sets(log)) == 1
                assert current_path().startswith("beta")
        finally:
            connection.close()


def test_the_pool_checks_a_connection_only_after_it_sat_idle():
    # psycopg's pool asks check_after_idle before lending a connection. A connection
    # lent a moment ago is not checked again (no round trip during a sale); one idle
    # past IDLE_CHECK_SECONDS is, so a dead one is found before a request gets it.
    import psycopg
    from django.db import connection as django_connection

    from tenants.postgresql_backend import base as backend

    params = django_connection.get_connection_params()
    params["autocommit"] = True
    raw = psycopg.connect(**params)
    try:
        backend.check_after_idle(raw)  # first loan: checked (it is alive)
        raw.close()  # now dead, but lent a moment ago
        backend.check_after_idle(raw)  # not checked: no error
        setattr(raw, backend._BORROWED, raw._tenants_borrowed_at - backend.IDLE_CHECK_SECONDS)
        with pytest.raises(psycopg.OperationalError):
            backend.check_after_idle(raw)  # idle long enough: checked, and found dead
    finally:
        raw.close()
