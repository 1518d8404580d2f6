"""Production settings, structured logs and Sentry events that carry the tenant."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django_tenants.utils import schema_context
from pythonjsonlogger.json import JsonFormatter

from tenants.crypto import new_key
from ticketing_platform.observability import TenantLogFilter, sentry_before_send

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _built_storefront(folder: Path) -> Path:
    from tests.fixtures import FAKE_BUILD

    (folder / ".vite").mkdir(parents=True)
    (folder / ".vite" / "manifest.json").write_text(json.dumps(FAKE_BUILD))
    return folder


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        FIELD_ENCRYPTION_KEYS=new_key(),
        # A production image carries the storefront's build (the check insists).
        FRONTEND_DIST=str(_built_storefront(tmp_path / "dist")),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_check_reports_a_missing_storefront_build(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        FIELD_ENCRYPTION_KEYS=new_key(),
        FRONTEND_DIST=str(tmp_path / "never-built"),
    )

    assert result.returncode != 0
    assert "django_vite.W001" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "DJANGO_ENV": "production"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_unknown_profile_is_refused():
    result = manage("check", DJANGO_ENV="staging")

    assert result.returncode != 0
    assert "DJANGO_ENV must be" in result.stderr


def log_line(message: str) -> dict:
    record = logging.LogRecord("ticketing", logging.INFO, __file__, 1, message, None, None)
    TenantLogFilter().filter(record)
    formatter = JsonFormatter("%(levelname)s %(name)s %(tenant)s %(message)s")
    return json.loads(formatter.format(record))


@pytest.mark.django_db
def test_log_lines_carry_the_tenant(alpha):
    with schema_context(alpha.schema_name):
        inside = log_line("hold created")
    outside = log_line("tenant onboarded")

    assert inside == {
        "levelname": "INFO",
        "name": "ticketing",
        "tenant": "alpha",
        "message": "hold created",
    }
    assert outside["tenant"] == "public"


def test_logging_is_configured_with_the_tenant_filter():
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["filters"] == ["tenant", "client_errors"]
    assert "%(tenant)s" in settings.LOGGING["formatters"][handler["formatter"]].get(
        "fmt", settings.LOGGING["formatters"][handler["formatter"]].get("format")
    )


@pytest.mark.django_db
def test_sentry_events_are_tagged_with_the_tenant_and_scrubbed(alpha):
    event = {
        "request": {
            "headers": {"Authorization": "Bearer abc", "Accept": "application/json"},
            "data": {
                "email": "a@b.c",
                "password": "hunter2",
                "otp": "k7m2p-x9qrt",
                "card": {"api_key": "sk"},
                "recovery_codes": ["k7m2p-x9qrt"],
                "decoder": "kept",
            },
            "query_string": "uid=NQ&token=dixdh8-4ee785a7&next=%2F",
        }
    }
    with schema_context(alpha.schema_name):
        sent = sentry_before_send(event, {})

    assert sent["tags"]["tenant"] == "alpha"
    assert sent["request"]["headers"] == {
        "Authorization": "[filtered]",
        "Accept": "application/json",
    }
    assert sent["request"]["data"] == {
        "email": "a@b.c",
        "password": "[filtered]",
        "otp": "[filtered]",
        "card": {"api_key": "[filtered]"},
        "recovery_codes": "[filtered]",
        # Whole-name keys only: "code" filters "code", not every key containing it.
        "decoder": "kept",
    }
    assert "dixdh8" not in sent["request"]["query_string"]
    assert "uid=NQ" in sent["request"]["query_string"]


def test_sentry_reports_reach_the_transport_with_the_tenant_tag():
    """Initialise the real SDK with a DSN and capture what it would send over HTTP."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, json, sentry_sdk\n"
            "django.setup()\n"
            "from django_tenants.utils import schema_context\n"
            "sent = []\n"
            "client = sentry_sdk.get_client()\n"
            "client.transport.capture_envelope = lambda env: sent.append(env)\n"
            "with schema_context('alpha'):\n"
            "    sentry_sdk.capture_message('boom')\n"
            "sentry_sdk.flush()\n"
            "event = sent[0].get_event()\n"
            "print(json.dumps(event['tags']))\n",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ticketing_platform.settings",
            "DJANGO_ENV": "development",
            "SENTRY_DSN": "https://public@sentry.invalid/1",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["tenant"] == "alpha"


# --- each log line once, naming its chain ----------------------------------------------


