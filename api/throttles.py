"""Rate limits keyed by account where there is one, and generously by address.

A cinema's Wi-Fi or a mobile carrier puts many customers behind one address, so limits
per address are ceilings against floods, set far above what one person does; the
tight limits are per account (or per anonymous cart). An address is an IPv6 client's
whole /64 (tenants.addresses.address_bucket). Over a limit, DRF answers 429 with
`Retry-After`.

The counts live in Redis. The cache ignores Redis errors (it is only a cache), which
would let every limit through while Redis is down; so these limits talk to Redis
directly, and when it fails they count in the database instead
(`venue_apps.accounts.ratelimits`) and leave Redis alone for a few seconds.

Limits that protect one account from guessing and from email floods are not here: they
count failed password checks and sent emails, in the database, and never refuse the
account's owner for what a stranger did (`venue_apps.accounts.services.sign_in`,
`accounts.services.links.password_reset_request`).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from tenants.addresses import address_bucket, client_address
from venue_apps.accounts.ratelimits import Rate, rate_counter_hit

logger = logging.getLogger(__name__)

CART_HEADER = "HTTP_X_CART_ID"
# After Redis fails, count in the database for this long before trying Redis again,
# so that an outage does not cost every request a failed connection.
REDIS_RETRY_SECONDS = 5.0


__all__ = ["CART_HEADER", "client_address"]


class _StrictCache:
    """The default cache for the throttles' history, but with Redis errors raised
    instead of ignored (django-redis's own client, under the cache's key function)."""

    def __init__(self) -> None:
        self.backend = caches["default"]
        self.client = getattr(self.backend, "client", None)

    def get(self, key: str, default: Any = None) -> Any:
        if self.client is None:
            return self.backend.get(key, default)
        return self.client.get(key, default=default)

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        if self.client is None:
            self.backend.set(key, value, timeout)
        else:
            self.client.set(key, value, timeout=timeout)


def _redis_errors() -> tuple[type[BaseException], ...]:
    from django_redis.exceptions import ConnectionInterrupted
    from redis.exceptions import RedisError

    return (ConnectionInterrupted, RedisError, OSError)


# Per process and per Redis location: until when to count in the database.
_redis_unusable_until: dict[str, float] = {}


def _redis_location() -> str:
    return str(settings.CACHES["default"].get("LOCATION", ""))


class FreshRates:
    """Read the rate from the settings each time (DRF binds them once, at import, so
    settings changed afterwards, as in tests, would otherwise be ignored), see the
    client's address as everything else here does (tenants.addresses), and keep
    counting in the database while Redis is unreachable."""

    scope: str
    key: str | None
    num_requests: int
    duration: int
    _database_wait: int | None = None

    @property
    def cache(self) -> _StrictCache:
        return _StrictCache()

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        return address_bucket(client_address(request)) or "unknown"

    def allow_request(self, request, view) -> bool:
        if getattr(self, "rate", None) is None:
            return True
        location = _redis_location()
        if time.monotonic() >= _redis_unusable_until.get(location, 0.0):
            try:
                return super().allow_request(request, view)  # type: ignore[misc]
            except _redis_errors() as error:
                logger.warning("rate limits count in the database: Redis failed (%s)", error)
                _redis_unusable_until[location] = time.monotonic() + REDIS_RETRY_SECONDS
        self.key = self.get_cache_key(request, view)  # type: ignore[attr-defined]
        if self.key is None:
            return True
        verdict = rate_counter_hit(f"throttle:{self.key}", Rate(self.num_requests, self.duration))
        self._database_wait = verdict.retry_after
        return verdict.allowed

    def wait(self) -> float | None:
        if self._database_wait is not None:
            return self._database_wait
        return super().wait()  # type: ignore[misc]


class ClientThrottle(FreshRates, SimpleRateThrottle):
    """Per account, or per cart (else address) for anonymous clients. Subclasses set
    `scope`, whose rate is in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES."""

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"cart:{request.META.get(CART_HEADER) or self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressThrottle(FreshRates, SimpleRateThrottle):
    """A generous ceiling per address."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class HoldClientThrottle(ClientThrottle):
    scope = "hold_client"


class HoldAddressThrottle(AddressThrottle):
    scope = "hold_address"


class CheckoutClientThrottle(ClientThrottle):
    scope = "checkout_client"


class CheckoutAddressThrottle(AddressThrottle):
    scope = "checkout_address"


class LoginAddressThrottle(AddressThrottle):
    scope = "login_address"


class RegisterAddressThrottle(AddressThrottle):
    scope = "register_address"


class EmailAddressThrottle(AddressThrottle):
    scope = "email_address"


# --- issue 16, sign-up: the apex's sign-up form and its availability checks.
class SignupAddressThrottle(AddressThrottle):
    scope = "signup_address"


class SignupCheckAddressThrottle(AddressThrottle):
    scope = "signup_check_address"


class SignupEmailThrottle(FreshRates, SimpleRateThrottle):
    """Sign-ups per owner email, whatever address they come from (no email: no limit
    here; the form is refused for it anyway)."""

    scope = "signup_email"

    def get_cache_key(self, request, view):
        data = getattr(request, "data", None)
        email = data.get("email") if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        return self.cache_format % {"scope": self.scope, "ident": email.strip().lower()}


