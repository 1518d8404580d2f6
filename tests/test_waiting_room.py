"""The waiting room of on-sales: first in, first out at the set rate; during a queue a
hold needs its own admission; one place per account or cart, anonymous places limited
per address; losing Redis falls back to direct booking; the queue turns itself on."""

from __future__ import annotations

import time

import pytest
from django_tenants.utils import schema_context

from venue_apps.inventory.models import Hold, ShowSeat
from venue_apps.waiting_room import queue, services
from venue_apps.waiting_room.selectors import queue_live

pytestmark = pytest.mark.django_db

CART_A = "cart-aaaaaaaaaaaaaaaa"
CART_B = "cart-bbbbbbbbbbbbbbbb"
DEAD_REDIS = "redis://127.0.0.1:1/0"
T = 2_000_000_000.0  # a moved clock: the queue's scripts take the time from the caller


@pytest.fixture(autouse=True)
def _redis_usable(monkeypatch):
    """A test that lost Redis leaves the queue off for a few seconds in this process,
    and its once-a-minute warning written."""
    monkeypatch.setattr(services, "_redis_unusable_until", 0.0)
    monkeypatch.setattr(services, "_warned_at", float("-inf"))


@pytest.fixture
def show(programme):
    return programme["show"]


@pytest.fixture
def seat_ids(alpha, show):
    with schema_context(alpha.schema_name):
        return list(
            ShowSeat.objects.filter(show=show).order_by("y", "x").values_list("pk", flat=True)
        )


def set_queue(alpha, show, django_capture_on_commit_callbacks, **changes):
    with schema_context(alpha.schema_name), django_capture_on_commit_callbacks(execute=True):
        return services.queue_settings_update(show.pk, actor=None, **changes)


def put_settings(client, show, django_capture_on_commit_callbacks, **body):
    with django_capture_on_commit_callbacks(execute=True):
        return client.put(f"/api/v1/shows/{show.pk}/queue-settings/", body, format="json")


def hold(api, alpha, show, seat_id, cart=CART_A, admission=None):
    extra = {"HTTP_X_QUEUE_ADMISSION": admission} if admission else {}
    return api(alpha).post(
        f"/api/v1/shows/{show.pk}/holds/",
        {"seats": [seat_id]},
        format="json",
        HTTP_X_CART_ID=cart,
        **extra,
    )


def join(api, alpha, show, cart, address="198.51.100.7"):
    return api(alpha).post(
        f"/api/v1/shows/{show.pk}/queue/", HTTP_X_CART_ID=cart, REMOTE_ADDR=address
    )


def hold_count(alpha) -> int:
    with schema_context(alpha.schema_name):
        return Hold.objects.count()


def test_admission_is_first_in_first_out(alpha, show, django_capture_on_commit_callbacks):
    set_queue(
        alpha, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=3
    )
    owners = [f"c:owner-{n:02}" for n in range(12)]
    with schema_context(alpha.schema_name):
        tickets = [
            services.queue_join(show.pk, owner=owner, address=None, now=T + n / 100).ticket
            for n, owner in enumerate(owners)
        ]
        admitted_at: dict[str, float] = {}
        for step in range(1, 80):
            now = T + step / 10
            for owner, ticket in zip(owners, tickets, strict=True):
                if owner not in admitted_at:
                    status = services.queue_status(show.pk, ticket=ticket, owners=[owner], now=now)
                    if status.admitted:
                        admitted_at[owner] = now

    assert list(admitted_at) == owners  # everyone admitted, in the order they came
    assert sorted(admitted_at.values()) == list(admitted_at.values())
    assert len(set(admitted_at.values())) > 1  # not all at once


def test_the_admission_rate_is_the_setting(alpha, show, django_capture_on_commit_callbacks):
    set_queue(
        alpha, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=5
    )
    with schema_context(alpha.schema_name):
        for n in range(300):
            services.queue_join(show.pk, owner=f"c:owner-{n}", address=None, now=T)
        admitted = [queue_live(show.pk, now=T + seconds).admitted for seconds in (0, 10, 30)]

    per_second = (admitted[2] - admitted[1]) / 20
    assert admitted[0] == 0
    assert abs(per_second - 5) <= 0.5
    assert abs(admitted[1] / 10 - 5) <= 0.5


