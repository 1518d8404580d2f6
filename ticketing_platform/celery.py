"""The Celery app. Every task runs in the schema of the code that sent it.

tenant-schemas-celery stamps the sender's schema on each message and the worker sets it
on its connection before the task body runs; a task sent from the public schema runs in
public. Beat entries that touch every tenant go through a dispatcher task that fans out
one task per tenant (`tenants.tasks.tenants_fan_out`).
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketing_platform.settings")

app = CeleryApp("ticketing_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
