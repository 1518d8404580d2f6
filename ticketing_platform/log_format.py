"""JSON log lines for the app and for the servers in front of it (gunicorn, uvicorn).

In production every process writes one JSON object per line to stdout/stderr, so the
log pipeline needs one parser: the app's lines (settings.LOGGING) carry the tenant and
the request's id; gunicorn's and uvicorn's own lines (start-up, worker restarts,
timeouts, and gunicorn's access log when it is on) use the same field names.

Nothing here imports Django: gunicorn's master loads it before the app.
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

from tenants.request_ids import current_request_id

FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


class JsonFormatter(_JsonFormatter):
    """python-json-logger's formatter, adding the request's id while one is served."""

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        # uvicorn's copy of the message with terminal colours.
        log_data.pop("color_message", None)
        request_id = current_request_id()
        if request_id and "request_id" not in log_data:
            log_data["request_id"] = request_id


class AccessJsonFormatter(JsonFormatter):
    """gunicorn's access log: its atoms as fields, the proxy's X-Request-ID among them.

    The path is logged without its query string: links in our emails carry one-use
    tokens there (nginx logs `$uri` for the same reason).
    """

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        atoms = record.args
        if not isinstance(atoms, dict):  # gunicorn's SafeAtoms: "-" for what is missing
            return
        log_data.update(
            {
                "remote_addr": atoms["h"],
                "method": atoms["m"],
                "path": atoms["U"],
                "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
                "bytes": atoms["B"],
                "duration": float(atoms["L"]),
                "request_id": atoms["{x-request-id}i"],
                "user_agent": atoms["a"],
            }
        )


def gunicorn_logging(*, access_log: bool) -> dict[str, Any]:
    """gunicorn's `logconfig_dict`: its error log (and access log, if on) as JSON."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": JsonFormatter, "fmt": FIELDS, "rename_fields": RENAMED},
            "access": {"()": AccessJsonFormatter, "fmt": FIELDS, "rename_fields": RENAMED},
        },
        "handlers": {
            "error": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "stream": "ext://sys.stdout",
            },
        },
        # gunicorn merges this over its own defaults, whose root names a handler of
        # theirs; the app's LOGGING takes the root over once Django is set up.
        "root": {"level": "INFO", "handlers": ["error"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
            # Off unless asked for: the proxy logs every request already.
            "gunicorn.access": {
                "level": "INFO" if access_log else "WARNING",
                "handlers": ["access"],
                "propagate": False,
            },
        },
    }
