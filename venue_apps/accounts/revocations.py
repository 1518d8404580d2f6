"""What ends an access token before it expires, known without reading the database on
each request.

An access token is checked on every API call. Reading the account's row and the
sign-out deny list (accounts.TokenDenial) there cost two queries per call, the largest
part of an on-sale's hold after the hold itself. So each chain keeps, in one Redis hash,
what changed lately:

- `s:<session key>` → when it lapses: a session signed out (also in TokenDenial);
- `u:<user id>` → `<stamp>:<when it lapses>`: the account's latest `account_stamp` (a
  digest of its password hash, role and active flag), written whenever one of those is
  saved or the account is deleted;
- `v`: a version, raised by every write; `since`: when the hash was started.

An entry lapses when every access token issued before it has expired (the access
lifetime and the leeway), so the hash stays small. Each process keeps a copy and reads
only `v` and `since` per request (one HMGET), reloading the hash when it moved: a write by any
process is seen by every process on its next request.

A token is trusted as it stands (no query) only when it carries the account's role and
stamp, was issued after `since` (a hash that Redis lost and started again knows nothing
older), names no denied session, and its stamp is the account's latest recorded one or
none is recorded. Anything else, and every request while Redis is unreachable, takes
the database path (the row and the deny list), which is exactly the old check.

Writes happen in the same request, when the change is made and again when it commits.
A write that cannot reach Redis is kept by the process and sent first the next time it
reaches Redis (any request of the chain there), before it trusts a copy. What remains
is a process that ends during the outage: the refresh tokens still end in the database
at once (blacklist), and the access tokens at their expiry (10 minutes).
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

_KEY = "accounts:revoked"
RETRY_SECONDS = 5.0
# Per process and per chain (the cache's key, which names the schema): the last copy.
_copies: dict[str, RevocationState] = {}
_unusable_until = 0.0
# Per chain: the entries this process could not write, sent when Redis answers again.
_pending: dict[str, dict[str, str]] = {}


def account_stamp(user: Any) -> str:
    """A digest of what, when it changes, must end or re-check the account's tokens:
    its password hash, role and active flag."""
    raw = f"{user.pk}|{user.password}|{user.role}|{int(bool(user.is_active))}"
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class RevocationState:
    """One chain's copy of the hash."""

    version: int
    since: float
    denied: dict[str, float] = field(default_factory=dict)
    stamps: dict[int, tuple[str, float]] = field(default_factory=dict)

    def session_denied(self, keys: Iterable[str], now: float) -> bool:
        return any(self.denied.get(key, 0.0) > now for key in keys)

    def stamp_current(self, user_id: int, stamp: str, now: float) -> bool:
        """Whether the account is unchanged since a token with this stamp was issued."""
        recorded = self.stamps.get(user_id)
        return recorded is None or recorded[1] <= now or recorded[0] == stamp


def _lifetime() -> float:
    leeway = settings.SIMPLE_JWT.get("LEEWAY", 0)
    if isinstance(leeway, timedelta):
        leeway = leeway.total_seconds()
    return settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds() + float(leeway or 0)


def _connection() -> Any:
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def _parse(raw: dict[bytes, bytes]) -> RevocationState:
    denied: dict[str, float] = {}
    stamps: dict[int, tuple[str, float]] = {}
    for name, value in raw.items():
        key, text = name.decode(), value.decode()
        if key.startswith("s:"):
            denied[key[2:]] = float(text)
        elif key.startswith("u:"):
            stamp, _, lapses = text.partition(":")
            stamps[int(key[2:])] = (stamp, float(lapses))
    return RevocationState(
        version=int(raw.get(b"v", b"0")),
        since=float(raw.get(b"since", b"0")),
        denied=denied,
        stamps=stamps,
    )


def forget_copies() -> None:
    """This process's copies are dropped (tests: what a newly started process knows)."""
    global _unusable_until
    _copies.clear()
    _pending.clear()
    _unusable_until = 0.0


def revocation_state() -> RevocationState | None:
    """This chain's state, or None when Redis cannot say (then check in the database)."""
    global _unusable_until
    if time.monotonic() < _unusable_until:
        return None
    key = cache.make_key(_KEY)
    try:
        redis = _connection()
        # The version and the start: a hash that Redis lost and started again may reach
        # the same version with other entries, never with the same start too.
        version, since = redis.hmget(key, ["v", "since"])
        copy = _copies.get(key)
        pending = _pending.pop(key, None)
        if pending:  # what this process missed first; its copy is stale then
            try:
                _write(redis, key, pending)
            except _redis_errors():
                _pending[key] = {**pending, **_pending.get(key, {})}
                raise
            copy = None
        if (
            version is not None
            and copy is not None
            and (copy.version, copy.since) == (int(version), float(since or 0))
        ):
            return copy
        if version is None:
            _write(redis, key, {})  # started now: it knows nothing older (`since`)
        state = _parse(redis.hgetall(key))
    except _redis_errors() as error:
        logger.warning("tokens are checked in the database: Redis failed (%s)", error)
        _unusable_until = time.monotonic() + RETRY_SECONDS
        return None
    _copies[key] = state
    return state


def _write(redis: Any, key: str, fields: dict[str, str]) -> None:
    pipe = redis.pipeline(transaction=True)
    pipe.hsetnx(key, "since", f"{time.time():.3f}")
    if fields:
        pipe.hset(key, mapping=fields)
    pipe.hincrby(key, "v", 1)
    pipe.execute()


def _record(key: str, fields: dict[str, str]) -> None:
    fields = {**_pending.get(key, {}), **fields}
    try:
        redis = _connection()
        _write(redis, key, fields)
        _pending.pop(key, None)
        # Keep it short: drop what has lapsed (writes are rare next to reads).
        now = time.time()
        lapsed = [
            name
            for name, value in redis.hgetall(key).items()
            if name[:2] in (b"s:", b"u:") and float(value.rpartition(b":")[2]) <= now
        ]
        if lapsed:
            redis.hdel(key, *lapsed)
    except _redis_errors() as error:
        _pending[key] = fields
        logger.error(
            "a token revocation did not reach Redis (%s), kept to send later: %s",
            error,
            sorted(fields),
        )


def _record_now_and_at_commit(fields: dict[str, Any]) -> None:
    """Written at once (so no request after this one misses it, even before the commit)
    and again when the transaction commits (so an entry lapses a whole access-token
    lifetime after the change became visible). An account's entry only sends its
    tokens to the database, which is right before and after the commit alike; a session's
    makes its tokens refused, so a sign-out that rolls back still ends that session's
    access tokens (it fails closed)."""
    key = cache.make_key(_KEY)

    def write() -> None:
        lapses = time.time() + _lifetime()
        _record(key, {name: f"{value}{lapses:.3f}" for name, value in fields.items()})

    write()
    transaction.on_commit(write)


def sessions_denied_record(keys: Iterable[str]) -> None:
    """Access tokens naming any of these session keys are refused by every process."""
    fields = {f"s:{key}": "" for key in keys}
    if fields:
        _record_now_and_at_commit(fields)


def account_changed_record(user_id: int, stamp: str) -> None:
    """The account's tokens with another stamp are checked in the database by every
    process (an empty stamp: the account is gone)."""
    _record_now_and_at_commit({f"u:{user_id}": f"{stamp}:"})
