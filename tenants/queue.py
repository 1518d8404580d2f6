"""Sending Celery tasks after commit, without letting a broker outage fail the request."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def task_enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits (never inside it).

    Redis is a broker, not the source of truth: if it is down the committed change
    stands, the failure is logged, and the periodic sweeps that own each workflow pick
    the work up again.
    """

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:
            logger.exception("could not queue %s", getattr(task, "name", task))

    transaction.on_commit(send)
