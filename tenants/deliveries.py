"""Messages to customers that must go out at least once, and must not go out endlessly.

A delivery record (one row per message, in the chain's schema) is written in the
transaction that asks for the message, so a committed change always has its email on
record whatever happens to the queue, and a periodic sweep sends what is still owed.

Each attempt is counted in the record, in a transaction of its own that commits before
the work starts, and is marked finished when the work ends, well or badly. A worker
killed in the middle (out of memory, the hard time limit) records nothing more, so the
next attempt finds the previous one unfinished: a crash. Celery's `acks_late` with
`reject_on_worker_lost` hands such a message straight to another worker, and the
brokers count no redeliveries (Celery issue discussion #8969), so this record is what
stops a message that kills workers:

- an attempt while another one started less than `RUNNING_AT_MOST` ago is dropped: the
  redelivery of a message whose worker just died, or a duplicate. Only the sweep tries
  again, after `SWEEP_PAUSE`, so a poisonous message never runs twice in a row;
- after `MAX_CRASHES` unfinished attempts, or `MAX_ATTEMPTS` in all, the message is
  given up (logged as an error) and neither the queue nor the sweep sends it again.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

# Celery's own retries of a failing mail server (9 attempts at most) and a few sweeps.
MAX_ATTEMPTS = 12
# The second attempt that never finished ends it: one crash may be a deployment's
# restart, two are the message.
MAX_CRASHES = 2
# The sweep leaves alone what was asked for or tried this recently (the queue has it).
SWEEP_PAUSE = timedelta(minutes=10)
# No attempt runs longer than Celery's hard time limit; one that started longer ago and
# never finished died with its worker.
RUNNING_AT_MOST = timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 300) + 60)


class Delivery(models.Model):
    """One message owed to a customer, and what became of each attempt to send it."""

    requested_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set while an attempt runs; an attempt that finds it set (and old) counts a crash.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    crashes = models.PositiveSmallIntegerField(default=0)
    given_up_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True


D = TypeVar("D", bound=Delivery)

# The fields a fresh request for the message starts again from.
FRESH = {
    "emailed_at": None,
    "attempts": 0,
    "crashes": 0,
    "given_up_at": None,
    "last_error": "",
}


def delivery_attempt_begin(model: type[D], pk: Any) -> D | str:
    """Count an attempt at a delivery, committed before the work starts. Returns the
    record to go ahead with, or why not: "sent", "in progress" or "given up"."""
    now = timezone.now()
    with transaction.atomic():
        record = model._default_manager.select_for_update().get(pk=pk)
        if record.emailed_at is not None:
            return "sent"
        if record.given_up_at is not None:
            return "given up"
        if record.attempt_started_at is not None:
            if record.attempt_started_at > now - RUNNING_AT_MOST:
                return "in progress"
            record.crashes += 1  # the last attempt never finished: its worker died
        if record.crashes >= MAX_CRASHES or record.attempts >= MAX_ATTEMPTS:
            record.given_up_at = now
            record.attempt_started_at = None
            record.save(update_fields=["given_up_at", "attempt_started_at", "crashes"])
            logger.error(
                "%s %s given up after %d attempts (%d never finished): %s",
                model._meta.verbose_name,
                pk,
                record.attempts,
                record.crashes,
                record.last_error or "no error recorded",
            )
            return "given up"
        record.attempts += 1
        record.last_attempt_at = now
        record.attempt_started_at = now
        record.save(update_fields=["attempts", "last_attempt_at", "attempt_started_at", "crashes"])
    return record


def delivery_attempt_end(record: Delivery, *, error: BaseException | None = None) -> None:
    """The attempt `delivery_attempt_begin` returned `record` for has ended: sent, or
    failed with `error`. (A worker that dies never gets here: that is the point.)"""
    model = type(record)
    model._default_manager.filter(pk=record.pk).update(
        attempt_started_at=None, last_error=str(error)[:255] if error else ""
    )
    if error is None:
        # Sent, unless the message was asked for again meanwhile (new tickets): then the
        # new request is still owed.
        model._default_manager.filter(pk=record.pk, requested_at=record.requested_at).update(
            emailed_at=timezone.now()
        )


def delivery_due(*, within: timedelta, prefix: str = "") -> Q:
    """Records the sweep sends again: owed, asked for between `within` and
    `SWEEP_PAUSE` ago, not tried in the pause, not given up. `prefix` names the
    relation from the queried model (`"ticket_delivery__"`)."""
    now = timezone.now()

    def field(name: str, value: Any) -> Q:
        return Q(**{f"{prefix}{name}": value})

    return (
        field("emailed_at__isnull", True)
        & field("given_up_at__isnull", True)
        & field("attempts__lt", MAX_ATTEMPTS)
        & field("requested_at__gte", now - within)
        & field("requested_at__lte", now - SWEEP_PAUSE)
        & (
            field("last_attempt_at__isnull", True)
            | field("last_attempt_at__lte", now - SWEEP_PAUSE)
        )
    )
