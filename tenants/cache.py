"""Read-through caching with O(1) invalidation, per tenant.

Keys are prefixed with the schema by the cache's key function, so nothing here can
mix tenants. Each namespace has a generation number; a cached value is stored under
the generation current when it was computed, and a write bumps the generation after
its transaction commits. A reader that computed from data older than the commit
stores its value under the old generation, which nobody reads any more, so a stale
value is never served after the bump. With Redis down, reads compute every time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache, caches
from django.db import transaction
from redis.exceptions import RedisError

T = TypeVar("T")
# Everything customers browse (venues, titles, shows, showtimes) shares one namespace:
# programme edits are rare next to reads, so one bump per edit is cheap and simple.
PROGRAMME_CACHE = "programme"
_GENERATION = "gen:{namespace}"
# Part of every key: raise it when the shape of a cached answer changes (a key added
# to the seat map, say), so processes of a new release never serve the old shape that
# the previous release left in Redis, and old processes never read the new one.
CACHE_FORMAT = 4


def _generation(namespace: str) -> int:
    return int(cache.get(_GENERATION.format(namespace=namespace)) or 0)


def body_etag(body: bytes) -> str:
    """A strong ETag for a cached answer: a digest of its bytes, so it changes exactly
    when the answer does."""
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def cache_key(*parts: Any) -> str:
    """A short stable key for query parameters and the like."""
    raw = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()


def cached(namespace: str, key: str, compute: Callable[[], T], *, timeout: int = 300) -> T:
    """The cached value of `compute()` for `key` in `namespace`, computing it on a miss."""
    return cached_for(namespace, key, lambda: (compute(), timeout))


def cached_for(
    namespace: str, key: str, compute: Callable[[], tuple[T, int]], *, local: bool = False
) -> T:
    """Like `cached`, for values that know how long they stay true: `compute` returns
    the value and its timeout in seconds. The generation is read once, before
    computing, so the value is stored under the generation it was computed in.

    `local=True` keeps a copy in this process too, for large values read far more often
    than they change (a seat map during an on-sale): see `_cached_locally`."""
    generation_key = _GENERATION.format(namespace=namespace)
    value_key = f"{namespace}:v{CACHE_FORMAT}:{key}"
    if local:
        return _cached_locally(generation_key, value_key, compute)
    # One round trip: the generation and the last value stored with its generation;
    # a value of another generation is never served.
    found = cache.get_many([generation_key, value_key])
    generation = int(found.get(generation_key) or 0)
    stored = found.get(value_key)
    if isinstance(stored, tuple) and stored[0] == generation:
        return stored[1]
    value, timeout = compute()
    cache.set(value_key, (generation, value), timeout)
    return value


# Copies of values cached with `local=True`, by their full cache key (which names the
# schema): (generation, stamp, value). At most _LOCAL_LIMIT, the oldest dropped first.
_LOCAL: dict[str, tuple[int, int, Any]] = {}
_LOCAL_LIMIT = 256


def _cached_locally(generation_key: str, value_key: str, compute: Callable[[], tuple[T, int]]) -> T:
    """A stored value carries a random stamp, also stored alone under `<key>:stamp` with
    the same timeout. A read asks Redis for the generation and the stamp, both small,
    and answers from this process's copy when its generation and stamp are those: the
    copy is then the very value Redis holds. Only when they are not is the value itself
    read (and copied), or computed and stored under a new stamp. So a bump, an expiry,
    another process's newer value or a Redis that lost everything (no stamp) each make
    the copy unusable; a value of another generation is never served."""
    stamp_key = f"{value_key}:stamp"
    generation, stamp = _generation_and_stamp(generation_key, stamp_key)
    local_key = cache.make_key(value_key)
    mine = _LOCAL.get(local_key)
    if stamp is not None and mine is not None and mine[:2] == (generation, stamp):
        return mine[2]
    if stamp is not None:
        stored = cache.get(value_key)
        if isinstance(stored, tuple) and len(stored) == 3 and stored[0] == generation:
            _keep(local_key, stored)
            return stored[2]
    value, timeout = compute()
    # An int: django-redis stores ints as they are, so the stamp is read without pickle.
    stored = (generation, secrets.randbits(62) + 1, value)
    cache.set_many({value_key: stored, stamp_key: stored[1]}, timeout)
    _keep(local_key, stored)
    return value


def _generation_and_stamp(generation_key: str, stamp_key: str) -> tuple[int, int | None]:
    """The namespace's generation and the value's stamp, in one MGET on Redis's own
    client (django-redis's get_many costs as much again in Python for two small keys:
    a third of a cached seat map read). Both are ints, which django-redis stores as
    they are. When Redis fails: generation 0 and no stamp, so nothing is served from
    a copy (as the cache ignores Redis errors, the value is computed)."""
    backend = caches["default"]
    client = getattr(getattr(backend, "client", None), "get_client", None)
    if client is None:  # not django-redis
        found = backend.get_many([generation_key, stamp_key])
        return int(found.get(generation_key) or 0), found.get(stamp_key)
    try:
        generation, stamp = client(write=False).mget(
            [backend.make_key(generation_key), backend.make_key(stamp_key)]
        )
    except (RedisError, OSError):
        return 0, None
    return int(generation or 0), int(stamp) if stamp is not None else None


def _keep(local_key: str, stored: tuple[int, int, Any]) -> None:
    if local_key not in _LOCAL and len(_LOCAL) >= _LOCAL_LIMIT:
        # StopIteration, RuntimeError: emptied or changed meanwhile by another thread.
        with contextlib.suppress(StopIteration, RuntimeError):
            _LOCAL.pop(next(iter(_LOCAL)), None)
    _LOCAL[local_key] = stored


def cache_namespace_bump(*namespaces: str) -> None:
    """Invalidate everything cached in these namespaces once the transaction commits."""

    def bump() -> None:
        for namespace in namespaces:
            # One INCR, atomic across processes; it starts a missing counter at 1.
            cache.incr(_GENERATION.format(namespace=namespace), ignore_key_check=True)  # type: ignore[call-arg]

    transaction.on_commit(bump)
