"""Liveness asks only the process; readiness asks PostgreSQL (and reports Redis). The
manifests probe each for what it is for, so a database outage takes pods out of the
load balancer without restarting all of them."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
import yaml
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from rest_framework.test import APIClient

K8S = Path(__file__).resolve().parent.parent / "deploy" / "k8s"


@pytest.fixture
def database_down():
    with mock.patch.object(
        BaseDatabaseWrapper, "cursor", side_effect=OperationalError("connection refused")
    ):
        yield


@pytest.fixture
def redis_down():
    with mock.patch(
        "api.health.get_redis_connection", side_effect=ConnectionError("connection refused")
    ):
        yield


@pytest.mark.parametrize("path", ["/healthz/live/", "/healthz/live"])
def test_liveness_answers_while_the_database_and_redis_are_down(path, database_down, redis_down):
    response = APIClient(HTTP_HOST="10.0.0.7").get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz/ready/", "/healthz/ready", "/healthz/"])
def test_readiness_answers_on_any_host_when_the_services_answer(path):
    response = APIClient(HTTP_HOST="10.0.0.7").get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.mark.parametrize("path", ["/healthz/ready/", "/healthz/"])
def test_readiness_fails_while_the_database_is_down(path, database_down):
    response = APIClient(HTTP_HOST="10.0.0.7").get(path)

    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_readiness_holds_while_only_redis_is_down(redis_down):
    response = APIClient(HTTP_HOST="10.0.0.7").get("/healthz/ready/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "down"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/healthz/", "/healthz/live/", "/healthz/ready", "/healthz/ready/"]
)
def test_the_probes_skip_the_https_redirect(path, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = APIClient(HTTP_HOST="10.0.0.7").get(path)

    assert response.status_code == 200
    # Everything else is redirected (the platform host here).
    assert APIClient(HTTP_HOST="localhost").get("/api/docs/").status_code == 301


def _containers(name: str) -> list[dict]:
    documents = yaml.safe_load_all((K8S / f"{name}.yaml").read_text())
    deployment = next(doc for doc in documents if doc and doc["kind"] == "Deployment")
    return deployment["spec"]["template"]["spec"]["containers"]


@pytest.mark.parametrize("role", ["web", "realtime"])
def test_kubernetes_restarts_a_pod_only_when_its_process_is_stuck(role):
    (container,) = _containers(role)

    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz/live/"
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz/live/"
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz/ready/"


def test_the_workers_liveness_survives_a_broker_outage():
    (container,) = _containers("worker")

    assert container["livenessProbe"]["exec"]["command"][:3] == [
        "python",
        "-m",
        "ticketing_platform.worker_liveness",
    ]
