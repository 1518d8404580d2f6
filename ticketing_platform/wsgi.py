"""WSGI entry: the plain HTTP path for throughput-bound deployments."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketing_platform.settings")

application = get_wsgi_application()
