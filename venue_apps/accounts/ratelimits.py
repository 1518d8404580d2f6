"""Counting towards a limit in the database (`RateCounter`), for the limits that must
hold whatever happens to Redis.

A limit is a number of events a fixed window (`"30/hour"`, as DRF writes rates). One
row per key holds the current window's count; one statement counts an event, and only
while the limit is not reached, so a refused event never counts. The table lives in
each schema (accounts), beside the accounts it protects, so keys need no tenant.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from venue_apps.accounts.models import RateCounter

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# One count in this many also deletes the rows whose window is long over.
CLEAN_UP_ONE_IN = 200


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


@dataclass(frozen=True)
class RateVerdict:
    allowed: bool
    # Seconds until the window ends (0 when allowed).
    retry_after: int = 0


def rate_parse(text: str | None) -> Rate | None:
    """`"10/min"` → Rate(10, 60); None (no limit) for None."""
    if not text:
        return None
    count, _, period = text.partition("/")
    return Rate(int(count), PERIODS[period.strip()[:1]])


def rate_setting(scope: str) -> Rate | None:
    """The rate named `scope` in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES (read each time,
    so that changed settings apply), where every limit of the project is configured."""
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    return rate_parse(rates.get(scope))


def _window(rate: Rate, now: datetime) -> tuple[datetime, int]:
    """The current window's start, and the seconds until it ends."""
    epoch = int(now.timestamp())
    start = epoch - epoch % rate.seconds
    return datetime.fromtimestamp(start, tz=now.tzinfo), max(1, start + rate.seconds - epoch)


_COUNT_SQL = """
    INSERT INTO {table} AS counter (key, window_start, count, expires_at)
    VALUES (%(key)s, %(start)s, 1, %(expires)s)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN counter.window_start = EXCLUDED.window_start
                     THEN counter.count + 1 ELSE 1 END,
        window_start = EXCLUDED.window_start,
        expires_at = EXCLUDED.expires_at
    WHERE counter.window_start <> EXCLUDED.window_start OR counter.count < %(limit)s
    RETURNING count
"""


def rate_counter_hit(key: str, rate: Rate) -> RateVerdict:
    """Count one event under `key`, unless the limit is reached already: then refuse,
    and count nothing. One statement, so concurrent events never both take the last
    place."""
    now = timezone.now()
    start, left = _window(rate, now)
    if rate.limit <= 0:
        return RateVerdict(False, left)
    with connection.cursor() as cursor:
        cursor.execute(
            _COUNT_SQL.format(table=connection.ops.quote_name(RateCounter._meta.db_table)),
            {
                "key": key[:400],
                "start": start,
                "expires": start + timedelta(seconds=rate.seconds),
                "limit": rate.limit,
            },
        )
        counted = cursor.fetchone() is not None
    if secrets.randbelow(CLEAN_UP_ONE_IN) == 0:
        RateCounter.objects.filter(expires_at__lt=now).delete()
    return RateVerdict(True) if counted else RateVerdict(False, left)


def rate_counter_peek(key: str, rate: Rate) -> RateVerdict:
    """Whether one more event under `key` would be allowed now; counts nothing."""
    now = timezone.now()
    start, left = _window(rate, now)
    count = (
        RateCounter.objects.filter(key=key[:400], window_start=start)
        .values_list("count", flat=True)
        .first()
    )
    return RateVerdict(True) if (count or 0) < rate.limit else RateVerdict(False, left)
