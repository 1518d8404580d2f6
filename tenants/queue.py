"""Sending Celery tasks after commit, without letting a broker outage fail the request."""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def task_named(name: str) -> Any:
    """The registered Celery task called `name`.

    Services send their app's tasks by name, so that `tasks.py` (which calls the
    services) is the only module that imports the other way: no import circle between
    an app's services and its tasks. A name that is not registered raises KeyError
    when the task is sent; `tests/test_layering.py` checks every name services use.
    The name is Celery's default one, `<module>.<function>`.
    """
    if name not in current_app.tasks:
        # Workers import every app's tasks at start-up; a web process imports a tasks
        # module the first time one of its tasks is sent.
        import_module(name.rpartition(".")[0])
    return current_app.tasks[name]


def task_enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task` (a task, or its registered name) once the current transaction
    commits (never inside it).

    Redis is a broker, not the source of truth: if it is down the committed change
    stands, the failure is logged, and the periodic sweeps that own each workflow pick
    the work up again.
    """

    def send() -> None:
        try:
            (task_named(task) if isinstance(task, str) else task).apply_async(
                args=args, kwargs=kwargs
            )
        except Exception:
            logger.exception("could not queue %s", getattr(task, "name", task))

    transaction.on_commit(send)