def test_the_rate_measured_over_real_seconds_is_the_setting(
    alpha, show, django_capture_on_commit_callbacks
):
    set_queue(
        alpha, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=20
    )
    with schema_context(alpha.schema_name):
        for n in range(200):
            services.queue_join(show.pk, owner=f"c:owner-{n}", address=None)
        start, first = time.time(), queue_live(show.pk).admitted
        time.sleep(1.5)
        end, last = time.time(), queue_live(show.pk).admitted

    assert abs((last - first) / (end - start) - 20) <= 2 + 1 / (end - start)


def test_a_hold_without_an_admission_is_refused_during_a_queue_and_allowed_after(
    api, alpha, show, seat_ids, manager, django_capture_on_commit_callbacks
):
    turned_on = put_settings(
        manager, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=2
    )
    refused = hold(api, alpha, show, seat_ids[0])
    held_during = hold_count(alpha)
    turned_off = put_settings(
        manager, show, django_capture_on_commit_callbacks, enabled=False, admissions_per_second=2
    )
    allowed = hold(api, alpha, show, seat_ids[0])

    assert turned_on.status_code == 200, turned_on.content
    assert turned_on.json()["active"] is True
    assert refused.status_code == 403
    assert refused.json()["code"] == "queue_required"
    assert refused.json()["queue"] == f"/api/v1/shows/{show.pk}/queue/"
    assert held_during == 0  # the refusal changed nothing
    assert turned_off.json()["active"] is False
    assert allowed.status_code == 201, allowed.content


def test_an_admitted_cart_holds_and_its_admission_is_its_own(
    api, alpha, show, seat_ids, django_capture_on_commit_callbacks
):
    set_queue(
        alpha, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=1000
    )
    joined = join(api, alpha, show, CART_A)
    time.sleep(0.05)
    status = api(alpha).get(
        f"/api/v1/shows/{show.pk}/queue/{joined.json()['ticket']}/", HTTP_X_CART_ID=CART_A
    )
    admission = status.json()["admission"]
    strangers = hold(api, alpha, show, seat_ids[1], cart=CART_B, admission=admission)
    holds_after_stranger = hold_count(alpha)
    own = hold(api, alpha, show, seat_ids[0], cart=CART_A, admission=admission)

    assert joined.status_code == 201
    assert status.json()["admitted"] is True
    assert status.json()["expires_at"]
    assert strangers.status_code == 403
    assert strangers.json()["code"] == "queue_required"
    assert holds_after_stranger == 0
    assert own.status_code == 201, own.content


def test_another_owners_ticket_is_not_found_and_so_is_another_chains(
    api, alpha, beta, show, django_capture_on_commit_callbacks
):
    set_queue(
        alpha, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=1
    )
    ticket = join(api, alpha, show, CART_A).json()["ticket"]

    stranger = api(alpha).get(f"/api/v1/shows/{show.pk}/queue/{ticket}/", HTTP_X_CART_ID=CART_B)
    elsewhere = api(beta).get(f"/api/v1/shows/{show.pk}/queue/{ticket}/", HTTP_X_CART_ID=CART_A)

    assert stranger.status_code == 404
    assert elsewhere.status_code == 404


def test_an_admission_expires(alpha, show, django_capture_on_commit_callbacks):
    set_queue(
        alpha,
        show,
        django_capture_on_commit_callbacks,
        enabled=True,
        admissions_per_second=10,
        admission_ttl_seconds=120,
    )
    with schema_context(alpha.schema_name):
        ticket = services.queue_join(show.pk, owner="c:me", address=None, now=T).ticket
        status = services.queue_status(show.pk, ticket=ticket, owners=["c:me"], now=T + 1)
        verdicts = [
            services.admission_required(
                show.pk, admission=status.admission, owners=["c:me"], now=when
            )
            for when in (T + 100, T + 122)
        ]

    assert status.expires_at == T + 1 + 120
    assert verdicts == [False, True]


