"""WebSocket routes. A chain's host serves its live seat maps; the platform's host has
no chain data, so it serves the health socket only. A path with no route is refused at
the handshake (close code 4404, a 403 to the client), never an exception in the server."""

from __future__ import annotations

from channels.routing import URLRouter
from django.urls import path, re_path

from api.realtime import consumers

_NO_ROUTE = re_path(r"^", consumers.NoRouteConsumer.as_asgi())

websocket_urlpatterns = [
    path("ws/health/", consumers.HealthConsumer.as_asgi()),
    path("ws/shows/<int:show_id>/seats/", consumers.ShowSeatsConsumer.as_asgi()),
    path("ws/shows/<int:show_id>/queue/", consumers.ShowQueueConsumer.as_asgi()),
    _NO_ROUTE,
]

platform_websocket_urlpatterns = [
    path("ws/health/", consumers.HealthConsumer.as_asgi()),
    _NO_ROUTE,
]


class HostKindRouter:
    """Routes by the kind of host the socket reached (`scope["tenant"]`, set by
    tenants.channels.TenantWebsocketMiddleware): a chain's, or the platform's."""

    def __init__(self) -> None:
        self.chain = URLRouter(websocket_urlpatterns)
        self.platform = URLRouter(platform_websocket_urlpatterns)

    async def __call__(self, scope, receive, send):
        router = self.platform if scope["tenant"].is_public else self.chain
        return await router(scope, receive, send)
