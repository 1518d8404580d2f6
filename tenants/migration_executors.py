"""django-tenants' migration executors, made safe for a connection pool per process.

With `DB_POOL_MAX_SIZE` every process keeps a psycopg pool (Django's `OPTIONS["pool"]`),
and the pool outlives `connection.close()`: closing only hands the connection back to
it. The multiprocessing executor forks its workers right after that close, so every
child inherits the same open pool, and with it the same sockets: two children then
speak over one PostgreSQL connection, mixing up the protocol ("the last operation
didn't produce records"), hanging, or running one chain's DDL under another chain's
search_path. Closing every pool (and connection) before the fork leaves nothing to
share; each child opens its own on first use.

`GET_EXECUTOR_FUNCTION` in the settings points django-tenants' `migrate_schemas` (and
so `migrate_platform`) here.
"""

from __future__ import annotations

from django.db import connections
from django_tenants.migration_executors import MigrationExecutor, get_executor
from django_tenants.migration_executors.multiproc import MultiprocessingExecutor


def connections_close_before_fork() -> None:
    """Close every connection of this process and every pool behind them."""
    for connection in connections.all():
        connection.close()
        close_pool = getattr(connection, "close_pool", None)  # PostgreSQL only
        if close_pool is not None:
            close_pool()


class PoolSafeMultiprocessingExecutor(MultiprocessingExecutor):
    """The multiprocessing executor, closing pools before it forks its workers."""

    def run_migrations(self, tenants=None):
        tenants = list(tenants or [])
        if self.PUBLIC_SCHEMA_NAME in tenants:
            # Migrated here, in this process, before the fork (as the parent class does).
            tenants.remove(self.PUBLIC_SCHEMA_NAME)
            super().run_migrations(tenants=[self.PUBLIC_SCHEMA_NAME])
        connections_close_before_fork()
        return super().run_migrations(tenants=tenants)

    def run_multi_type_migrations(self, tenants):
        connections_close_before_fork()
        return super().run_multi_type_migrations(tenants=tenants)


def executor_for(codename: str | None = None) -> type[MigrationExecutor]:
    """django-tenants' executor of that name, the multiprocessing one made pool-safe."""
    executor = get_executor(codename=codename)
    if executor is MultiprocessingExecutor:
        return PoolSafeMultiprocessingExecutor
    return executor
