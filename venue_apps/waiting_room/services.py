"""The waiting room: staff set a show's queue; customers join it and are admitted first
in, first out at the set rate; during an active queue a hold needs an admission.

The settings are rows (QueueSettings), copied into Redis where the queue lives
(`queue.py`). Redis is never the source of truth: when it cannot be reached, the
queue is off for that request (direct booking under the ordinary throttles; the
database still never sells a seat twice), and a warning is logged once a minute.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from tenants.error_codes import DomainError, NotFound
from tenants.schemas import current_schema_name
from venue_apps.audit.services import audit_log
from venue_apps.shows.models import Show
from venue_apps.waiting_room import queue
from venue_apps.waiting_room.error_codes import WaitingRoomErrorCode as Code
from venue_apps.waiting_room.models import CHECKOUT_ALLOWANCE_SECONDS, QueueSettings
from venue_apps.waiting_room.selectors import queue_settings_get
from venue_apps.waiting_room.tokens import Place, admission_sign, admission_valid, ticket_read
from venue_apps.waiting_room.tokens import ticket_sign as _sign_ticket

logger = logging.getLogger(__name__)

# After Redis failed, the queue is off without asking it again for this long, so that
# an outage does not cost every hold a failed connection.
REDIS_RETRY_SECONDS = 5.0
WARN_EVERY_SECONDS = 60.0
_redis_unusable_until = 0.0
_warned_at = float("-inf")


def _redis_failed(error: BaseException) -> None:
    global _redis_unusable_until, _warned_at
    _redis_unusable_until = time.monotonic() + REDIS_RETRY_SECONDS
    if time.monotonic() - _warned_at >= WARN_EVERY_SECONDS:
        _warned_at = time.monotonic()
        logger.warning("waiting room off: Redis failed (%s); holds book directly", error)


def redis_usable() -> bool:
    """False for a few seconds after Redis failed (the queue is off meanwhile)."""
    return time.monotonic() >= _redis_unusable_until


class QueueUnavailable(DomainError):
    status_code = 503


def _unavailable() -> QueueUnavailable:
    return QueueUnavailable(
        Code.QUEUE_UNAVAILABLE, "The waiting room is unavailable: book directly."
    )


def _chain_hold_ttl() -> int:
    tenant: Any = getattr(connection, "tenant", None)
    # schema_context() sets a stand-in tenant without the chain's fields.
    ttl = getattr(tenant, "hold_ttl_seconds", None)
    if ttl is None or getattr(tenant, "schema_name", None) != current_schema_name():
        from tenants.models import Tenant

        ttl = Tenant.objects.get(schema_name=current_schema_name()).hold_ttl_seconds
    return int(ttl)


def admission_ttl(queue_settings: QueueSettings) -> int:
    """How long an admission lasts: the show's own setting, else the chain's hold TTL
    plus the time checkout takes."""
    if queue_settings.admission_ttl_seconds:
        return queue_settings.admission_ttl_seconds
    return _chain_hold_ttl() + CHECKOUT_ALLOWANCE_SECONDS


def _config(queue_settings: QueueSettings) -> queue.QueueConfig:
    return queue.QueueConfig(
        on=queue_settings.enabled,
        rate=queue_settings.admissions_per_second,
        threshold=queue_settings.auto_enable_arrivals_per_second or 0,
        auto_seconds=queue_settings.auto_enable_seconds,
        ttl=admission_ttl(queue_settings),
    )


def _sync(show_id: int, *, now: float) -> None:
    """Copy the show's settings into Redis (which had none)."""
    queue.configure(show_id, _config(queue_settings_get(show_id)), now=now)


def _synced(operation, show_id: int, now: float):
    try:
        return operation()
    except queue.Unsynced:
        _sync(show_id, now=now)
        return operation()


_EDITABLE = (
    "enabled",
    "admissions_per_second",
    "auto_enable_arrivals_per_second",
    "auto_enable_seconds",
    "admission_ttl_seconds",
)


def queue_settings_update(show_id: int, *, actor: Any, **changes: Any) -> QueueSettings:
    """Set a show's waiting room (any of `_EDITABLE`); the queue follows at once, its
    frontier re-based at the new rate. Audited as `show.queue_changed`."""
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise DomainError(Code.SETTINGS_INVALID, f"Unknown settings: {sorted(unknown)}.")
    with transaction.atomic():
        if not Show.objects.filter(pk=show_id).exists():
            raise NotFound(Code.SHOW_NOT_FOUND, "No such show.")
        row, _ = QueueSettings.objects.select_for_update().get_or_create(show_id=show_id)
        before = {name: getattr(row, name) for name in _EDITABLE}
        for name, value in changes.items():
            setattr(row, name, value)
        row.full_clean(exclude=["show"])
        row.save()
        audit_log(
            actor,
            "show.queue_changed",
            row.show,
            before,
            {name: getattr(row, name) for name in _EDITABLE},
        )
        config = _config(row)

    def push() -> None:
        try:
            queue.configure(show_id, config, now=time.time())
        except queue.redis_errors() as error:
            _redis_failed(error)

    transaction.on_commit(push)
    return row


