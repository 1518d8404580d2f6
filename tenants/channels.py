"""Tenant resolution and schema-scoped helpers for Channels (WebSockets).

django-tenants routes only HTTP. Here the Host header of the WebSocket handshake picks
the tenant; unknown and suspended hosts are refused before the consumer runs. Database
work in a consumer runs on a worker thread whose connection is in no tenant's schema
(django-tenants #1168, #767), so it goes through `tenant_database_sync_to_async`, which
enters the scope's schema on that thread.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.db import transaction
from django_tenants.utils import schema_context

from tenants.middleware import hostname_of, refusal_for
from tenants.schemas import serving_schema_set
from tenants.selectors import tenant_for_host

logger = logging.getLogger(__name__)
_GROUP_PART = re.compile(r"[^A-Za-z0-9_.-]")


def tenant_group_name(schema_name: str, *parts: Any) -> str:
    """A channel-layer group name keyed by schema, e.g. `aurora.show.42.seats`."""
    cleaned = [_GROUP_PART.sub("-", str(part)) for part in (schema_name, *parts)]
    return ".".join(cleaned)[:99]


def tenant_database_sync_to_async(schema_name: str, function: Callable) -> Callable:
    """Run `function` on Channels' database thread inside `schema_name`."""

    @functools.wraps(function)
    def in_schema(*args: Any, **kwargs: Any) -> Any:
        with schema_context(schema_name):
            return function(*args, **kwargs)

    return database_sync_to_async(in_schema)


@database_sync_to_async
def _resolve(host: str):
    tenant = tenant_for_host(host)  # switches to public itself when it must query
    return tenant, refusal_for(tenant, host)


class TenantWebsocketMiddleware:
    """Puts `tenant` in the scope, or refuses the handshake (HTTP 403) before the app runs."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        host = hostname_of(headers.get(b"host", b"").decode("latin-1"))
        tenant, refusal = await _resolve(host)
        # The socket's task (and the threads it hands database work to) logs as its chain.
        serving_schema_set(tenant.schema_name if tenant is not None else None)
        if refusal is not None:
            # Closing before accepting makes the server answer the handshake with 403.
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.close", "code": 4000 + refusal[0]})
            return None
        return await self.inner({**scope, "tenant": tenant}, receive, send)


class _Publisher:
    """One event loop per process, on a daemon thread, that sends to the channel layer.

    `async_to_sync(group_send)` from a request thread would build an event loop and a
    Redis connection for every message (milliseconds each, on the hot path of a hold);
    here the request thread only queues the message and returns. One sender drains the
    queue, so a process's messages leave in the order they were committed; the queue
    is bounded, so a hung Redis costs dropped live updates, not memory.
    """

    QUEUE_LIMIT = 10_000
    SEND_TIMEOUT = 2.0

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue | None = None
        self._pid: int | None = None
        self._sender: asyncio.Task | None = None
        self._lock = threading.Lock()

    def _started(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Queue]:
        with self._lock:
            # A forked worker inherits no threads: start one of its own.
            if self._loop is None or self._queue is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                queue: asyncio.Queue = asyncio.Queue(maxsize=self.QUEUE_LIMIT)
                self._sender = loop.create_task(self._drain(queue))
                threading.Thread(
                    target=loop.run_forever, name="channel-publisher", daemon=True
                ).start()
                self._loop, self._queue, self._pid = loop, queue, os.getpid()
            return self._loop, self._queue

    async def _drain(self, queue: asyncio.Queue) -> None:
        from channels.layers import get_channel_layer

        while True:
            group, message, done = await queue.get()
            try:
                await asyncio.wait_for(
                    get_channel_layer().group_send(group, message), self.SEND_TIMEOUT
                )
            except Exception:
                logger.warning("could not publish to %s", group, exc_info=True)
            finally:
                done.set()

    def submit(self, group: str, message: dict[str, Any]) -> threading.Event:
        """Queue a message; the returned event is set once it was sent (or given up)."""
        loop, queue = self._started()
        done = threading.Event()

        def put() -> None:
            try:
                queue.put_nowait((group, message, done))
            except asyncio.QueueFull:
                logger.warning("live update queue full; dropped a message to %s", group)
                done.set()

        loop.call_soon_threadsafe(put)
        return done


publisher = _Publisher()


def group_send_on_commit(group: str, message: dict[str, Any]) -> None:
    """Send to a channel-layer group once the transaction commits, never inside it.

    Redis is not the source of truth: if the layer is down the change stands, live
    updates pause, and clients catch up from the next snapshot. Messages of one process
    leave in commit order; clients order them by version. Each carries `committed_at`
    (epoch seconds), so how late it arrives can be measured.
    """
    transaction.on_commit(lambda: publisher.submit(group, {**message, "committed_at": time.time()}))
