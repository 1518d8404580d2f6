"""Reads of the waiting room: a show's settings, and its queue as it is now."""

from __future__ import annotations

import time
from dataclasses import dataclass

from tenants.error_codes import NotFound
from venue_apps.shows.models import Show
from venue_apps.waiting_room import queue
from venue_apps.waiting_room.error_codes import WaitingRoomErrorCode as Code
from venue_apps.waiting_room.models import QueueSettings


def queue_settings_get(show_id: int) -> QueueSettings:
    """The show's settings (unsaved defaults when staff never set them); 404 for no show."""
    found = QueueSettings.objects.filter(show_id=show_id).first()
    if found is not None:
        return found
    if not Show.objects.filter(pk=show_id).exists():
        raise NotFound(Code.SHOW_NOT_FOUND, "No such show.")
    return QueueSettings(show_id=show_id)


@dataclass(frozen=True)
class QueueLive:
    enabled: bool
    active: bool
    auto_until: float | None
    admissions_per_second: int
    issued: int
    admitted: int
    waiting: int
    available: bool  # False: Redis cannot be reached (the queue is off meanwhile)


def queue_live(show_id: int, *, now: float | None = None) -> QueueLive:
    """The queue now, for staff: on or off, its length, rate and admissions so far."""
    now = time.time() if now is None else now
    row = queue_settings_get(show_id)
    try:
        state = queue.live(show_id, now=now)
    except queue.redis_errors():
        state, available = None, False
    else:
        available = True
    return QueueLive(
        enabled=row.enabled,
        active=available and (row.enabled or bool(state and state.auto_until)),
        auto_until=state.auto_until if state else None,
        admissions_per_second=row.admissions_per_second,
        issued=state.issued if state else 0,
        admitted=state.admitted if state else 0,
        waiting=state.waiting if state else 0,
        available=available,
    )
