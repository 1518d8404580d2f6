"""django-tenants' PostgreSQL backend, with two round trips fewer per request.

**The search path, remembered by the connection.** django-tenants forgets the path it
sent whenever the tenant is set, which the tenant middleware does on every request, and
whenever Django hands it another connection from the pool. So every request began with
`SET search_path`, even on a connection whose path was already that chain's. Here the
psycopg connection itself remembers the path last set on it, and the SET is skipped
when the path asked for is the one it has. It is remembered only when the SET ran
outside a transaction, where nothing can undo it; a SET inside one (which a rollback
would undo) is forgotten at once, and sent again next time, as django-tenants does.

**The pool's check, only after a pause.** psycopg's pool checks a connection with an
empty query each time it lends it (Django's CONN_HEALTH_CHECKS). `check_after_idle`
does so only for a connection nobody has borrowed for `IDLE_CHECK_SECONDS`: a
connection in constant use during a sale is not asked whether it is alive between
every two requests, and one left idle (across a database restart, say) is.
"""

from __future__ import annotations

import time

from django.utils.module_loading import import_string
from django_tenants.postgresql_backend import base as tenants_base
from django_tenants.utils import get_limit_set_calls
from psycopg import pq
from psycopg_pool import ConnectionPool

_PATH = "_tenants_search_path"
_BORROWED = "_tenants_borrowed_at"
IDLE_CHECK_SECONDS = 1.0


def check_after_idle(connection) -> None:
    """The pool's `check`: psycopg's own, for a connection idle past IDLE_CHECK_SECONDS."""
    now = time.monotonic()
    last = getattr(connection, _BORROWED, None)
    setattr(connection, _BORROWED, now)
    if last is None or now - last >= IDLE_CHECK_SECONDS:
        ConnectionPool.check_connection(connection)


class DatabaseWrapper(tenants_base.DatabaseWrapper):
    @property
    def pool(self):
        """Django's pool, made as Django makes it, but with the `check` that OPTIONS'
        `pool` names (a dotted path) where Django would only take its own."""
        options = self.settings_dict["OPTIONS"].get("pool")
        if (
            not isinstance(options, dict)
            or "check" not in options
            or self.alias in self._connection_pools
        ):
            return super().pool
        options = dict(options)
        check = options.pop("check")
        params = self.get_connection_params()
        params["autocommit"] = True  # as Django's: it sets the mode it wants later
        pool = ConnectionPool(
            kwargs=params,
            open=False,
            configure=self._configure_connection,
            check=import_string(check) if isinstance(check, str) else check,
            **options,
        )
        self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]

    def _handle_search_path(self, cursor=None):
        raw = self.connection
        if (
            raw is None
            or self._setting_search_path
            or not get_limit_set_calls()
            or self.search_path_set_schemas
        ):
            return super()._handle_search_path(cursor)
        wanted = self._get_cursor_search_paths()
        if getattr(raw, _PATH, None) == wanted:
            self.search_path_set_schemas = wanted
            return None
        setattr(raw, _PATH, None)  # unknown until the SET below is known to last
        super()._handle_search_path(cursor)
        if (
            self.search_path_set_schemas == wanted
            and raw.info.transaction_status == pq.TransactionStatus.IDLE
        ):
            setattr(raw, _PATH, list(wanted))
        return None