def test_one_account_in_ten_tabs_holds_one_place(
    alpha, show, customer, django_capture_on_commit_callbacks
):
    set_queue(
        alpha, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=1
    )
    _, client = customer

    answers = [client.post(f"/api/v1/shows/{show.pk}/queue/") for _ in range(10)]

    assert [answer.status_code for answer in answers] == [201] + [200] * 9
    assert len({answer.json()["ticket"] for answer in answers}) == 1
    with schema_context(alpha.schema_name):
        assert queue_live(show.pk).issued == 1


def test_anonymous_places_are_limited_per_address(
    api, alpha, show, settings, django_capture_on_commit_callbacks
):
    settings.QUEUE_PLACES_PER_ADDRESS = 3
    set_queue(
        alpha, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=1
    )

    same_address = [join(api, alpha, show, f"cart-{n:016}").status_code for n in range(4)]
    # One IPv6 customer line is a whole /64.
    line = [
        join(api, alpha, show, f"line-{n:016}", address=f"2001:db8:1:2::{n + 1}").status_code
        for n in range(4)
    ]
    again = join(api, alpha, show, "cart-0000000000000000").status_code
    elsewhere = join(api, alpha, show, "else-0000000000000000", address="203.0.113.9")

    assert same_address == [201, 201, 201, 429]
    assert line == [201, 201, 201, 429]
    assert again == 200  # a place already taken is still found
    assert elsewhere.status_code == 201
    with schema_context(alpha.schema_name):
        assert queue_live(show.pk).issued == 7


def test_losing_redis_falls_back_to_direct_booking(
    api, alpha, show, seat_ids, settings, caplog, django_capture_on_commit_callbacks
):
    set_queue(
        alpha, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=1
    )
    assert hold(api, alpha, show, seat_ids[0]).status_code == 403

    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DEAD_REDIS}}
    held = hold(api, alpha, show, seat_ids[0])
    taken = hold(api, alpha, show, seat_ids[0], cart=CART_B)
    joined = join(api, alpha, show, CART_B)

    assert held.status_code == 201, held.content
    assert taken.status_code == 409  # still sold at most once
    assert joined.status_code == 503
    assert joined.json()["code"] == "queue_unavailable"
    assert "waiting room off: Redis failed" in caplog.text


def test_the_queue_turns_itself_on_when_arrivals_pass_the_threshold(
    alpha, show, django_capture_on_commit_callbacks
):
    set_queue(
        alpha,
        show,
        django_capture_on_commit_callbacks,
        enabled=False,
        admissions_per_second=5,
        auto_enable_arrivals_per_second=3,
        auto_enable_seconds=600,
    )
    with schema_context(alpha.schema_name):

        def required(now: float) -> bool:
            return services.admission_required(show.pk, admission=None, owners=["c:x"], now=now)

        quiet = [required(T + n) for n in range(5)]  # one a second: below the threshold
        rush = [required(T + 10.1 + n / 100) for n in range(4)]
        later, over = required(T + 500), required(T + 10.2 + 600)
        live = queue_live(show.pk, now=T + 20)

    assert quiet == [False] * 5
    assert rush == [False, False, False, True]
    assert (later, over) == (True, False)
    assert live.active is True and live.enabled is False


def test_queue_settings_read_and_write_with_an_audit_row(
    alpha, show, manager, django_capture_on_commit_callbacks
):
    from venue_apps.audit.models import AuditEntry

    before = manager.get(f"/api/v1/shows/{show.pk}/queue-settings/").json()
    changed = put_settings(
        manager, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=7
    )
    bad = put_settings(
        manager, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=0
    )

    assert before["enabled"] is False
    assert before["effective_admission_ttl_seconds"] == alpha.hold_ttl_seconds + 600
    assert changed.json()["admissions_per_second"] == 7
    assert bad.status_code == 400
    with schema_context(alpha.schema_name):
        entry = AuditEntry.objects.get(action="show.queue_changed")
        assert entry.after == {"enabled": True, "admissions_per_second": 7}
    assert queue.KEEP_SECONDS > 0


