"""The Celery app. Every task runs in the schema of the code that sent it.

tenant-schemas-celery stamps the sender's schema on each message and the worker sets it
on its connection before the task body runs; a task sent from the public schema runs in
public. Beat entries that touch every tenant go through a dispatcher task that fans out
one task per tenant (`tenants.tasks.tenants_fan_out`).
"""

import os
from contextvars import Token
from typing import Any

from celery.signals import task_postrun, task_prerun
from tenant_schemas_celery.app import CeleryApp, get_schema_name_from_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketing_platform.settings")

app = CeleryApp("ticketing_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# What each running task's start replaced, by task id: a task run eagerly inside a
# request gives the request its chain back when it ends.
_serving_before: dict[str, Token] = {}


@task_prerun.connect(dispatch_uid="ticketing_platform.task_serving_schema")
def task_serving_schema(task_id: str, task: Any, kwargs: Any = None, **_: Any) -> None:
    """Every log line of a task (Celery's own included) names the chain it was sent
    from, whichever thread or pool runs it."""
    from django.conf import settings

    from tenants.schemas import serving_schema_token

    schema = get_schema_name_from_task(task, kwargs) or settings.PUBLIC_SCHEMA_NAME
    _serving_before[task_id] = serving_schema_token(schema)


@task_postrun.connect(dispatch_uid="ticketing_platform.task_serving_schema_end")
def task_serving_schema_end(task_id: str, **_: Any) -> None:
    from tenants.schemas import serving_schema_restore

    token = _serving_before.pop(task_id, None)
    if token is not None:
        serving_schema_restore(token)
