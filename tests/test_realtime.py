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


async def handshake(host: str, path: str):
    communicator = connect(host, path)
    connected, code = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return connected, code


def test_the_platform_host_has_no_seat_maps(live_db):
    # There is no chain's schema behind the apex domain: the consumer used to query
    # `public` for the show and fail there.
    assert async_to_sync(handshake)("localhost", "/ws/shows/1/seats/") == (False, 4404)


def test_the_platform_host_still_answers_the_health_socket(live_db):
    connected, _, hello, pong = async_to_sync(say_hello)("localhost")

    assert connected
    assert hello["type"] == "hello"
    assert pong == {"type": "pong"}


@pytest.mark.parametrize("host", ["alpha.localhost", "localhost"])
@pytest.mark.parametrize(
    "path",
    ["/ws/nope/", "/ws/shows/abc/seats/", "/ws/", "/ws/shows/1/seats/more/", "/elsewhere/"],
)
def test_socket_paths_with_no_route_are_refused_at_the_handshake(live_db, host, path):
    assert async_to_sync(handshake)(host, path) == (False, 4404)


def test_a_show_id_past_bigint_is_not_found(live_db):
    path = "/ws/shows/99999999999999999999999/seats/"

    assert async_to_sync(handshake)("alpha.localhost", path) == (False, 4404)


@pytest.fixture
def show_on_sale(live_db):
    from django.db import connections

    from tests.programme import build_programme, programme_delete

    programme = build_programme("beta")
    try:
        yield programme["show"]
    finally:
        programme_delete("beta")
        connections.close_all()


def test_snapshot_requests_are_limited_per_socket(show_on_sale, monkeypatch):
    # A client asking for the whole map in a loop gets what a well-behaved one gets:
    # one snapshot an interval, however many it asks for.
    from api.realtime.consumers import ShowSeatsConsumer

    monkeypatch.setattr(ShowSeatsConsumer, "SNAPSHOT_INTERVAL", 0.5, raising=False)

    async def scenario():
        socket = connect("beta.localhost", f"/ws/shows/{show_on_sale.pk}/seats/")
        connected, _ = await socket.connect(timeout=5)
        assert connected
        first = await socket.receive_json_from(timeout=5)
        for _ in range(50):
            await socket.send_json_to({"type": "snapshot"})
        answered = await socket.receive_json_from(timeout=5)
        quiet = await socket.receive_nothing(timeout=0.8)
        # Once the interval has passed, the next request is answered again.
        await socket.send_json_to({"type": "snapshot"})
        again = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return first, answered, quiet, again

    first, answered, quiet, again = async_to_sync(scenario)()

    assert first["type"] == answered["type"] == again["type"] == "snapshot"
    assert answered["version"] == first["version"]
    assert quiet  # the other 49 requests added nothing


def _announce(show_id: int, times: int) -> int:
    """Bump the show's version `times` times, each in its own transaction (a delta on
    commit, as a hold sends); the last version."""
    from django.db import transaction
    from django_tenants.utils import schema_context

    from venue_apps.inventory.holds import seats_changed
    from venue_apps.inventory.models import ShowSeat

    with schema_context("beta"):
        seat = ShowSeat.objects.filter(show_id=show_id).order_by("id").first()
        version = 0
        for _ in range(times):
            with transaction.atomic():
                version = seats_changed(show_id, [(seat.pk, seat.state)])
    return version


@pytest.mark.parametrize("layer", ["fanout", "pubsub"])
def test_deltas_reach_every_watcher_of_the_show_and_no_other(show_on_sale, settings, layer):
    from asgiref.sync import sync_to_async

    settings.CHANNEL_LAYER = layer

    async def scenario():
        path = f"/ws/shows/{show_on_sale.pk}/seats/"
        sockets = [connect("beta.localhost", path) for _ in range(3)]
        for socket in sockets:
            connected, _ = await socket.connect(timeout=5)
            assert connected
        snapshots = [await socket.receive_json_from(timeout=5) for socket in sockets]
        version = await sync_to_async(_announce)(show_on_sale.pk, 2)
        received = [
            [await socket.receive_json_from(timeout=5) for _ in range(2)] for socket in sockets
        ]
        quiet = [await socket.receive_nothing(timeout=0.3) for socket in sockets]
        for socket in sockets:
            await socket.disconnect()
        from api.realtime.fanout import process_fanout

        return snapshots, version, received, quiet, dict(process_fanout().watchers)

    snapshots, version, received, quiet, watched = async_to_sync(scenario)()

    for snapshot, deltas in zip(snapshots, received, strict=True):
        assert [delta["type"] for delta in deltas] == ["delta", "delta"]
        assert [delta["version"] for delta in deltas] == [version - 1, version]
        assert deltas[0]["version"] == snapshot["version"] + 1
        assert all(isinstance(delta["committed_at"], float) for delta in deltas)
    assert all(quiet)
    assert watched == {}  # the last socket to leave ended the process's subscription


