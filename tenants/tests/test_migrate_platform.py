"""`migrate_platform --executor=multiprocessing`, the release's migrate step, run the way
production runs it: with a connection pool per process (DB_POOL_MAX_SIZE).

django-tenants forks its migration workers from the command's process. A pool open at
that moment hands its sockets to every child, so two children talk over one PostgreSQL
connection: the protocol gets mixed up ("the last operation didn't produce records"),
a run hangs, or one chain's DDL runs under another's search_path.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django_tenants.utils import schema_context

from tenants.billing.models import Subscription
from tenants.crypto import new_key
from tenants.models import PlatformAuditLog, Tenant
from tenants.services import tenant_onboard

ROOT = Path(__file__).resolve().parents[2]
CHAINS = [f"migr{index}" for index in range(4)]
# Rolled back in every new chain, so the parallel run has DDL to do in each.
ROLLED_BACK = [
    ("orders", "0001_initial", "0002_order_test_mode"),
    (
        "inventory",
        "0002_showseat_held_until_hold_showseat_hold_and_more",
        "0003_hold_client_address",
    ),
]


def _database_url() -> str:
    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}"
    )


def _applied(schema: str) -> set[tuple[str, str]]:
    with schema_context(schema):
        return set(MigrationRecorder(connection).applied_migrations())


@pytest.fixture
def behind_chains(django_db_setup, django_db_blocker):
    """Four committed chains, each one release behind (two migrations rolled back)."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        try:
            for slug in CHAINS:
                tenant_onboard(
                    name=f"Migration {slug}",
                    slug=slug,
                    owner_email=f"owner@{slug}.test",
                    owner_password="correct-horse-battery-staple",
                    currency="EUR",
                    timezone="Europe/Paris",
                )
                for app, target, _ in ROLLED_BACK:
                    call_command(
                        "migrate_schemas",
                        app,
                        target,
                        schema_name=slug,
                        interactive=False,
                        verbosity=0,
                    )
            connection.set_schema_to_public()
            yield CHAINS
        finally:
            connection.set_schema_to_public()
            for tenant in Tenant.objects.filter(slug__in=CHAINS):
                PlatformAuditLog.objects.filter(tenant=tenant).delete()
                Subscription.objects.filter(tenant=tenant).delete()  # its plan (billing)
                tenant.delete(force_drop=True)


def test_a_parallel_migration_with_pools_migrates_every_chain(behind_chains):
    for slug in behind_chains:
        assert not {(app, name) for app, _, name in ROLLED_BACK} & _applied(slug)

    environment = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": new_key(),
        "DATABASE_URL": _database_url(),
        # The manifests' and compose's pool: one per process, a few connections each.
        "DB_POOL_MAX_SIZE": "8",
        "DB_CONN_MAX_AGE": "60",
    }
    # A session of its own: a hung run is stopped with its forked workers.
    process = subprocess.Popen(
        [sys.executable, "manage.py", "migrate_platform", "--executor=multiprocessing"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=150)
    except subprocess.TimeoutExpired:  # the hang that shared sockets cause
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"the migration hung:\n{output}")

    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert "Error" not in output
    for slug in behind_chains:
        assert {(app, name) for app, _, name in ROLLED_BACK} <= _applied(slug), slug
    for slug in ["alpha", "beta", "frozen"]:
        assert {(app, name) for app, _, name in ROLLED_BACK} <= _applied(slug), slug
