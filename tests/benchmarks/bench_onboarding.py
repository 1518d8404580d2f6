"""Onboarding benchmark: one tenant and a hundred, cloned from the template schema,
against the same work done by replaying every migration.

Run (services up, database migrated):

    .venv/bin/python -m tests.benchmarks.bench_onboarding --count 100

It creates tenants named bench-0001... in the configured database and removes them
(rows and schemas) at the end, so it can run against a development database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--migrate-samples", type=int, default=3)
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketing_platform.settings")
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection

    from tenants.billing.models import Subscription
    from tenants.models import PlatformAuditLog, Tenant
    from tenants.services import public_tenant_ensure, template_schema_ensure, tenant_onboard

    password = "bench-password-0123"  # throwaway accounts, deleted below

    def cleanup() -> None:
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(slug__startswith="bench-"):
            PlatformAuditLog.objects.filter(tenant=tenant).delete()
            Subscription.objects.filter(tenant=tenant).delete()
            tenant.delete(force_drop=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'benchmig\\_%'")
            for (schema,) in cursor.fetchall():
                cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')

    public_tenant_ensure()
    cleanup()
    started = time.perf_counter()
    template_schema_ensure(force_check=True)
    template_seconds = time.perf_counter() - started

    # The path onboarding avoids: an empty schema and every migration replayed.
    migrate_seconds = []
    for index in range(arguments.migrate_samples):
        schema = f"benchmig_{index}"
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
        call_command(
            "migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=0
        )
        migrate_seconds.append(time.perf_counter() - started)
        connection.set_schema_to_public()

    clone_seconds = []
    try:
        for index in range(1, arguments.count + 1):
            started = time.perf_counter()
            tenant_onboard(
                name=f"Bench {index}",
                slug=f"bench-{index:04d}",
                owner_email=f"owner@bench{index}.test",
                owner_password=password,
                currency="INR",
                timezone="Asia/Kolkata",
            )
            clone_seconds.append(time.perf_counter() - started)
    finally:
        cleanup()

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"

    ordered = sorted(clone_seconds)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    migrate_median = statistics.median(migrate_seconds)
    clone_median = statistics.median(clone_seconds)
    print(f"template schema check/build (once per process): {ms(template_seconds)}")
    print(
        f"schema by replaying migrations: median {ms(migrate_median)} "
        f"over {len(migrate_seconds)} schemas (schema + migrations only, no tenant row)"
    )
    print(f"onboarding, first tenant (clone):  {ms(clone_seconds[0])}")
    print(
        f"onboarding, {len(clone_seconds)} tenants (clone): total {sum(clone_seconds):.2f} s, "
        f"median {ms(clone_median)}, p95 {ms(p95)}, max {ms(ordered[-1])}"
    )
    ratio = migrate_median / clone_median
    print(f"ratio, replayed migrations / cloned onboarding (medians): {ratio:.1f}x")


if __name__ == "__main__":
    main()