def test_anyone_sees_whether_the_queue_is_on(api, alpha, show, django_capture_on_commit_callbacks):
    off = api(alpha).get(f"/api/v1/shows/{show.pk}/queue/").json()
    set_queue(
        alpha, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=2
    )
    join(api, alpha, show, CART_A)
    on = api(alpha).get(f"/api/v1/shows/{show.pk}/queue/").json()

    assert off == {"active": False, "waiting": 0, "estimated_wait_s": 0}
    assert on["active"] is True
    assert on["waiting"] in (0, 1)  # the first place is admitted within half a second


def test_the_socket_tells_the_position_then_the_admission(alpha, programme, monkeypatch):
    # Channels closes "old" connections around its database work, the test's own (in
    # its transaction) among them; the consumer runs on this thread's connection here.
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)
    from asgiref.sync import async_to_sync
    from channels.testing import WebsocketCommunicator

    from tests.fixtures import host_of
    from ticketing_platform.asgi import application

    show = programme["show"]
    with schema_context(alpha.schema_name):
        services.queue_settings_update(show.pk, actor=None, enabled=True, admissions_per_second=1)
        for n in range(2):
            services.queue_join(show.pk, owner=f"c:ahead-{n}", address=None)
        ticket = services.queue_join(show.pk, owner="c:me", address=None).ticket

    async def watch():
        socket = WebsocketCommunicator(
            application,
            f"/ws/shows/{show.pk}/queue/?ticket={ticket}",
            headers=[(b"host", host_of(alpha).encode())],
        )
        connected, _ = await socket.connect(timeout=5)
        messages = [await socket.receive_json_from(timeout=5)]
        while messages[-1]["type"] != "admitted":
            messages.append(await socket.receive_json_from(timeout=6))
        await socket.disconnect()
        refused = WebsocketCommunicator(
            application,
            f"/ws/shows/{show.pk}/queue/?ticket=forged",
            headers=[(b"host", host_of(alpha).encode())],
        )
        refused_connected, code = await refused.connect(timeout=5)
        return connected, messages, (refused_connected, code)

    connected, messages, refused = async_to_sync(watch)()

    assert connected
    assert messages[0]["type"] == "position" and messages[0]["position"] >= 1
    assert messages[-1]["admitted"] is True and messages[-1]["admission"]
    assert refused == (False, 4404)


def test_staff_turn_the_queue_on_in_the_dashboard_and_see_it_live(
    alpha, show, make_user, django_capture_on_commit_callbacks
):
    from tests.test_dashboards import signed_in
    from venue_apps.accounts.models import Role
    from venue_apps.audit.models import AuditEntry
    from venue_apps.waiting_room.models import QueueSettings

    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))
    cashier = signed_in(alpha, make_user(alpha, role=Role.BOX_OFFICE))
    form = {"show": show.pk, "enabled": "on", "admissions_per_second": 4}
    form |= {"auto_enable_seconds": 900}

    refused = cashier.post("/dashboard/waiting_room/queuesettings/add/", form)
    with django_capture_on_commit_callbacks(execute=True):
        added = manager.post("/dashboard/waiting_room/queuesettings/add/", form)
    with schema_context(alpha.schema_name):
        services.queue_join(show.pk, owner="c:someone", address=None)
        services.queue_join(show.pk, owner="c:another", address=None)
        row = QueueSettings.objects.get(show=show)
    page = manager.get(f"/dashboard/waiting_room/queuesettings/{show.pk}/change/")

    assert refused.status_code == 403
    assert added.status_code == 302, added.content[:400]
    assert (row.enabled, row.admissions_per_second) == (True, 4)
    text = page.content.decode()
    assert "data-queue-live" in text
    assert '<strong data-live="state">on</strong>' in text
    assert '<strong data-live="rate">4</strong>' in text
    with schema_context(alpha.schema_name):
        assert AuditEntry.objects.filter(action="show.queue_changed").count() == 1


