"""Celery tasks run in the schema they were sent from, on a real worker over Redis."""

from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db.models import Max
from django_tenants.utils import schema_context

from tenants.models import Tenant
from ticketing_platform.celery import app
from venue_apps.accounts.models import Role, User
from venue_apps.accounts.services.users import user_create
from venue_apps.accounts.tasks import user_welcome_email_send

TIMEOUT = 20


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        start_worker(
            app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=10
        ) as started,
    ):
        yield started


def test_task_sent_from_a_runs_in_a(committed, worker):
    mail.outbox.clear()
    alpha = Tenant.objects.get(slug="alpha")
    email = f"{uuid.uuid4().hex[:10]}@example.com"
    with schema_context(alpha.schema_name):
        user = user_create(
            email=email, password="correct-horse-battery", name="Nia", role=Role.CUSTOMER
        )
        committed.append((alpha.schema_name, user))
        result = user_welcome_email_send.delay(user.pk)

    assert result.get(timeout=TIMEOUT) == "sent"
    assert [(m.to, m.subject) for m in mail.outbox] == [([email], "Welcome to Alpha Cinemas")]


def test_task_sent_from_b_cannot_see_a_row_of_a(committed, worker):
    mail.outbox.clear()
    alpha = Tenant.objects.get(slug="alpha")
    beta = Tenant.objects.get(slug="beta")
    with schema_context(beta.schema_name):
        highest_in_beta = User.objects.aggregate(highest=Max("pk"))["highest"] or 0
    # An id that exists in alpha and, by construction, not in beta.
    with schema_context(alpha.schema_name):
        while True:
            user = user_create(
                email=f"{uuid.uuid4().hex[:10]}@example.com", password="correct-horse-battery"
            )
            committed.append((alpha.schema_name, user))
            if user.pk > highest_in_beta:
                break

    with schema_context(beta.schema_name):
        result = user_welcome_email_send.delay(user.pk)

    assert result.get(timeout=TIMEOUT) == "missing"
    assert mail.outbox == []


def test_beat_fan_out_runs_the_task_in_every_schema(committed, worker):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    from tenants.tasks import tenants_fan_out

    now = timezone.now()
    schemas = ["alpha", "beta", "frozen", "public"]
    for schema in schemas:
        with schema_context(schema):
            OutstandingToken.objects.create(
                jti=f"old-{schema}", token="x", expires_at=now - timedelta(days=1)
            )
            OutstandingToken.objects.create(
                jti=f"live-{schema}", token="x", expires_at=now + timedelta(days=1)
            )
    try:
        sent = tenants_fan_out.delay(
            "venue_apps.accounts.tasks.expired_tokens_flush",
            include_public=True,
            include_suspended=True,
        ).get(timeout=TIMEOUT)
        flushed = [app.AsyncResult(task_id).get(timeout=TIMEOUT) for task_id in sent]

        assert len(sent) == len(schemas)
        assert all(count >= 1 for count in flushed)
        for schema in schemas:
            with schema_context(schema):
                remaining = set(
                    OutstandingToken.objects.filter(
                        jti__in=[f"old-{schema}", f"live-{schema}"]
                    ).values_list("jti", flat=True)
                )
                assert remaining == {f"live-{schema}"}, schema
    finally:
        for schema in schemas:
            with schema_context(schema):
                OutstandingToken.objects.filter(jti__endswith=f"-{schema}").delete()


def test_fan_out_skips_suspended_chains_unless_asked(committed, worker):
    from tenants.tasks import tenants_fan_out

    sent = tenants_fan_out.delay("venue_apps.accounts.tasks.expired_tokens_flush").get(
        timeout=TIMEOUT
    )
    for task_id in sent:
        app.AsyncResult(task_id).get(timeout=TIMEOUT)

    expected = Tenant.objects.exclude(schema_name="public").filter(status="active").count()
    assert len(sent) == expected


def test_a_tasks_log_lines_name_the_chain_it_was_sent_from(committed, worker):
    import logging

    from ticketing_platform.observability import TenantLogFilter

    class Lines(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.addFilter(TenantLogFilter())
            self.seen: list[tuple[str, str]] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.seen.append((record.getMessage(), record.tenant))

    def succeeded_lines() -> list[str]:
        return [
            tenant
            for message, tenant in list(lines.seen)
            if result.id in message and "succeeded" in message
        ]

    lines = Lines()
    logging.getLogger().addHandler(lines)
    try:
        with schema_context("beta"):
            result = user_welcome_email_send.delay(10**9)  # no such user: "missing"
        assert result.get(timeout=TIMEOUT) == "missing"
        # The worker stores the result before it logs "succeeded": wait for the line.
        deadline = time.monotonic() + TIMEOUT
        while not succeeded_lines() and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        logging.getLogger().removeHandler(lines)

    assert succeeded_lines() == ["beta"]


def test_the_liveness_probe_passes_for_a_worker_that_answers(worker):
    from ticketing_platform.worker_liveness import worker_alive

    alive, reason = worker_alive(node=worker.hostname, timeout=5)

    assert alive, reason


def test_the_liveness_probe_fails_for_a_worker_that_does_not_answer():
    from ticketing_platform.worker_liveness import worker_alive

    alive, reason = worker_alive(node="celery@stuck-worker", timeout=1)

    assert not alive
    assert reason == "celery@stuck-worker did not answer within 1 s"


def test_the_liveness_probe_passes_while_the_broker_is_down():
    """With Redis down no worker can answer: restarting them all would fix nothing."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [sys.executable, "-m", "ticketing_platform.worker_liveness", "--timeout=2"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "CELERY_BROKER_URL": "redis://127.0.0.1:1/0"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("broker unreachable")
