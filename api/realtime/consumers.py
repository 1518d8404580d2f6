"""WebSocket consumers. The tenant comes from TenantWebsocketMiddleware (scope["tenant"])."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.utils import timezone

from api.realtime.fanout import fanout_enabled, process_fanout
from tenants.channels import tenant_database_sync_to_async, tenant_group_name
from venue_apps.inventory.selectors import show_seat_map_json


class TenantConsumer(AsyncJsonWebsocketConsumer):
    """Base for every consumer: knows its tenant, scopes groups and database work to it."""

    @property
    def tenant(self):
        return self.scope["tenant"]

    @property
    def schema_name(self) -> str:
        return self.tenant.schema_name

    def group(self, *parts: Any) -> str:
        return tenant_group_name(self.schema_name, *parts)

    def in_tenant(self, function):
        """Wrap a synchronous ORM function to run in this tenant's schema."""
        return tenant_database_sync_to_async(self.schema_name, function)


class NoRouteConsumer(AsyncWebsocketConsumer):
    """Every path with no route: refused at the handshake, as an unknown host is."""

    async def connect(self) -> None:
        await self.close(code=4404)


class HealthConsumer(TenantConsumer):
    """`ws://<host>/ws/health/`: says which chain answered; answers `ping` with `pong`.

    Load balancers and the storefront use it to check that WebSockets reach the right
    tenant through every proxy in between.
    """

    async def connect(self) -> None:
        await self.accept()
        await self.send_json(
            {
                "type": "hello",
                "tenant": self.tenant.slug,
                "server_time": timezone.now().isoformat(),
            }
        )

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_json({"type": "error", "code": "unknown_message"})


