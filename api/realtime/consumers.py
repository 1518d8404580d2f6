"""WebSocket consumers. The tenant comes from TenantWebsocketMiddleware (scope["tenant"])."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from tenants.channels import tenant_database_sync_to_async, tenant_group_name


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