def test_an_admitted_anonymous_place_no_longer_counts_against_its_address(
    alpha, show, settings, django_capture_on_commit_callbacks
):
    settings.QUEUE_PLACES_PER_ADDRESS = 2
    set_queue(
        alpha, show, django_capture_on_commit_callbacks, enabled=True, admissions_per_second=1
    )
    address = "198.51.100.40"
    with schema_context(alpha.schema_name):
        first = services.queue_join(show.pk, owner="c:one", address=address, now=T)
        services.queue_join(show.pk, owner="c:two", address=address, now=T)
        with pytest.raises(Exception) as full:
            services.queue_join(show.pk, owner="c:three", address=address, now=T)
        services.queue_status(show.pk, ticket=first.ticket, owners=["c:one"], now=T + 1)
        third = services.queue_join(show.pk, owner="c:three", address=address, now=T + 1)

    assert getattr(full.value, "code", None) == "queue_address_limit"
    assert third.created


def test_a_hold_asks_redis_once_for_its_limits_and_the_queue(
    api, alpha, show, seat_ids, monkeypatch, django_capture_on_commit_callbacks
):
    # The queue's check rides in the rate limits' script: a refused hold makes one
    # round trip to Redis (counted at the socket; Redis itself answers).
    from redis.connection import AbstractConnection

    set_queue(
        alpha,
        show,
        django_capture_on_commit_callbacks,
        enabled=False,
        admissions_per_second=5,
        auto_enable_arrivals_per_second=1000,
    )
    assert hold(api, alpha, show, seat_ids[0]).status_code == 201  # loads the scripts
    sent: list[bytes] = []
    original = AbstractConnection.send_packed_command

    def counted(connection, command, *args, **kwargs):
        sent.append(b"".join(command) if isinstance(command, list) else command)
        return original(connection, command, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    taken = hold(api, alpha, show, seat_ids[0], cart=CART_B)

    assert taken.status_code == 409
    assert len(sent) == 1 and b"EVALSHA" in sent[0]
    assert b":arrivals:" in sent[0]  # the queue's keys went with the limits'


def test_arrivals_through_the_hold_endpoint_turn_the_queue_on(
    api, alpha, show, seat_ids, django_capture_on_commit_callbacks
):
    set_queue(
        alpha,
        show,
        django_capture_on_commit_callbacks,
        enabled=False,
        admissions_per_second=5,
        auto_enable_arrivals_per_second=3,
        auto_enable_seconds=600,
    )
    answers = [
        hold(api, alpha, show, seat_ids[n], cart=f"cart-{n:016d}").status_code for n in range(8)
    ]

    # Eight arrivals within a second or two: more than three fell in one second, so the
    # queue went on, and every hold after that needs an admission.
    first = answers.index(403)
    assert 3 <= first < 8 and set(answers[:first]) == {201}
    assert set(answers[first:]) == {403}
    with schema_context(alpha.schema_name):
        assert queue_live(show.pk, now=time.time()).active is True


def test_a_throttled_hold_counts_no_arrival(
    api, alpha, show, seat_ids, settings, django_capture_on_commit_callbacks
):
    # A hold the rate limits refuse never reaches the queue's check (the rider runs
    # only once every limit passed), so a client over its limit cannot turn it on.
    from django_redis import get_redis_connection

    set_queue(
        alpha,
        show,
        django_capture_on_commit_callbacks,
        enabled=False,
        admissions_per_second=5,
        auto_enable_arrivals_per_second=1000,
    )
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "hold_client": "2/min",
        },
    }
    answers = [hold(api, alpha, show, seat_ids[n]).status_code for n in range(5)]
    with schema_context(alpha.schema_name):
        keys = get_redis_connection("default").keys(f"{queue._key(show.pk, 'arrivals')}:*")
        arrivals = sum(int(get_redis_connection("default").get(key)) for key in keys)

    assert answers.count(429) == 3
    assert arrivals == 2