class ShowSeatsConsumer(TenantConsumer):
    """`ws://<chain host>/ws/shows/{id}/seats/`: the live seat map of one show.

    On connect: `{"type": "snapshot", "version", "seats"}`; then after every committed
    change `{"type": "delta", "version", "seats": [{"id", "state"}]}`. A client ignores
    deltas at or below the version it has, and asks for a new snapshot
    (`{"type": "snapshot"}`) when it sees a gap. The group
    is keyed by the tenant's schema and the show, so a socket on one chain's host can
    never receive another chain's seats: the show is looked up in this host's schema.

    A snapshot is the whole map (tens of kilobytes, a cache read or a query), so one
    socket gets at most one every `SNAPSHOT_INTERVAL` seconds: a request sooner is
    answered once the interval is over, and requests while one is waiting add nothing.
    A client that misses a delta still gets its snapshot, a little later; a client that
    asks in a loop gets no more than a well-behaved one.

    Deltas wait in a bounded backlog per socket (`BACKLOG_LIMIT`), sent in order by one
    writer. A watcher that reads slower than the show changes (a phone in a tunnel)
    does not hold an ever-growing queue: once its backlog is full, the queued deltas are
    dropped, so are those that arrive until its snapshot is read, and it gets a
    snapshot (as if it had asked), which holds them all. A delta carries `committed_at`
    (seconds since the epoch, when its transaction committed), so a client or a
    benchmark can tell how late it arrived.
    """

    SNAPSHOT_INTERVAL = 1.0
    BACKLOG_LIMIT = 64

    async def connect(self) -> None:
        self.show_id = int(self.scope["url_route"]["kwargs"]["show_id"])
        self.seat_group = self.group("show", self.show_id, "seats")
        self.snapshot_sent_at = float("-inf")
        self.snapshot_waiting: asyncio.Task | None = None
        self.backlog: deque[str] = deque()
        # One writer per socket for its whole life, woken by `wake`: a delta costs a
        # wake-up, not a new task (creating one per delta per socket was a seventh of
        # the fan-out's CPU at 2,000 watchers).
        self.writer: asyncio.Task | None = None
        self.wake = asyncio.Event()
        # Set when the backlog overflowed: deltas are dropped until the snapshot that
        # replaces them is read.
        self.resyncing = False
        # Deltas may arrive (from the process's fan-out) while we connect: they wait
        # until the first snapshot is out, so none goes before the accept or the map.
        self.connected = False
        # A snapshot sent late is read and sent under this lock, and so are deltas: no
        # delta can slip between a snapshot's read and its sending (as when both ran
        # one after the other in the consumer's own loop).
        self.sending = asyncio.Lock()
        # Subscribe before reading the snapshot, so no change falls between the two;
        # deltas at or below the snapshot's version are already in it.
        await self._subscribe()
        snapshot = await self.in_tenant(show_seat_map_json)(self.show_id)
        if snapshot is None:
            await self._unsubscribe()
            self.seat_group = None
            await self.close(code=4404)
            return
        await self.accept()
        await self._send_snapshot(snapshot)
        self.connected = True
        self.writer = asyncio.ensure_future(self._write_backlog())
        self._write_soon()

    async def _send_snapshot(self, snapshot: bytes) -> None:
        self.snapshot_sent_at = time.monotonic()
        await self.send(text_data='{"type":"snapshot",' + snapshot.decode()[1:])

    async def _snapshot_when_due(self) -> None:
        wait = self.snapshot_sent_at + self.SNAPSHOT_INTERVAL - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        async with self.sending:
            # From here on a delta may be newer than the snapshot read: keep them again.
            self.resyncing = False
            snapshot = await self.in_tenant(show_seat_map_json)(self.show_id)
            if snapshot is not None:
                await self._send_snapshot(snapshot)

    async def disconnect(self, code: int) -> None:
        for task in (getattr(self, "snapshot_waiting", None), getattr(self, "writer", None)):
            if task is not None:
                task.cancel()
        if getattr(self, "seat_group", None):
            await self._unsubscribe()

    async def _subscribe(self) -> None:
        """Join the show's group: through the process's own fan-out when it is on (see
        api.realtime.fanout), else as a member of the channel layer's group."""
        if fanout_enabled():
            await process_fanout().watch(self.seat_group, self)
        else:
            await self.channel_layer.group_add(self.seat_group, self.channel_name)

    async def _unsubscribe(self) -> None:
        if fanout_enabled():
            await process_fanout().unwatch(self.seat_group, self)
        else:
            await self.channel_layer.group_discard(self.seat_group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "snapshot":
            self._snapshot_soon()
        else:
            await self.send_json({"type": "error", "code": "unknown_message"})

    def _snapshot_soon(self) -> None:
        if self.snapshot_waiting is None or self.snapshot_waiting.done():
            self.snapshot_waiting = asyncio.ensure_future(self._snapshot_when_due())

    async def seats_delta(self, event: dict[str, Any]) -> None:
        """A delta from the channel layer's group."""
        self.group_message(event)

    def group_message(self, event: dict[str, Any]) -> None:
        """Queue the delta and return at once: neither the layer's dispatch nor the
        process's fan-out ever waits on a slow socket."""
        if event.get("type") != "seats.delta":
            return
        if self.resyncing:
            return
        self.backlog.append(delta_text(self.seat_group, event))
        if len(self.backlog) > self.BACKLOG_LIMIT:
            self.backlog.clear()
            self.resyncing = True
            self._snapshot_soon()
        else:
            self._write_soon()

    def _write_soon(self) -> None:
        if self.connected and self.backlog:
            self.wake.set()

    async def _write_backlog(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.backlog:
                async with self.sending:
                    if not self.backlog:  # dropped for a snapshot while we waited
                        break
                    await self.send(text_data=self.backlog.popleft())


_DELTA_TEXTS: dict[tuple[str, int, float | None], str] = {}
_DELTA_TEXTS_LIMIT = 256


def delta_text(group: str, event: dict[str, Any]) -> str:
    """The JSON of a delta, written once per process however many of its sockets watch
    the show (a layer that fans out in the process hands them all the same event)."""
    # The commit time too: a show whose inventory was made anew counts from 1 again.
    key = (group, int(event["version"]), event.get("committed_at"))
    text = _DELTA_TEXTS.get(key)
    if text is None:
        text = json.dumps(
            {
                "type": "delta",
                "version": event["version"],
                "seats": event["seats"],
                "committed_at": event.get("committed_at"),
            },
            separators=(",", ":"),
        )
        if len(_DELTA_TEXTS) >= _DELTA_TEXTS_LIMIT:
            _DELTA_TEXTS.pop(next(iter(_DELTA_TEXTS)))
        _DELTA_TEXTS[key] = text
    return text


class ShowQueueConsumer(TenantConsumer):
    """`ws://<chain host>/ws/shows/{id}/queue/?ticket=<ticket>`: a place in the show's
    waiting room, live. About every `INTERVAL` seconds: `{"type": "position",
    "position", "estimated_wait_s"}`; once admitted: `{"type": "admitted", "admitted":
    true, "admission", "expires_at"}`, and the socket closes. The signed ticket names
    its owner, and the admission is good for that owner only, so the ticket is all the
    socket asks for. A ticket of another show or chain is refused at the handshake
    (4404); with Redis lost, `{"type": "unavailable"}` (book directly) and it closes.
    A client whose socket fails polls `GET /api/v1/shows/{id}/queue/{ticket}/`."""

    INTERVAL = 1.0

    async def connect(self) -> None:
        from urllib.parse import parse_qs

        from venue_apps.waiting_room.tokens import ticket_read

        self.show_id = int(self.scope["url_route"]["kwargs"]["show_id"])
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.ticket = (query.get("ticket") or [""])[0]
        place = ticket_read(self.ticket, schema=self.schema_name, show_id=self.show_id)
        if place is None:
            await self.close(code=4404)
            return
        self.owner = place.owner
        await self.accept()
        self.watching = asyncio.ensure_future(self._watch())

    async def _watch(self) -> None:
        from tenants.error_codes import DomainError
        from venue_apps.waiting_room.services import queue_status

        status = self.in_tenant(queue_status)
        while True:
            try:
                found = await status(self.show_id, ticket=self.ticket, owners=[self.owner])
            except DomainError as error:
                await self.send_json({"type": "unavailable", "code": error.code})
                await self.close()
                return
            if found.admitted:
                expires_at = datetime.fromtimestamp(found.expires_at or 0, tz=UTC)
                await self.send_json(
                    {
                        "type": "admitted",
                        "admitted": True,
                        "admission": found.admission,
                        "expires_at": expires_at.isoformat(),
                    }
                )
                await self.close()
                return
            await self.send_json(
                {
                    "type": "position",
                    "admitted": False,
                    "position": found.position,
                    "estimated_wait_s": found.estimated_wait_s,
                }
            )
            await asyncio.sleep(self.INTERVAL)

    async def disconnect(self, code: int) -> None:
        watching = getattr(self, "watching", None)
        if watching is not None:
            watching.cancel()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send_json({"type": "error", "code": "unknown_message"})
