"""Compose and the Kubernetes manifests, parsed (no container engine runs here): the
cache and the queues live on Redis servers with the eviction policy each needs, and
every process gets the time it needs to shut down gracefully."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
K8S = DEPLOY / "k8s"
QUEUE_URLS = ("CHANNELS_REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def k8s(name: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]


def _option(arguments: list[str], name: str) -> str:
    return arguments[arguments.index(name) + 1]


def _seconds(duration: str) -> int:
    amount, unit = re.fullmatch(r"(\d+)([sm])", duration).groups()
    return int(amount) * (60 if unit == "m" else 1)


def _server_and_db(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.hostname, parts.path.strip("/")


def _check_redis_layout(environment: dict, cache_args: list[str], queue_args: list[str]):
    cache_server, _ = _server_and_db(environment["CACHE_REDIS_URL"])
    queue = [_server_and_db(environment[name]) for name in QUEUE_URLS]

    # The cache evicts, bounded; the broker, channel layer and results never do.
    assert _option(cache_args, "--maxmemory-policy") == "allkeys-lru"
    assert re.search(r"\b\d+mb}?$", _option(cache_args, "--maxmemory"))
    assert _option(queue_args, "--maxmemory-policy") == "noeviction"
    # Policies are per server: the cache is on a server of its own.
    assert {server for server, _ in queue} == {queue[0][0]}
    assert cache_server != queue[0][0]
    # One database each on the queue's server.
    assert len({database for _, database in queue}) == 3


def test_compose_runs_the_cache_and_the_queues_on_redis_servers_of_their_own():
    stack = compose()
    services = stack["services"]
    environment = stack["x-app-env"]
    cache_server, _ = _server_and_db(environment["CACHE_REDIS_URL"])
    queue_server, _ = _server_and_db(environment["CELERY_BROKER_URL"])

    _check_redis_layout(
        environment, services[cache_server]["command"], services[queue_server]["command"]
    )
    assert "REDIS_URL" not in environment
    for role in ("web", "realtime", "worker", "beat"):
        assert {"redis", "redis-cache"} <= set(stack["x-app"]["depends_on"]), role


def test_the_manifests_run_the_cache_and_the_queues_on_redis_servers_of_their_own():
    environment = k8s("configmap.yaml")[0]["data"]
    documents = k8s("redis.yaml")
    services = {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == "Service"}
    workloads = {
        doc["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]: doc
        for doc in documents
        if doc["kind"] in {"Deployment", "StatefulSet"}
    }

    def args_behind(url: str) -> list[str]:
        service = services[_server_and_db(url)[0]]
        component = service["spec"]["selector"]["app.kubernetes.io/component"]
        (container,) = workloads[component]["spec"]["template"]["spec"]["containers"]
        return container["args"]

    _check_redis_layout(
        environment,
        args_behind(environment["CACHE_REDIS_URL"]),
        args_behind(environment["CELERY_BROKER_URL"]),
    )
    assert "redis.yaml" in k8s("kustomization.yaml")[0]["resources"]
    # The queue's server keeps its data; its memory cap stays below the container's.
    assert workloads["redis"]["kind"] == "StatefulSet"
    assert _option(args_behind(environment["CELERY_BROKER_URL"]), "--appendonly") == "yes"


def test_compose_gives_each_server_time_to_shut_down_gracefully():
    services = compose()["services"]
    gunicorn = (DEPLOY / "gunicorn.conf.py").read_text()
    graceful = int(re.search(r'"GUNICORN_GRACEFUL_TIMEOUT", "(\d+)"', gunicorn).group(1))
    uvicorn = int(
        _option(
            [part for arg in services["realtime"]["command"] for part in arg.split("=", 1)],
            "--timeout-graceful-shutdown",
        )
    )

    # Docker's default is 10 s, then SIGKILL.
    assert _seconds(services["web"]["stop_grace_period"]) > graceful
    assert _seconds(services["realtime"]["stop_grace_period"]) > uvicorn
    # A task started just before the stop may run to its hard limit.
    assert _seconds(services["worker"]["stop_grace_period"]) > settings.CELERY_TASK_TIME_LIMIT
    for name in ("postgres", "redis"):
        assert _seconds(services[name]["stop_grace_period"]) >= 30, name


@pytest.mark.parametrize(
    ("name", "margin"),
    [("web", 25 + 5), ("realtime", 45 + 5), ("worker", settings.CELERY_TASK_TIME_LIMIT)],
)
def test_kubernetes_gives_each_server_time_to_shut_down_gracefully(name, margin):
    deployment = next(doc for doc in k8s(f"{name}.yaml") if doc["kind"] == "Deployment")

    assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > margin


def test_the_manifests_keep_media_in_a_bucket_not_on_a_shared_volume():
    environment = k8s("configmap.yaml")[0]["data"]
    secret = k8s("secret.example.yaml")[0]["stringData"]
    resources = k8s("kustomization.yaml")[0]["resources"]
    workloads = [
        doc
        for name in resources
        if name.endswith(".yaml") and (K8S / name).exists()
        for doc in k8s(name)
        if doc["kind"] in {"Deployment", "StatefulSet", "Job"}
    ]

    assert environment["MEDIA_STORAGE"] == "s3"
    assert environment["MEDIA_S3_BUCKET"]
    assert {"MEDIA_S3_ACCESS_KEY_ID", "MEDIA_S3_SECRET_ACCESS_KEY"} <= set(secret)
    assert not any(name.startswith("media") for name in resources)
    for workload in workloads:
        for volume in workload["spec"]["template"]["spec"].get("volumes", []):
            assert "persistentVolumeClaim" not in volume, workload["metadata"]["name"]