@pytest.fixture
def printed(settings):
    """What the configured log handlers print, with DEBUG on as in the demo: the stream
    of every handler a `django.request` line reaches (pytest's own handlers aside)."""
    import io

    from ticketing_platform.asgi import application  # noqa: F401  (it sets Django up)

    settings.DEBUG = True
    buffer = io.StringIO()
    swapped = []
    logger: logging.Logger | None = logging.getLogger("django.request")
    while logger is not None:
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:
                swapped.append((handler, handler.setStream(buffer)))
        logger = logger.parent if logger.propagate else None
    yield buffer
    for handler, stream in swapped:
        if stream is not None:
            handler.setStream(stream)


def asgi_get(path: str, host: str) -> int:
    """One GET through the ASGI application the demo and production serve, to the end
    (Django logs the response after the middleware, on a thread of its own)."""
    from asgiref.sync import async_to_sync
    from asgiref.testing import ApplicationCommunicator

    from ticketing_platform.asgi import application

    async def get() -> int:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": [(b"host", host.encode()), (b"accept", b"application/json")],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
        }
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": b""})
        start = await communicator.receive_output(10)
        while (await communicator.receive_output(10)).get("more_body"):
            pass
        await communicator.wait(10)
        return start["status"]

    return async_to_sync(get)()


def lines_of(buffer, text: str) -> list[str]:
    return [line for line in buffer.getvalue().splitlines() if text in line]


def test_a_server_error_on_a_chain_host_is_logged_once_with_its_chain(committed, printed):
    from unittest import mock

    with mock.patch("api.accounts.views.TenantView.get", side_effect=RuntimeError("boom")):
        status = asgi_get("/api/v1/tenant/", "alpha.localhost")

    (line,) = lines_of(printed, "Internal Server Error: /api/v1/tenant/")
    assert status == 500
    assert "ERROR [alpha] django.request" in line
    assert "RuntimeError: boom" in printed.getvalue()  # a server error keeps its traceback


@pytest.mark.parametrize(
    "host, tag", [("alpha.localhost", "[alpha]"), ("beta.localhost", "[beta]")]
)
def test_refusals_on_a_chain_host_are_logged_with_its_chain(committed, printed, host, tag):
    status = asgi_get("/api/v1/no-such-thing/", host)

    (line,) = lines_of(printed, "Not Found: /api/v1/no-such-thing/")
    assert status == 404
    assert f"WARNING {tag} django.request" in line


def test_a_suspended_chains_refusal_is_logged_with_that_chain(committed, printed):
    status = asgi_get("/api/v1/tenant/", "frozen.localhost")

    (line,) = lines_of(printed, "Forbidden: /api/v1/tenant/")
    assert status == 403
    assert "[frozen]" in line


@pytest.mark.django_db
def test_a_refused_dashboard_page_is_one_line_without_a_traceback(alpha, make_user, printed):
    from django.test import Client

    from venue_apps.accounts.models import Role

    manager = Client(HTTP_HOST="alpha.localhost")
    with schema_context(alpha.schema_name):
        manager.force_login(make_user(alpha, role=Role.MANAGER))

    refused = manager.get("/dashboard/tickets/signingkey/")  # the owner's page only

    assert refused.status_code == 403
    (line,) = lines_of(printed, "/dashboard/tickets/signingkey/")
    assert "WARNING [alpha] django.request: Forbidden (Permission denied)" in line
    assert "Traceback" not in printed.getvalue()


@pytest.mark.django_db
def test_a_hold_refused_409_writes_no_line_and_a_bad_one_400_does(alpha, programme, printed):
    from django.test import Client

    from venue_apps.inventory.models import ShowSeat

    show = programme["show"]
    with schema_context(alpha.schema_name):
        seat = ShowSeat.objects.filter(show=show).order_by("id").values_list("id", flat=True)[0]
    path = f"/api/v1/shows/{show.pk}/holds/"

    def hold(body: dict, cart: str) -> int:
        customer = Client(HTTP_HOST="alpha.localhost")
        return customer.post(
            path, body, content_type="application/json", HTTP_X_CART_ID=cart
        ).status_code

    assert hold({"seats": [seat]}, "log-cart-aaaaaaaaaaaa") == 201
    assert hold({"seats": [seat]}, "log-cart-bbbbbbbbbbbb") == 409  # taken first
    assert hold({"seats": []}, "log-cart-bbbbbbbbbbbb") == 400

    assert lines_of(printed, "Conflict:") == []
    (line,) = lines_of(printed, f"Bad Request: {path}")
    assert "WARNING [alpha] django.request" in line
