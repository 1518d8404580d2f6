"""The queue of one show, in Redis: one Lua script per operation, so each is one round
trip and atomic.

Keys are the schema's and the show's (`<schema>:<cache prefix>:waiting_room:<show>`),
as everything this project keeps outside PostgreSQL. The state hash holds:

- `next`: the last place number handed out (places are 1, 2, 3, ...);
- `base`, `t0`, `rate`: the admission frontier. It advances with time at the set rate,
  `frontier = base + rate * (now - t0)`, never past `next`; a place at or below it is
  admitted. Changing the rate (or turning the queue on) re-bases it at the current
  frontier, so no background worker is needed and the rate is exact. When the queue
  has caught up (the frontier reached `next`), a join re-bases it at `next` first, so an
  idle queue does not bank admissions for a later burst;
- `synced`, `on`, `threshold`, `auto_seconds`, `ttl`: the show's settings, copied from
  PostgreSQL (QueueSettings) so the hold path needs no query; a missing `synced` (Redis
  lost its data) makes the caller copy them again;
- `auto_until`: while in the future, the queue is on by itself (arrivals went past
  `threshold` per second).

Beside it: `:owners` (owner → place: one place per account or cart), `:addresses`
(address → anonymous places from it still waiting) with `:place_addresses` (place →
address), `:admitted` (place → when first seen
admitted; its admission lasts `ttl` from then) and `:arrivals:<second>` (hold requests
counted while the queue is off, for auto-enable).

Times are seconds since the epoch as floats, passed in by the caller (one clock for
every script of a request, and tests can move it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from redis.commands.core import Script

from tenants.schemas import current_schema_name

# Everything of a show's queue is forgotten this long after its last change.
KEEP_SECONDS = 2 * 24 * 3600

_FRONTIER = """
local function frontier(state, now)
  local nxt = tonumber(state[1]) or 0
  local base = tonumber(state[2]) or 0
  local t0 = tonumber(state[3]) or now
  local rate = tonumber(state[4]) or 1
  local f = base + rate * math.max(0, now - t0)
  if f > nxt then f = nxt end
  return f, nxt, rate
end
local function num(x) return string.format('%.6f', x) end
"""

# KEYS: state. ARGV: now, on, rate, threshold, auto_seconds, ttl, keep.
# Copies the settings; re-bases the frontier where it is, under the new rate.
_CONFIGURE = (
    _FRONTIER
    + """
local now = tonumber(ARGV[1])
local f, nxt = frontier(redis.call('HMGET', KEYS[1], 'next', 'base', 't0', 'rate'), now)
redis.call('HSET', KEYS[1], 'synced', 1, 'on', ARGV[2], 'rate', ARGV[3], 'threshold', ARGV[4],
  'auto_seconds', ARGV[5], 'ttl', ARGV[6], 'next', nxt, 'base', num(f), 't0', num(now))
redis.call('EXPIRE', KEYS[1], ARGV[7])
return 1
"""
)

# KEYS: state, owners, addresses, admitted, place addresses. ARGV: now, owner, address
# ('' for none), places per address, keep.
# Returns {-1} unsynced, {-2} address limit, else {created (0/1), place, frontier}.
_JOIN = (
    _FRONTIER
    + """
local now = tonumber(ARGV[1])
local state = redis.call('HMGET', KEYS[1], 'next', 'base', 't0', 'rate', 'ttl', 'synced')
if not state[6] then return {-1} end
local f, nxt = frontier(state, now)
local ttl = tonumber(state[5]) or 0
local place = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '')
if place then
  local seen = redis.call('HGET', KEYS[4], place)
  if (not seen) or tonumber(seen) + ttl > now then
    return {0, place, num(f)}
  end
  -- Its admission is used up: a new place, at the back.
else
  if ARGV[3] ~= '' then
    local taken = redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
    if taken > tonumber(ARGV[4]) then
      redis.call('HINCRBY', KEYS[3], ARGV[3], -1)
      return {-2}
    end
  end
end
if f >= nxt then
  f = nxt
  redis.call('HSET', KEYS[1], 'base', num(nxt), 't0', num(now))
end
place = redis.call('HINCRBY', KEYS[1], 'next', 1)
redis.call('HSET', KEYS[2], ARGV[2], place)
if ARGV[3] ~= '' then redis.call('HSET', KEYS[5], place, ARGV[3]) end
for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ARGV[5]) end
return {1, place, num(f)}
"""
)

# KEYS: state, admitted, addresses, place addresses. ARGV: now, place, keep.
# An anonymous place admitted no longer counts against its address's limit.
# Returns {-1} unsynced, else {admitted (0/1), frontier, rate, first seen admitted, ttl}.
_STATUS = (
    _FRONTIER
    + """
local now = tonumber(ARGV[1])
local place = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'next', 'base', 't0', 'rate', 'ttl', 'synced')
if not state[6] then return {-1} end
local f, nxt, rate = frontier(state, now)
if place <= math.floor(f) then
  if redis.call('HSETNX', KEYS[2], place, num(now)) == 1 then
    redis.call('EXPIRE', KEYS[2], ARGV[3])
    local address = redis.call('HGET', KEYS[4], place)
    if address then redis.call('HINCRBY', KEYS[3], address, -1) end
  end
  return {1, num(f), num(rate), redis.call('HGET', KEYS[2], place), state[5]}
end
return {0, num(f), num(rate), '', state[5]}
"""
)

# `queue_check(state key, arrivals key, now)`: -1 unsynced, 0 off, 1 on, 2 on from now
# (the arrivals went past the threshold). A function, so that the hold's rate limits can
# run it in their own script (`check_rider`) and a hold costs one round trip to Redis.
CHECK_FUNCTION = (
    _FRONTIER
    + """
