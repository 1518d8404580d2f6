"""ASGI entry: HTTP and WebSockets on one port.

HTTP goes to Django (tenant resolved by TenantResolutionMiddleware); WebSockets go to
Channels, where TenantWebsocketMiddleware resolves the tenant from the Host header,
because django-tenants only routes HTTP (django-tenants #1168).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketing_platform.settings")
# Django must be set up before anything imports models.
django_http_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from api.realtime.routing import HostKindRouter  # noqa: E402
from tenants.channels import TenantWebsocketMiddleware  # noqa: E402
from ticketing_platform.warmup import urlconfs_load  # noqa: E402

urlconfs_load()

application = ProtocolTypeRouter(
    {
        "http": django_http_application,
        "websocket": TenantWebsocketMiddleware(HostKindRouter()),
    }
)
