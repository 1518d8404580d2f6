"""WSGI entry: the plain HTTP path for throughput-bound deployments."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketing_platform.settings")

application = get_wsgi_application()

from ticketing_platform.warmup import urlconfs_load  # noqa: E402

urlconfs_load()
