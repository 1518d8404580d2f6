"""WebSockets: the tenant comes from the Host header of the handshake."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from ticketing_platform.asgi import application


@pytest.fixture
def live_db(django_db_setup, django_db_blocker):
    # Channels runs database work outside any test transaction, so the session tenants
    # (committed) are what it sees. async_to_sync from this thread makes Channels' sync
    # work run on this thread too, whose connection pytest-django closes afterwards.
    with django_db_blocker.unblock():
        yield


def connect(host: str, path: str = "/ws/health/") -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=[(b"host", host.encode())])


async def say_hello(host: str):
    communicator = connect(host)
    connected, code = await communicator.connect(timeout=5)
    hello = await communicator.receive_json_from(timeout=5) if connected else None
    pong = None
    if connected:
        await communicator.send_json_to({"type": "ping"})
        pong = await communicator.receive_json_from(timeout=5)
    await communicator.disconnect()
    return connected, code, hello, pong


def test_socket_is_served_by_the_tenant_of_the_host(live_db):
    connected, _, hello, pong = async_to_sync(say_hello)("alpha.localhost:8000")

    assert connected
    assert hello["type"] == "hello"
    assert hello["tenant"] == "alpha"
    assert pong == {"type": "pong"}


def test_socket_of_another_host_is_another_tenant(live_db):
    _, _, hello, _ = async_to_sync(say_hello)("beta.localhost")

    assert hello["tenant"] == "beta"


@pytest.mark.parametrize("host, code", [("nobody.localhost", 4404), ("frozen.localhost", 4403)])
def test_unknown_and_suspended_hosts_are_refused_at_the_handshake(live_db, host, code):
    connected, close_code, hello, _ = async_to_sync(say_hello)(host)

    assert not connected
    assert close_code == code
    assert hello is None