# Every bucket of a request in one Redis call: a sliding log per bucket (a sorted set of
# hit times, as exact as DRF's own history list, and bounded by the bucket's limit).
# A bucket under its limit records the hit; one at its limit answers the seconds until
# its oldest hit leaves the window. Buckets are counted in turn, as DRF does.
# KEYS: the buckets. ARGV: now, then limit, window and a unique member per bucket.
_SLIDING_LOG_FUNCTION = """
local function sliding_log(count, now)
  local answers = {}
  for i = 1, count do
    local key = KEYS[i]
    local limit = tonumber(ARGV[3 * i - 1])
    local window = tonumber(ARGV[3 * i])
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
    if redis.call('ZCARD', key) < limit then
      redis.call('ZADD', key, now, ARGV[3 * i + 1])
      redis.call('EXPIRE', key, math.ceil(window) + 1)
      answers[i] = ''
    else
      local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
      answers[i] = tostring(tonumber(oldest[2]) + window - now)
    end
  end
  return answers
end
"""
# With a rider: when every bucket let the request through, the rider's function runs
# on the keys after the buckets', and its answer follows the buckets' answers.
_WITH_RIDER = """
local now = tonumber(ARGV[1])
local count = (#ARGV - 1) / 3
local answers = sliding_log(count, now)
for i = 1, count do
  if answers[i] ~= '' then return answers end
end
local rider_keys = {}
for i = count + 1, #KEYS do rider_keys[#rider_keys + 1] = KEYS[i] end
rider_keys[#rider_keys + 1] = now
answers[count + 1] = %s(unpack(rider_keys))
return answers
"""


@dataclass(frozen=True)
class Rider:
    """A Lua function that runs in the rate limits' script once they all pass, so that
    what a view asks Redis next costs no round trip of its own. `source` defines
    `function`, which is called with `keys` and then the time."""

    source: str
    function: str
    keys: list[str]

    def script(self) -> str:
        return _SLIDING_LOG_FUNCTION + self.source + _WITH_RIDER % self.function


_scripts: dict[tuple[int, str], Any] = {}


def _sliding_log_hit(
    keys: list[str], rates: list[tuple[int, int]], rider: Rider | None = None
) -> tuple[list[float | None], Any]:
    """One round trip: for each key, None when the hit was counted, or the wait; and the
    rider's answer (None when there was no rider or a limit refused the request)."""
    backend = caches["default"]
    client = backend.client.get_client(write=True)  # type: ignore[attr-defined]
    source = (
        rider.script()
        if rider
        else _SLIDING_LOG_FUNCTION + "return sliding_log((#ARGV - 1) / 3, tonumber(ARGV[1]))"
    )
    script = _scripts.get((id(client), source))
    if script is None:
        script = _scripts[(id(client), source)] = client.register_script(source)
    now = time.time()
    args: list[Any] = [repr(now)]
    for number, duration in rates:
        args += [number, duration, f"{now!r}:{os.urandom(4).hex()}"]
    names = [backend.make_key(f"{key}:log") for key in keys]
    answers = script(keys=names + (rider.keys if rider else []), args=args)
    waits = [float(answer) if answer else None for answer in answers[: len(keys)]]
    return waits, answers[len(keys)] if len(answers) > len(keys) else None


class OneTripThrottles:
    """An APIView mixin: the view's rate limits (`FreshRates`) cost one Redis round
    trip together instead of a read and a write each. While Redis is unreachable each
    limit counts in the database, as `FreshRates.allow_request` does.

    A view may give a `Rider` (`throttle_rider`) to run in the same script once every
    limit passed; its answer is then `rider_answer` (None when it did not run)."""

    rider_answer: Any = None

    def throttle_rider(self, request) -> Rider | None:
        return None

    def check_throttles(self, request) -> None:
        throttles = self.get_throttles()  # type: ignore[attr-defined]
        batched = [
            throttle
            for throttle in throttles
            if isinstance(throttle, FreshRates) and getattr(throttle, "rate", None) is not None
        ]
        keys = [throttle.get_cache_key(request, self) for throttle in batched]  # type: ignore[attr-defined]
        counted = [
            (throttle, key) for throttle, key in zip(batched, keys, strict=True) if key is not None
        ]
        refused: list[float | None] = []
        location = _redis_location()
        others = [throttle for throttle in throttles if throttle not in batched]
        self.rider_answer = None
        if counted and time.monotonic() >= _redis_unusable_until.get(location, 0.0):
            try:
                waits, self.rider_answer = _sliding_log_hit(
                    [key for _, key in counted],
                    [(throttle.num_requests, throttle.duration) for throttle, _ in counted],
                    self.throttle_rider(request),
                )
            except _redis_errors() as error:
                logger.warning("rate limits count in the database: Redis failed (%s)", error)
                _redis_unusable_until[location] = time.monotonic() + REDIS_RETRY_SECONDS
                others = throttles
            else:
                refused += [wait for wait in waits if wait is not None]
        else:
            others = throttles
        for throttle in others:
            if not throttle.allow_request(request, self):
                refused.append(throttle.wait())
        if refused:
            durations = [duration for duration in refused if duration is not None]
            self.throttled(request, max(durations, default=None))  # type: ignore[attr-defined]