@dataclass(frozen=True)
class QueuePlace:
    ticket: str
    position: int
    estimated_wait_s: int
    created: bool


def _wait(position: int, rate: float) -> int:
    return math.ceil(position / rate) if position > 0 else 0


def queue_join(
    show_id: int, *, owner: str, address: str | None, now: float | None = None
) -> QueuePlace:
    """A place in the show's queue for this owner (`u:<user>` or `c:<cart>`): the one
    it has, or the next. Anonymous places (`address` given) are limited per address
    (an IPv6 /64 counts as one, tenants.addresses.address_bucket)."""
    from tenants.addresses import address_bucket

    now = time.time() if now is None else now
    bucket = address_bucket(address) if address else None
    queue_settings = queue_settings_get(show_id)
    try:
        joined = _synced(
            lambda: queue.join(
                show_id,
                owner=owner,
                address=bucket,
                per_address=settings.QUEUE_PLACES_PER_ADDRESS,
                now=now,
            ),
            show_id,
            now,
        )
    except queue.AddressLimit:
        raise DomainError(
            Code.ADDRESS_LIMIT,
            "Too many places in this queue from your address.",
            status_code=429,
        ) from None
    except queue.redis_errors() as error:
        _redis_failed(error)
        raise _unavailable() from error
    position = max(0, joined.place - math.floor(joined.frontier))
    place = Place(current_schema_name(), show_id, joined.place, owner)
    return QueuePlace(
        ticket=_sign_ticket(place),
        position=position,
        estimated_wait_s=_wait(position, queue_settings.admissions_per_second),
        created=joined.created,
    )


@dataclass(frozen=True)
class QueueStatus:
    admitted: bool
    position: int
    estimated_wait_s: int
    admission: str | None = None
    expires_at: float | None = None


def queue_status(
    show_id: int, *, ticket: str, owners: list[str], now: float | None = None
) -> QueueStatus:
    """Where a ticket stands: its position and wait, or its admission (good for the
    admission TTL from when it was first seen admitted). Only the ticket's owner
    may ask; anyone else's ticket is not found."""
    now = time.time() if now is None else now
    place = ticket_read(ticket, schema=current_schema_name(), show_id=show_id)
    if place is None or place.owner not in owners:
        raise NotFound(Code.TICKET_INVALID, "No such ticket in this show's queue.")
    try:
        found = _synced(lambda: queue.status(show_id, place=place.number, now=now), show_id, now)
    except queue.redis_errors() as error:
        _redis_failed(error)
        raise _unavailable() from error
    if not found.admitted:
        position = max(1, place.number - math.floor(found.frontier))
        return QueueStatus(
            admitted=False, position=position, estimated_wait_s=_wait(position, found.rate)
        )
    expires_at = (found.admitted_at or now) + found.ttl
    return QueueStatus(
        admitted=True,
        position=0,
        estimated_wait_s=0,
        admission=admission_sign(place, expires_at=expires_at),
        expires_at=expires_at,
    )


def admission_required(
    show_id: int,
    *,
    admission: str | None,
    owners: list[str],
    now: float | None = None,
    checked: Any = None,
) -> bool:
    """Does a hold on this show need an admission these owners do not present?

    True while the queue is on (set by staff, or on by itself because arrivals went
    past the threshold: this call counts one) and `admission` is not a valid, unexpired
    admission of one of `owners`. False when Redis cannot be reached: booking goes on
    directly (logged).

    `checked` is the answer of `queue.CHECK_FUNCTION` when another script already ran
    it for this request (the hold's rate limits do): no second call to Redis, unless
    that answer was that Redis had no copy of the queue."""
    now = time.time() if now is None else now
    if not redis_usable():
        return False
    try:
        try:
            if checked is None:
                raise queue.Unsynced
            state = queue.check_answer(checked)
        except queue.Unsynced:
            state = _synced(lambda: queue.check(show_id, now=now), show_id, now)
    except NotFound:
        return False  # no such show: the hold answers that itself
    except queue.redis_errors() as error:
        _redis_failed(error)
        return False
    if state == queue.OFF:
        return False
    if state == queue.TURNED_ON:
        logger.info("waiting room of show %s on by itself: arrivals past the threshold", show_id)
    return not (
        admission
        and admission_valid(
            admission, schema=current_schema_name(), show_id=show_id, owners=owners, now=now
        )
    )