@pytest.mark.parametrize("layer", ["fanout", "pubsub"])
def test_a_watcher_that_falls_behind_gets_a_snapshot_not_a_growing_queue(
    show_on_sale, settings, monkeypatch, layer
):
    # A deliberately slow socket: nothing it is sent goes out until `gate` opens. Its
    # backlog holds 3 deltas; the 5th overflows it, and the queued ones are dropped for
    # one snapshot, read after the last of them, so it holds them all.
    import asyncio

    from asgiref.sync import sync_to_async

    from api.realtime.consumers import ShowSeatsConsumer

    settings.CHANNEL_LAYER = layer
    monkeypatch.setattr(ShowSeatsConsumer, "BACKLOG_LIMIT", 3)
    monkeypatch.setattr(ShowSeatsConsumer, "SNAPSHOT_INTERVAL", 0.1)
    gate: dict[str, asyncio.Event] = {}
    arrived = []
    send, group_message = ShowSeatsConsumer.send, ShowSeatsConsumer.group_message

    async def slow_send(self, *args, **kwargs):
        if "gate" in gate:
            await gate["gate"].wait()
        await send(self, *args, **kwargs)

    def counted(self, event):
        arrived.append(event["version"])
        group_message(self, event)

    monkeypatch.setattr(ShowSeatsConsumer, "send", slow_send)
    monkeypatch.setattr(ShowSeatsConsumer, "group_message", counted)

    async def scenario():
        socket = connect("beta.localhost", f"/ws/shows/{show_on_sale.pk}/seats/")
        connected, _ = await socket.connect(timeout=5)
        assert connected
        first = await socket.receive_json_from(timeout=5)
        gate["gate"] = asyncio.Event()
        version = await sync_to_async(_announce)(show_on_sale.pk, 8)
        for _ in range(100):
            if len(arrived) == 8:
                break
            await asyncio.sleep(0.05)
        gate["gate"].set()
        messages = []
        while not await socket.receive_nothing(timeout=0.5):
            messages.append(await socket.receive_json_from(timeout=5))
        await socket.disconnect()
        return first, version, messages

    first, version, messages = async_to_sync(scenario)()

    assert len(arrived) == 8
    # The delta already on its way when the socket stalled, then one snapshot of now.
    assert [message["type"] for message in messages] == ["delta", "snapshot"]
    assert messages[0]["version"] == first["version"] + 1
    assert messages[1]["version"] == version
    assert len(messages[1]["seats"]) == len(first["seats"])


def test_a_socket_has_one_writer_for_its_life(show_on_sale, settings):
    # The fan-out wakes each socket's writer; it does not make a task per delta and
    # socket. The writer lives as long as its socket and ends with it.
    import asyncio

    from asgiref.sync import sync_to_async

    settings.CHANNEL_LAYER = "fanout"

    def writers() -> int:
        return sum(
            1
            for task in asyncio.all_tasks()
            if getattr(task.get_coro(), "__qualname__", "").endswith("._write_backlog")
            and not task.done()
        )

    async def scenario():
        socket = connect("beta.localhost", f"/ws/shows/{show_on_sale.pk}/seats/")
        connected, _ = await socket.connect(timeout=5)
        assert connected
        await socket.receive_json_from(timeout=5)
        await sync_to_async(_announce)(show_on_sale.pk, 3)
        deltas = [await socket.receive_json_from(timeout=5) for _ in range(3)]
        during = writers()
        await socket.disconnect()
        await asyncio.sleep(0.05)
        return deltas, during, writers()

    deltas, during, after = async_to_sync(scenario)()

    assert [delta["type"] for delta in deltas] == ["delta"] * 3
    assert (during, after) == (1, 0)
