"""Typed access to the schema of this thread's database connection, and the name of
the chain the current request, WebSocket or task serves.

django-tenants adds `schema_name` and the `set_*` methods to the connection at run
time; type checkers only know Django's base class, so the domain goes through these.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

from django.conf import settings
from django.db import connection

# Set where work enters (host resolution, the WebSocket handshake, a Celery task's
# start). Unlike the connection, which belongs to one thread, a context variable follows
# the work through `sync_to_async` and `async_to_sync`: Django's ASGI handler logs
# responses and turns exceptions into them on other threads, whose connections sit in
# `public`. Log lines and Sentry events read it (ticketing_platform.observability).
_serving: ContextVar[str | None] = ContextVar("serving_schema", default=None)


def serving_schema_set(schema_name: str | None) -> None:
    """Name the schema of the chain this request, socket or task serves (None: none)."""
    _serving.set(schema_name)


def serving_schema() -> str | None:
    return _serving.get()


def serving_schema_token(schema_name: str | None) -> Token:
    """`serving_schema_set` that can be undone with `serving_schema_restore` (a task
    run inside a request gives the request its name back)."""
    return _serving.set(schema_name)


def serving_schema_restore(token: Token) -> None:
    try:
        _serving.reset(token)
    except ValueError:  # set in another context: nothing of it is left to undo here
        _serving.set(None)


def current_schema_name() -> str:
    """The schema this thread's queries run in: a tenant's, or `public`."""
    return str(connection.schema_name)  # type: ignore[attr-defined]


def in_public_schema() -> bool:
    return current_schema_name() == settings.PUBLIC_SCHEMA_NAME


def use_public_schema() -> None:
    connection.set_schema_to_public()  # type: ignore[attr-defined]
