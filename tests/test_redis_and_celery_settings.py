"""The cache, the channel layer, the broker and the results each have a Redis URL of
their own (all REDIS_URL unless set), and the broker redelivers a dead worker's task
in minutes, never while a live one may still be waiting or running it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings

from tests.fixtures import settings_in_a_fresh_process

ROOT = Path(__file__).resolve().parent.parent

PRINT_REDIS_SETTINGS = (
    "import json, django\n"
    "django.setup()\n"
    "from django.conf import settings as s\n"
    "from ticketing_platform.celery import app\n"
    "print(json.dumps({\n"
    "    'cache': s.CACHES['default']['LOCATION'],\n"
    "    'channels': s.CHANNEL_LAYERS['default']['CONFIG']['hosts'],\n"
    "    'broker': app.conf.broker_url,\n"
    "    'results': app.conf.result_backend,\n"
    "}))\n"
)


def _redis_settings(**variables: str) -> dict:
    names = ("REDIS_URL", "CACHE_REDIS_URL", "CHANNELS_REDIS_URL", "CELERY_BROKER_URL")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in names and key != "CELERY_RESULT_BACKEND"
    }
    result = settings_in_a_fresh_process(
        PRINT_REDIS_SETTINGS,
        {
            **environment,
            "DJANGO_ENV": "development",
            **variables,
        },
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_each_use_of_redis_has_its_own_url():
    found = _redis_settings(
        REDIS_URL="redis://fallback:6379/0",
        CACHE_REDIS_URL="redis://cache:6379/0",
        CHANNELS_REDIS_URL="redis://queue:6379/0",
        CELERY_BROKER_URL="redis://queue:6379/1",
        CELERY_RESULT_BACKEND="redis://queue:6379/2",
    )

    assert found == {
        "cache": "redis://cache:6379/0",
        "channels": ["redis://queue:6379/0"],
        "broker": "redis://queue:6379/1",
        "results": "redis://queue:6379/2",
    }


def test_every_url_defaults_to_redis_url():
    found = _redis_settings(REDIS_URL="redis://only:6379/4")

    assert found == {
        "cache": "redis://only:6379/4",
        "channels": ["redis://only:6379/4"],
        "broker": "redis://only:6379/4",
        "results": "redis://only:6379/4",
    }


def test_a_dead_workers_task_comes_back_after_every_countdown_and_run_can_end():
    """acks_late: a task stays unacknowledged while it waits out a retry's countdown
    and while it runs; redelivered before both end, it would run twice."""
    from ticketing_platform.celery import app

    app.loader.import_default_modules()
    longest_countdown = max(
        (getattr(task, "retry_backoff_max", 600) if getattr(task, "retry_backoff", 0) else 0)
        for name, task in app.tasks.items()
        if not name.startswith("celery.")
    )
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert longest_countdown == 600
    assert visibility > longest_countdown + settings.CELERY_TASK_TIME_LIMIT
    # Well under Redis's default of an hour.
    assert visibility <= 1800
    assert app.conf.broker_transport_options["visibility_timeout"] == visibility