local function queue_check(state_key, arrivals_key, now)
  local s = redis.call('HMGET', state_key, 'synced', 'on', 'threshold', 'auto_seconds',
    'auto_until')
  if not s[1] then return -1 end
  if s[2] == '1' or (tonumber(s[5]) or 0) > now then return 1 end
  local threshold = tonumber(s[3]) or 0
  if threshold <= 0 then return 0 end
  local arrivals = redis.call('INCR', arrivals_key)
  if arrivals == 1 then redis.call('EXPIRE', arrivals_key, 5) end
  if arrivals <= threshold then return 0 end
  local f = frontier(redis.call('HMGET', state_key, 'next', 'base', 't0', 'rate'), now)
  redis.call('HSET', state_key, 'auto_until', num(now + tonumber(s[4])), 'base', num(f),
    't0', num(now))
  return 2
end
"""
)

# KEYS: state, arrivals of this second. ARGV: now.
_CHECK = CHECK_FUNCTION + "return queue_check(KEYS[1], KEYS[2], tonumber(ARGV[1]))\n"

_SCRIPTS: dict[str, Script] = {}


def _run(name: str, source: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
    from django_redis import get_redis_connection

    client = get_redis_connection("default")
    script = _SCRIPTS.get(name)
    if script is None:
        script = _SCRIPTS[name] = client.register_script(source)
    return script(keys=list(keys), args=list(args), client=client)


def redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def _key(show_id: int, *parts: str) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return ":".join([current_schema_name(), prefix, "waiting_room", str(show_id), *parts])


@dataclass(frozen=True)
class QueueConfig:
    on: bool
    rate: int
    threshold: int  # 0: never on by itself
    auto_seconds: int
    ttl: int


class Unsynced(Exception):
    """Redis has no copy of the show's settings (new, expired, or Redis lost its data)."""


def configure(show_id: int, config: QueueConfig, *, now: float) -> None:
    _run(
        "configure",
        _CONFIGURE,
        [_key(show_id)],
        [
            now,
            int(config.on),
            config.rate,
            config.threshold,
            config.auto_seconds,
            config.ttl,
            KEEP_SECONDS,
        ],
    )


@dataclass(frozen=True)
class Joined:
    created: bool
    place: int
    frontier: float


class AddressLimit(Exception):
    pass


def join(show_id: int, *, owner: str, address: str | None, per_address: int, now: float) -> Joined:
    names = ("owners", "addresses", "admitted", "place_addresses")
    keys = [_key(show_id), *(_key(show_id, name) for name in names)]
    answer = _run("join", _JOIN, keys, [now, owner, address or "", per_address, KEEP_SECONDS])
    if answer[0] == -1:
        raise Unsynced
    if answer[0] == -2:
        raise AddressLimit
    return Joined(created=bool(answer[0]), place=int(answer[1]), frontier=float(answer[2]))


@dataclass(frozen=True)
class Status:
    admitted: bool
    frontier: float
    rate: float
    admitted_at: float | None
    ttl: int


_STATUS_KEYS = ("admitted", "addresses", "place_addresses")


def status(show_id: int, *, place: int, now: float) -> Status:
    answer = _run(
        "status",
        _STATUS,
        [_key(show_id), *(_key(show_id, name) for name in _STATUS_KEYS)],
        [now, place, KEEP_SECONDS],
    )
    if answer[0] == -1:
        raise Unsynced
    return Status(
        admitted=bool(answer[0]),
        frontier=float(answer[1]),
        rate=float(answer[2]),
        admitted_at=float(answer[3]) if answer[3] else None,
        ttl=int(answer[4] or 0),
    )


# The answers of `check`.
OFF, ON, TURNED_ON = 0, 1, 2


def check_keys(show_id: int, *, now: float) -> list[str]:
    """The keys `queue_check` takes, in order."""
    return [_key(show_id), _key(show_id, "arrivals", str(math.floor(now)))]


def check_answer(answer: Any) -> int:
    """`queue_check`'s answer: OFF, ON or TURNED_ON; Unsynced when Redis had no copy."""
    if int(answer) == -1:
        raise Unsynced
    return int(answer)


def check(show_id: int, *, now: float) -> int:
    """Is the queue on (counting this arrival towards auto-enable while it is off)?"""
    return check_answer(_run("check", _CHECK, check_keys(show_id, now=now), [now]))


@dataclass(frozen=True)
class Live:
    on: bool
    auto_until: float | None
    rate: float
    issued: int
    admitted: int

    @property
    def waiting(self) -> int:
        return self.issued - self.admitted


def live(show_id: int, *, now: float) -> Live | None:
    """What the queue looks like now, or None when Redis has no copy of it."""
    from django_redis import get_redis_connection

    fields = ("synced", "on", "auto_until", "next", "base", "t0", "rate")
    values = get_redis_connection("default").hmget(_key(show_id), fields)
    state = dict(zip(fields, (value.decode() if value else None for value in values), strict=True))
    if not state["synced"]:
        return None
    issued = int(state["next"] or 0)
    rate = float(state["rate"] or 1)
    frontier = float(state["base"] or 0) + rate * max(0.0, now - float(state["t0"] or now))
    auto_until = float(state["auto_until"]) if state["auto_until"] else None
    return Live(
        on=state["on"] == "1",
        auto_until=auto_until if auto_until and auto_until > now else None,
        rate=rate,
        issued=issued,
        admitted=min(issued, math.floor(frontier)),
    )
