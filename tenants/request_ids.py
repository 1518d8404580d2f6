"""The id of the request being served (its X-Request-ID), for anything that records it.

Set by `ticketing_platform.request_id.RequestIdMiddleware` as each request enters, and
read by the JSON log lines and the audit log. It lives here, below the domain, so that
the domain can read it without importing the project's web layer. Imports nothing of
Django: gunicorn's master loads the log format before Django is set up.
"""

from __future__ import annotations

from contextvars import ContextVar, Token

_current: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request this code serves, or "" outside a request."""
    return _current.get()


def request_id_set(request_id: str) -> Token[str]:
    """Name the request being served; undo with `request_id_reset`."""
    return _current.set(request_id)


def request_id_reset(token: Token[str]) -> None:
    _current.reset(token)
