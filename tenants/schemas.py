"""Typed access to the schema of this thread's database connection.

django-tenants adds `schema_name` and the `set_*` methods to the connection at run
time; type checkers only know Django's base class, so the domain goes through these.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def current_schema_name() -> str:
    """The schema this thread's queries run in: a tenant's, or `public`."""
    return str(connection.schema_name)  # type: ignore[attr-defined]


def in_public_schema() -> bool:
    return current_schema_name() == settings.PUBLIC_SCHEMA_NAME


def use_public_schema() -> None:
    connection.set_schema_to_public()  # type: ignore[attr-defined]
