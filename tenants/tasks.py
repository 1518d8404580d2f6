"""Periodic work that touches every tenant.

Celery beat runs in no tenant's schema. A beat entry therefore names the dispatcher,
which sends the real task once per tenant from inside that tenant's schema, so that
tenant-schemas-celery stamps each message with it and the worker runs each in its own
schema. One slow or failing tenant never holds up the others.
"""

from __future__ import annotations

from celery import current_app, shared_task
from django.conf import settings
from django_tenants.utils import schema_context

from tenants.models import Tenant


@shared_task
def tenants_fan_out(
    task_name: str, *, include_public: bool = False, include_suspended: bool = False
) -> list[str]:
    """Send `task_name` (no arguments) once per tenant; return the ids of the sent tasks."""
    task = current_app.tasks[task_name]
    tenants = Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME)
    if not include_suspended:
        tenants = tenants.filter(status=Tenant.Status.ACTIVE)
    schemas = list(tenants.order_by("schema_name").values_list("schema_name", flat=True))
    if include_public:
        schemas.append(settings.PUBLIC_SCHEMA_NAME)
    sent = []
    for schema in schemas:
        with schema_context(schema):
            sent.append(task.apply_async().id)
    return sent
