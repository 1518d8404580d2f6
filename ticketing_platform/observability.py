"""Structured logs and Sentry events that always say which tenant they came from.

The chain a request, a WebSocket or a Celery task serves is put in a context variable
where the work enters (`tenants.schemas.serving_schema_set`), because the database connection is no
witness outside the thread that set it: Django's ASGI handler logs each 4xx and 5xx,
and turns exceptions into responses, on threads of their own whose connections sit in
`public`. Context variables follow the work across `sync_to_async` and
`async_to_sync`, so those lines name the right chain too.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection

from tenants.schemas import serving_schema

# Keys whose values never leave the process in an error report.
_SECRET_MARKERS = ("password", "secret", "token", "authorization", "api_key", "cookie", "key")
# Keys matched whole: a sign-in's second factor (`otp`, an app or recovery code), the
# code of the two-factor endpoints, and new recovery codes.
_SECRET_KEYS = frozenset({"otp", "otp_token", "code", "recovery_codes", "codes"})


def _secret_key(key: Any) -> bool:
    name = str(key).lower()
    return name in _SECRET_KEYS or any(marker in name for marker in _SECRET_MARKERS)


def current_schema() -> str:
    """The tenant the code is serving now: the one named where the work entered, else
    the schema of this thread's connection (management commands, scripts, tests)."""
    return serving_schema() or getattr(connection, "schema_name", None) or "-"


class TenantLogFilter(logging.Filter):
    """Adds `tenant` to every record so each log line names the schema it ran in."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "tenant"):
            record.tenant = current_schema()
        return True


class ClientErrorFilter(logging.Filter):
    """A request refused with a 4xx (permission denied, a bad request) is one line: the
    client caused it, so a traceback only buries the server's real errors. Django's
    `log_response` passes the exception along for some of them; 5xx keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int) and status_code < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True


class ExpectedConflictFilter(logging.Filter):
    """Drops Django's "Conflict" line of a 409. A 409 is an answer of the domain (the
    seats were taken first, the order is paid already), and on an on-sale it is most of
    the answers: one warning line each buried everything else in the log and cost 2% of
    the servers' CPU in the flash-sale benchmark. Other 4xx keep their line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "status_code", None) != 409


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: "[filtered]" if _secret_key(key) else _scrub(item) for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def _scrub_query(query: Any) -> Any:
    """A query string (or Sentry's dict of it) without secret-looking values: the links
    in our emails carry one-use tokens there."""
    from urllib.parse import parse_qsl, urlencode

    if isinstance(query, dict):
        return _scrub(query)
    if isinstance(query, str):
        pairs = parse_qsl(query, keep_blank_values=True)
        return urlencode(
            [(key, "[filtered]" if _secret_key(key) else value) for key, value in pairs]
        )
    return query


def sentry_before_send(event: Any, hint: dict[str, Any]) -> Any:
    """Tag the event with the tenant and strip anything that looks like a secret."""
    event.setdefault("tags", {})["tenant"] = current_schema()
    request = event.get("request")
    if request:
        for part in ("headers", "data", "cookies"):
            if part in request:
                request[part] = _scrub(request[part])
        if "query_string" in request:
            request["query_string"] = _scrub_query(request["query_string"])
    return event


def sentry_init(dsn: str, *, environment: str, traces_sample_rate: float) -> None:
    """Start Sentry for Django, Celery and Redis with tenant tags and no personal data."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.redis import RedisIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration(), RedisIntegration()],
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        # Stack frames' local variables would carry what the scrubber never sees by key
        # (a list of new recovery codes, a decrypted gateway key).
        include_local_variables=False,
        before_send=sentry_before_send,
    )
