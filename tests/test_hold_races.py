"""Holds under real concurrency: many clients, overlapping seats, one winner per seat.

These tests commit their data (other connections must see it) and clean up after.
"""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.test import Client
from django_tenants.utils import schema_context

from tests.programme import big_layout, build_programme, programme_delete
from ticketing_platform.asgi import application
from venue_apps.inventory.models import Hold, ShowSeat


@pytest.fixture
def live_programme(django_db_setup, django_db_blocker, settings):
    # Generous limits: this is about seats, not about throttling.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"hold_client": "10000/min", "hold_address": "100000/min"},
    }
    with django_db_blocker.unblock():
        programme = build_programme("beta", layout=big_layout(rows=8, seats_per_side=6))
        try:
            yield programme
        finally:
            programme_delete("beta")
            connections.close_all()


def test_overlapping_holds_at_once_never_share_a_seat(live_programme):
    show = live_programme["show"]
    with schema_context("beta"):
        seat_ids = list(
            ShowSeat.objects.filter(show=show).order_by("id").values_list("id", flat=True)
        )
    hot = seat_ids[:24]  # everybody wants the same two dozen seats
    clients = 16
    attempts_each = 6
    barrier = threading.Barrier(clients)
    outcomes: list[tuple[int, list[int]]] = []
    lock = threading.Lock()

    def customer(index: int) -> None:
        rng = random.Random(index)
        client = Client(HTTP_HOST="beta.localhost")
        cart = f"race-cart-{index:04d}-xxxxxxxx"
        barrier.wait()
        try:
            for _ in range(attempts_each):
                wanted = sorted(rng.sample(hot, rng.randint(2, 4)))
                response = client.post(
                    f"/api/v1/shows/{show.pk}/holds/",
                    {"seats": wanted},
                    content_type="application/json",
                    HTTP_X_CART_ID=cart,
                )
                with lock:
                    outcomes.append((response.status_code, wanted))
                # Give half the wins back so seats keep changing hands.
                if response.status_code == 201 and rng.random() < 0.5:
                    hold_id = response.json()["id"]
                    client.delete(f"/api/v1/holds/{hold_id}/", HTTP_X_CART_ID=cart)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=customer, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = Counter(status for status, _ in outcomes)
    assert set(statuses) <= {201, 409}, statuses  # no 500, no deadlock error
    assert statuses[201] >= 1 and statuses[409] >= 1
    assert sum(statuses.values()) == clients * attempts_each
    with schema_context("beta"):
        held = ShowSeat.objects.filter(show=show, state="held")
        # Every held seat belongs to exactly one active hold, and the holds add up.
        active = Hold.objects.filter(show=show, status="active")
        claimed = Counter(seat for hold in active for seat in hold.seat_ids)
        assert all(count == 1 for count in claimed.values()), claimed.most_common(3)
        assert {seat.pk for seat in held} == set(claimed)
        assert all(seat.hold_id is not None for seat in held)
    connections.close_all()


def test_live_seat_map_receives_consecutive_deltas(live_programme):
    show = live_programme["show"]
    with schema_context("beta"):
        first, second = (
            ShowSeat.objects.filter(show=show).order_by("id").values_list("id", flat=True)[:2]
        )

    async def scenario():
        socket = WebsocketCommunicator(
            application, f"/ws/shows/{show.pk}/seats/", headers=[(b"host", b"beta.localhost")]
        )
        connected, _ = await socket.connect(timeout=5)
        assert connected
        snapshot = await socket.receive_json_from(timeout=5)
        client = Client(HTTP_HOST="beta.localhost")
        from asgiref.sync import sync_to_async

        post = sync_to_async(client.post, thread_sensitive=True)
        await post(
            f"/api/v1/shows/{show.pk}/holds/",
            {"seats": [first]},
            content_type="application/json",
            HTTP_X_CART_ID="socket-cart-aaaaaaaaaaaa",
        )
        await post(
            f"/api/v1/shows/{show.pk}/holds/",
            {"seats": [second]},
            content_type="application/json",
            HTTP_X_CART_ID="socket-cart-bbbbbbbbbbbb",
        )
        deltas = [await socket.receive_json_from(timeout=5) for _ in range(2)]
        await socket.disconnect()
        return snapshot, deltas

    snapshot, deltas = async_to_sync(scenario)()

    assert snapshot["type"] == "snapshot"
    assert len(snapshot["seats"]) > 60
    assert snapshot["screen"] == {"y": -2, "label": "Screen"}  # the same map as over HTTP
    assert [delta["type"] for delta in deltas] == ["delta", "delta"]
    assert [delta["version"] for delta in deltas] == [
        snapshot["version"] + 1,
        snapshot["version"] + 2,
    ]
    assert deltas[0]["seats"] == [{"id": first, "state": "held"}]
    assert deltas[1]["seats"] == [{"id": second, "state": "held"}]
    connections.close_all()


def test_a_show_of_another_chain_cannot_be_subscribed(live_programme):
    show = live_programme["show"]

    async def attempt(host: bytes):
        socket = WebsocketCommunicator(
            application, f"/ws/shows/{show.pk}/seats/", headers=[(b"host", host)]
        )
        connected, code = await socket.connect(timeout=5)
        await socket.disconnect()
        return connected, code

    assert async_to_sync(attempt)(b"alpha.localhost") == (False, 4404)
    assert async_to_sync(attempt)(b"beta.localhost")[0] is True
    connections.close_all()


def test_one_customer_racing_itself_gets_no_more_holds_than_allowed(live_programme):
    show = live_programme["show"]
    with schema_context("beta"):
        seat_ids = list(
            ShowSeat.objects.filter(show=show).order_by("id").values_list("id", flat=True)
        )
    barrier = threading.Barrier(8)
    codes: list[int] = []

    def attempt(index: int) -> None:
        client = Client(HTTP_HOST="beta.localhost")
        barrier.wait()
        try:
            response = client.post(
                f"/api/v1/shows/{show.pk}/holds/",
                {"seats": [seat_ids[index]]},
                content_type="application/json",
                HTTP_X_CART_ID="greedy-cart-xxxxxxxxxxxx",
            )
            codes.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # beta allows two holds per customer (the default)
    assert sorted(codes) == [201, 201] + [409] * 6
    connections.close_all()
