"""Every server logs JSON, and the proxy's X-Request-ID reaches the app's log lines and
gunicorn's access log, so one id ties a request's lines together."""

from __future__ import annotations

import json
import logging
import logging.config
import runpy
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from gunicorn.glogging import SafeAtoms

from ticketing_platform.request_id import RequestIdMiddleware

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
NGINX_ID = "6f1c0e3b9a2d4e5f8a7b6c5d4e3f2a1b"


def _app_formatter() -> logging.Formatter:
    """The JSON formatter of settings.LOGGING, built as dictConfig builds it."""
    config = settings.LOGGING["formatters"]["json"]
    factory = config["()"]
    if isinstance(factory, str):
        from django.utils.module_loading import import_string

        factory = import_string(factory)
    options = {key: value for key, value in config.items() if key != "()"}
    return factory(**options)


def _record(message: str, name: str = "venue_apps.orders") -> logging.LogRecord:
    record = logging.LogRecord(name, logging.ERROR, __file__, 1, message, None, None)
    record.tenant = "alpha"
    return record


def _served(request_id: str | None) -> tuple[dict, HttpResponse]:
    """A request through the middleware whose view writes one JSON log line."""
    lines: list[dict] = []

    def view(request):
        lines.append(json.loads(_app_formatter().format(_record("payment refused"))))
        return HttpResponse("ok")

    headers = {"HTTP_X_REQUEST_ID": request_id} if request_id is not None else {}
    response = RequestIdMiddleware(view)(RequestFactory().get("/api/v1/orders/", **headers))
    return lines[0], response


def test_the_app_logs_the_proxys_request_id_and_answers_it():
    line, response = _served(NGINX_ID)

    assert line["request_id"] == NGINX_ID
    assert line["message"] == "payment refused"
    assert line["tenant"] == "alpha"
    assert response["X-Request-ID"] == NGINX_ID


@pytest.mark.parametrize("given", [None, "", "a b\nforged: line", "x" * 200, "short"])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(given):
    line, response = _served(given)

    assert len(line["request_id"]) == 32
    assert line["request_id"] == response["X-Request-ID"]
    assert line["request_id"] != given


def test_lines_outside_a_request_carry_no_request_id():
    _served(NGINX_ID)

    line = json.loads(_app_formatter().format(_record("beat tick")))

    assert "request_id" not in line


@pytest.fixture
def gunicorn_loggers(monkeypatch):
    """deploy/gunicorn.conf.py with the access log on, its logging configured."""
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "-")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    # gunicorn's configuration takes the root logger too (the app's LOGGING takes it back
    # once Django is set up); every logger it touches is put back as it was, or the
    # tests after this one would log through gunicorn's handlers, without the chain.
    names = ("", "gunicorn.error", "gunicorn.access")
    saved = {
        name: (logger.handlers[:], logger.level, logger.propagate)
        for name in names
        for logger in [logging.getLogger(name)]
    }
    logging.config.dictConfig(config["logconfig_dict"])
    yield config
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers, logger.level, logger.propagate = handlers, level, propagate


def test_gunicorn_logs_json_with_the_request_id(gunicorn_loggers):
    atoms = SafeAtoms(
        {
            "h": "10.1.2.3",
            "m": "GET",
            "U": "/api/v1/shows/",
            "q": "token=one-use-secret",
            "s": "200",
            "B": 512,
            "L": "0.012000",
            "a": "curl/8",
            "{x-request-id}i": NGINX_ID,
        }
    )
    access = logging.getLogger("gunicorn.access").handlers[0].formatter
    error = logging.getLogger("gunicorn.error").handlers[0].formatter
    record = logging.LogRecord(
        "gunicorn.access",
        logging.INFO,
        __file__,
        1,
        gunicorn_loggers["access_log_format"],
        (atoms,),
        None,
    )

    line = json.loads(access.format(record))
    started = json.loads(error.format(_record("Booting worker with pid: 7", "gunicorn.error")))

    assert line["request_id"] == NGINX_ID
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/v1/shows/", 200)
    assert line["message"] == "GET /api/v1/shows/ 200"
    assert "one-use-secret" not in json.dumps(line)
    assert started["message"] == "Booting worker with pid: 7"
    assert started["level"] == "ERROR"


def test_gunicorns_access_log_stays_off_unless_asked_for(monkeypatch):
    monkeypatch.delenv("GUNICORN_ACCESS_LOG", raising=False)

    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))

    assert config["logconfig_dict"]["loggers"]["gunicorn.access"]["level"] == "WARNING"


def test_uvicorn_logs_json_in_compose_and_kubernetes():
    config = json.loads((DEPLOY / "uvicorn-logging.json").read_text())
    handler_config = config["handlers"]["json"]
    from django.utils.module_loading import import_string

    formatter_config = config["formatters"][handler_config["formatter"]]
    factory = import_string(formatter_config["()"])
    built = factory(**{key: value for key, value in formatter_config.items() if key != "()"})
    record = _record("Started server process [1]", "uvicorn.error")
    record.color_message = "Started server process [\x1b[36m1\x1b[0m]"
    line = json.loads(built.format(record))
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    realtime = next(
        doc
        for doc in yaml.safe_load_all((DEPLOY / "k8s" / "realtime.yaml").read_text())
        if doc["kind"] == "Deployment"
    )
    (container,) = realtime["spec"]["template"]["spec"]["containers"]

    assert line["message"] == "Started server process [1]"
    assert "color_message" not in line
    assert {"uvicorn", "uvicorn.access"} <= set(config["loggers"])
    flag = "--log-config=deploy/uvicorn-logging.json"
    assert flag in compose["services"]["realtime"]["command"]
    assert flag in container["command"]
    assert "deploy/uvicorn-logging.json" in (DEPLOY / "Dockerfile").read_text()


def test_nginx_looks_upstreams_up_while_it_runs():
    conf = (DEPLOY / "nginx" / "nginx.conf").read_text()
    directives = [line.split("#", 1)[0].strip() for line in conf.splitlines()]
    proxy_passes = [line for line in directives if line.startswith("proxy_pass ")]

    assert any(line.startswith("resolver 127.0.0.11 ") and "valid=" in line for line in directives)
    # A name in proxy_pass (or an upstream block) is resolved once, at start.
    assert proxy_passes and all(line.split()[1].startswith("$") for line in proxy_passes)
    assert not [line for line in directives if line.startswith("upstream ")]
