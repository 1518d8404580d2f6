"""WebSocket consumers. The tenant comes from TenantWebsocketMiddleware (scope["tenant"])."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.utils import timezone

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
    """

    SNAPSHOT_INTERVAL = 1.0

    async def connect(self) -> None:
        self.show_id = int(self.scope["url_route"]["kwargs"]["show_id"])
        self.seat_group = self.group("show", self.show_id, "seats")
        self.snapshot_sent_at = float("-inf")
        self.snapshot_waiting: asyncio.Task | None = None
        # A snapshot sent late is read and sent under this lock, and so are deltas: no
        # delta can slip between a snapshot's read and its sending (as when both ran
        # one after the other in the consumer's own loop).
        self.sending = asyncio.Lock()
        # Subscribe before reading the snapshot, so no change falls between the two;
        # deltas at or below the snapshot's version are already in it.
        await self.channel_layer.group_add(self.seat_group, self.channel_name)
        snapshot = await self.in_tenant(show_seat_map_json)(self.show_id)
        if snapshot is None:
            await self.channel_layer.group_discard(self.seat_group, self.channel_name)
            self.seat_group = None
            await self.close(code=4404)
            return
        await self.accept()
        await self._send_snapshot(snapshot)

    async def _send_snapshot(self, snapshot: bytes) -> None:
        self.snapshot_sent_at = time.monotonic()
        await self.send(text_data='{"type":"snapshot",' + snapshot.decode()[1:])

    async def _snapshot_when_due(self) -> None:
        wait = self.snapshot_sent_at + self.SNAPSHOT_INTERVAL - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        async with self.sending:
            snapshot = await self.in_tenant(show_seat_map_json)(self.show_id)
            if snapshot is not None:
                await self._send_snapshot(snapshot)

    async def disconnect(self, code: int) -> None:
        waiting = getattr(self, "snapshot_waiting", None)
        if waiting is not None:
            waiting.cancel()
        if getattr(self, "seat_group", None):
            await self.channel_layer.group_discard(self.seat_group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "snapshot":
            if self.snapshot_waiting is None or self.snapshot_waiting.done():
                self.snapshot_waiting = asyncio.ensure_future(self._snapshot_when_due())
        else:
            await self.send_json({"type": "error", "code": "unknown_message"})

    async def seats_delta(self, event: dict[str, Any]) -> None:
        async with self.sending:
            await self.send_json(
                {"type": "delta", "version": event["version"], "seats": event["seats"]}
            )


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
