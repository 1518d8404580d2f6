"""Fan-out inside the ASGI process (`CHANNEL_LAYER = "fanout"`).

The channel layer is then channels-redis's pub/sub layer, so a group message is one
PUBLISH on the group's Redis channel, whoever sends it. Here each process (each event
loop) holds one Redis pub/sub connection with one subscription per group its sockets
watch, and hands every message straight to its watchers: no per-socket Redis channel,
queue, or dispatch by the layer. A watcher's `group_message(event)` must not wait (the
seat consumer puts the delta in its bounded backlog).

Like the pub/sub layer, nothing is kept for a process that was not subscribed when a
message was published (a reconnect): the client sees a version gap and asks for a
snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, Protocol

from channels_redis.serializers import registry
from django.conf import settings
from redis import asyncio as redis

logger = logging.getLogger(__name__)


class Watcher(Protocol):
    def group_message(self, event: dict[str, Any]) -> None: ...


class ProcessFanout:
    """One event loop's subscriptions and the local watchers of each group."""

    def __init__(self) -> None:
        config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
        self.prefix = config.get("prefix", "asgi")
        self.client = redis.Redis.from_url(config["hosts"][0])
        self.pubsub = self.client.pubsub()
        self.serializer = registry.get_serializer("msgpack")
        self.watchers: dict[str, set[Watcher]] = {}
        self.receiving: asyncio.Task | None = None

    def channel(self, group: str) -> str:
        """The Redis channel channels-redis's pub/sub layer publishes `group` on."""
        return f"{self.prefix}__group__{group}"

    async def watch(self, group: str, watcher: Watcher) -> None:
        members = self.watchers.setdefault(group, set())
        members.add(watcher)
        if len(members) == 1:
            await self.pubsub.subscribe(self.channel(group))
        if self.receiving is None or self.receiving.done():
            self.receiving = asyncio.ensure_future(self._receive())

    async def unwatch(self, group: str, watcher: Watcher) -> None:
        members = self.watchers.get(group)
        if not members:
            return
        members.discard(watcher)
        if not members:
            del self.watchers[group]
            try:
                await self.pubsub.unsubscribe(self.channel(group))
            except (redis.RedisError, OSError):
                logger.warning("could not unsubscribe from %s", group, exc_info=True)

    async def _receive(self) -> None:
        while True:
            try:
                if not self.pubsub.subscribed:
                    await asyncio.sleep(0.05)
                    continue
                message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("live seat maps: Redis subscription failed", exc_info=True)
                await asyncio.sleep(1.0)
                continue
            if message is None or message.get("type") != "message":
                continue
            name = message["channel"]
            name = name.decode() if isinstance(name, bytes) else name
            group = name.removeprefix(f"{self.prefix}__group__")
            try:
                event = self.serializer.deserialize(message["data"])
            except Exception:
                logger.warning("live seat maps: unreadable message on %s", name)
                continue
            for watcher in list(self.watchers.get(group, ())):
                watcher.group_message(event)


_FANOUTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ProcessFanout] = (
    weakref.WeakKeyDictionary()
)


def process_fanout() -> ProcessFanout:
    """This event loop's fan-out (a process serving sockets has one loop)."""
    loop = asyncio.get_running_loop()
    fanout = _FANOUTS.get(loop)
    if fanout is None:
        fanout = _FANOUTS[loop] = ProcessFanout()
    return fanout


def fanout_enabled() -> bool:
    return getattr(settings, "CHANNEL_LAYER", "") == "fanout"
