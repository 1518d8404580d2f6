"""Flash-sale benchmark: hundreds of clients racing for the seats of one 400-seat show
through the HTTP API, on a real server, with PostgreSQL's own pgbench as the yardstick.

Run with the services up and the demo seeded (`make demo` once, or `make services` then
`manage.py migrate_platform && manage.py seed_demo`):

    .venv/bin/python -m tests.benchmarks.bench_flash_sale --clients 300 --attempts 3000

For each server (gunicorn WSGI, uvicorn ASGI, and with `--servers wsgi,granian` granian
WSGI; same number of worker processes) it
creates a fresh show on sale in a new 400-seat auditorium of the demo chain `aurora`,
starts the server on a loopback port, and lets `--clients` concurrent clients send
`--attempts` hold requests in all for 2 to 4 seats picked at random among all seats
(so requests overlap heavily); a client that wins gives the seats back half the time,
so seats keep changing hands. It prints successful holds per second, latency
percentiles, the answers by status, and checks afterwards that no seat has two owners.
Then, on the same server: an open loop (`--open-seconds`), hold requests arriving at
a fixed rate (by default 70% of the closed loop's hold requests/s) with latency taken
from each request's scheduled send time; and closed loops of reads (`--reads-seconds`)
on a minimal Django view (`/healthz/live/`) and on the show's cached seat map; then,
with the show's waiting room on (`--queue-seconds`), closed loops of queue joins,
position polls and holds refused for want of an admission.
In the same run it measures `pgbench -N` (simple updates) TPS and prints the ratio, and
the CPU each part of the stack (server, PostgreSQL, Redis, load generator) spent per hold
request of the closed loop (Linux's /proc).
The load generator shares the machine's cores with the server and PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
HOST = "aurora.localhost"


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketing_platform.settings")
    import django

    django.setup()


def show_prepare(label: str) -> tuple[int, int]:
    """A new 400-seat auditorium with one show on sale; returns (show id, seat count)."""
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from tests.programme import big_layout
    from venue_apps.catalog.models import Title
    from venue_apps.inventory.services import show_put_on_sale
    from venue_apps.shows.models import PriceCard
    from venue_apps.shows.services import show_create
    from venue_apps.venues.models import Venue
    from venue_apps.venues.services import auditorium_create

    with schema_context("aurora"):
        venue = Venue.objects.order_by("id").first()
        if venue is None:
            raise SystemExit("No demo data: run `make demo` or `manage.py seed_demo` first.")
        auditorium = auditorium_create(venue=venue, name=f"Bench {label}", layout=big_layout())
        day = timezone.now().astimezone(venue.zone).date() + timedelta(days=1)
        show = show_create(
            title=Title.objects.order_by("id").first(),
            auditorium=auditorium,
            starts_at=datetime.combine(day, clock(10, 0), tzinfo=venue.zone),
            price_card=PriceCard.objects.order_by("id").first(),
            prices={"couple": 90000, "wheelchair": 22000},
        )
        show_put_on_sale(show)
        return show.pk, auditorium.seats.count()


def show_check_and_remove(show_id: int) -> tuple[int, int]:
    """Held seats and how many have more than one owner (must be 0); then clean up."""
    from django_tenants.utils import schema_context

    from venue_apps.inventory.models import Hold, ShowInventory, ShowSeat
    from venue_apps.shows.models import Show

    with schema_context("aurora"):
        show = Show.objects.get(pk=show_id)
        held = ShowSeat.objects.filter(show=show, state="held").count()
        claims = Counter(
            seat
            for hold in Hold.objects.filter(show=show, status="active")
            for seat in hold.seat_ids
        )
        doubles = sum(1 for count in claims.values() if count > 1)
        auditorium = show.auditorium
        ShowSeat.objects.filter(show=show).delete()
        Hold.objects.filter(show=show).delete()
        ShowInventory.objects.filter(show=show).delete()
        show.delete()
        auditorium.seats.all().delete()
        auditorium.sections.all().delete()
        auditorium.delete()
        return held, doubles


def server_start(kind: str, port: int, workers: int, threads: int = 2) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MAX_SIZE": "8",
        "HOLDS_PER_ADDRESS": "1000000",
        "THROTTLE_HOLD_CLIENT": "100000/min",
        "THROTTLE_HOLD_ADDRESS": "1000000/min",
        "QUEUE_PLACES_PER_ADDRESS": "100000000",
    }
    python_bin = Path(sys.executable).parent
    if kind == "wsgi":
        command = [
            str(python_bin / "gunicorn"),
            "ticketing_platform.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--worker-class=gthread",
            f"--threads={threads}",
            "--log-level=warning",
        ]
    elif kind == "granian":
        # The same WSGI application on granian's Rust HTTP server: as many processes,
        # and as many threads running Django in each, as gunicorn's above.
        command = [
            str(python_bin / "granian"),
            "--interface=wsgi",
            "ticketing_platform.wsgi:application",
            "--host=127.0.0.1",
            f"--port={port}",
            f"--workers={workers}",
            f"--blocking-threads={threads}",
            "--no-ws",
            "--log-level=warning",
        ]
    else:
        command = [
            str(python_bin / "uvicorn"),
            "ticketing_platform.asgi:application",
            "--host=127.0.0.1",
            f"--port={port}",
            f"--workers={workers}",
            "--log-level=warning",
            "--no-access-log",
        ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 30
    import httpx

    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz/", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    server_stop(process)
    raise SystemExit(f"{kind} server did not start on port {port}")


def cpu_seconds(server_group: int) -> Counter[str]:
    """CPU seconds used so far by each part of the stack on this machine, from Linux's
    /proc: the server under test (its process group), PostgreSQL, Redis and this load
    generator. Processes that ended meanwhile are not counted."""
    ticks = os.sysconf("SC_CLK_TCK")
    parts: Counter[str] = Counter()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat_file:
                stat = stat_file.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / ticks
        if int(fields[2]) == server_group:
            parts["server"] += seconds
        elif name == "postgres":
            parts["PostgreSQL"] += seconds
        elif name.startswith("redis-server"):
            parts["Redis"] += seconds
        elif int(pid) == os.getpid():
            parts["load generator"] += seconds
    return parts


def server_stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


class Connection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams.

    The load generator shares the machine's two cores with the server: a full client
    library costs several times the CPU per request of this, which would be taken from
    the server being measured.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes, cart: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nX-Cart-Id: {cart}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        assert self.reader is not None
        status = int((await self.reader.readline()).split()[1])
        length, chunked, close = 0, False, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if chunked:
            payload = b""
            while (size := int((await self.reader.readline()).strip(), 16)) > 0:
                payload += await self.reader.readexactly(size)
                await self.reader.readline()
            await self.reader.readline()
        else:
            payload = await self.reader.readexactly(length) if length else b""
        if close:
            self.writer.close()
            self.reader = self.writer = None
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(port: int, show_id: int, seat_ids: list[int], clients: int, attempts: int):
    latencies: list[float] = []
    statuses: Counter[int | str] = Counter()
    won = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(attempts):
        queue.put_nowait(index)

    async def customer(number: int) -> None:
        nonlocal won
        rng = random.Random(number)
        cart = f"bench-cart-{number:05d}-{port}"
        connection = Connection(port)
        try:
            while True:
                try:
                    queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                body = json.dumps({"seats": rng.sample(seat_ids, rng.randint(2, 4))}).encode()
                started = time.perf_counter()
                try:
                    status, payload = await connection.request(
                        "POST", f"/api/v1/shows/{show_id}/holds/", body, cart
                    )
                    statuses[status] += 1
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
                    statuses[type(error).__name__] += 1
                    connection.close()
                    connection = Connection(port)
                    continue
                finally:
                    latencies.append((time.perf_counter() - started) * 1000)
                if status == 201:
                    won += 1
                    if rng.random() < 0.5:
                        hold_id = json.loads(payload)["id"]
                        await connection.request("DELETE", f"/api/v1/holds/{hold_id}/", b"", cart)
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(customer(number) for number in range(clients)))
    return time.perf_counter() - started, won, latencies, statuses


async def load_open(
    port: int, show_id: int, seat_ids: list[int], rate: float, seconds: float, connections: int
):
    """Open loop: hold requests arrive at `rate` per second whatever the server's pace,
    each measured from its scheduled send time (a request waiting for a free
    connection is late, and that lateness counts). Winners release half the time."""
    latencies: list[float] = []
    statuses: Counter[int | str] = Counter()
    won = 0
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(Connection(port))
    rng = random.Random(7)

    async def arrival(number: int, scheduled: float) -> None:
        nonlocal won
        connection = await idle.get()
        cart = f"open-cart-{number % 5000:05d}-{port}"
        body = json.dumps({"seats": rng.sample(seat_ids, rng.randint(2, 4))}).encode()
        try:
            status, payload = await connection.request(
                "POST", f"/api/v1/shows/{show_id}/holds/", body, cart
            )
            statuses[status] += 1
            latencies.append((time.perf_counter() - scheduled) * 1000)
            if status == 201:
                won += 1
                if rng.random() < 0.5:
                    hold_id = json.loads(payload)["id"]
                    await connection.request("DELETE", f"/api/v1/holds/{hold_id}/", b"", cart)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            statuses[type(error).__name__] += 1
            latencies.append((time.perf_counter() - scheduled) * 1000)
            connection.close()
            connection = Connection(port)
        finally:
            idle.put_nowait(connection)

    tasks = []
    started = time.perf_counter()
    total = int(rate * seconds)
    for number in range(total):
        scheduled = started + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(arrival(number, scheduled)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        idle.get_nowait().close()
    return time.perf_counter() - started, won, latencies, statuses


async def closed_loop(port: int, clients: int, seconds: float, send) -> tuple[float, Counter]:
    """`clients` connections sending `send(connection, client number, step)` back to back
    for `seconds`: requests per second and statuses."""
    statuses: Counter[int | str] = Counter()
    deadline = time.perf_counter() + seconds

    async def client(number: int) -> None:
        connection = Connection(port)
        step = 0
        try:
            while time.perf_counter() < deadline:
                step += 1
                try:
                    status, _ = await send(connection, number, step)
                    statuses[status] += 1
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
                    statuses[type(error).__name__] += 1
                    connection.close()
                    connection = Connection(port)
        finally:
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(clients)))
    return sum(statuses.values()) / (time.perf_counter() - started), statuses


async def load_reads(port: int, path: str, clients: int, seconds: float) -> tuple[float, Counter]:
    """Closed loop of GETs on `path` for `seconds`: requests per second and statuses."""

    async def read(connection: Connection, number: int, step: int):
        return await connection.request("GET", path, b"", f"reader-{number:011d}")

    return await closed_loop(port, clients, seconds, read)


async def load_queue(
    port: int, show_id: int, seat_ids: list[int], clients: int, seconds: float
) -> dict:
    """With the show's waiting room on: closed loops of `seconds` each of joins (a new
    cart each time: a new place), of position polls (each client asks about its own
    place) and of holds without an admission (refused 403 `queue_required`)."""
    queue_path = f"/api/v1/shows/{show_id}/queue/"

    async def join(connection: Connection, number: int, step: int):
        return await connection.request("POST", queue_path, b"", f"q{port}-{number:04d}-{step:09d}")

    tickets: dict[int, str] = {}
    for number in range(clients):
        connection = Connection(port)
        _, payload = await connection.request("POST", queue_path, b"", f"poll-{port}-{number:08d}")
        tickets[number] = json.loads(payload)["ticket"]
        connection.close()

    async def poll(connection: Connection, number: int, step: int):
        return await connection.request(
            "GET", f"{queue_path}{tickets[number]}/", b"", f"poll-{port}-{number:08d}"
        )

    rng = random.Random(11)

    async def refused_hold(connection: Connection, number: int, step: int):
        body = json.dumps({"seats": rng.sample(seat_ids, 2)}).encode()
        return await connection.request(
            "POST", f"/api/v1/shows/{show_id}/holds/", body, f"noadmit-{port}-{number:08d}"
        )

    return {
        "joins": await closed_loop(port, clients, seconds, join),
        "polls": await closed_loop(port, clients, seconds, poll),
        "refused holds": await closed_loop(port, clients, seconds, refused_hold),
    }


def queue_switch(show_id: int, *, enabled: bool, rate: int = 50) -> None:
    """The show's waiting room on (admitting `rate` a second) or off."""
    from django_tenants.utils import schema_context

    from venue_apps.waiting_room.services import queue_settings_update

    with schema_context("aurora"):
        queue_settings_update(show_id, actor=None, enabled=enabled, admissions_per_second=rate)


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[max(0, int(len(ordered) * fraction) - 1)] if ordered else 0.0


def pgbench_tps(seconds: int, clients: int) -> float:
    """`pgbench -N` TPS on a scratch database of the same server."""
    url = urlparse(os.environ["DATABASE_URL"])
    pgbin = os.environ.get("PGBIN", "/usr/lib/postgresql/15/bin")
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    base = [
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "",
    ]
    database = "ticketing_pgbench"
    subprocess.run(
        [f"{pgbin}/dropdb", *base, "--if-exists", database],
        env=env,
        check=True,
        capture_output=True,
    )
    subprocess.run([f"{pgbin}/createdb", *base, database], env=env, check=True, capture_output=True)
    try:
        subprocess.run(
            [f"{pgbin}/pgbench", *base, "-i", "-q", "-s", "10", database],
            env=env,
            check=True,
            capture_output=True,
        )
        result = subprocess.run(
            [
                f"{pgbin}/pgbench",
                *base,
                "-N",
                "-c",
                str(clients),
                "-j",
                "2",
                "-T",
                str(seconds),
                database,
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        subprocess.run([f"{pgbin}/dropdb", *base, database], env=env, capture_output=True)
    match = re.search(r"tps = ([0-9.]+)", result.stdout)
    return float(match.group(1)) if match else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--attempts", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="threads running Django per WSGI process (2, as deploy/web-server.sh: one "
        "thread's round trips to PostgreSQL and Redis overlap the other's work; more "
        "contend for the GIL)",
    )
    parser.add_argument("--servers", default="wsgi,asgi")
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    parser.add_argument(
        "--reads-seconds",
        type=float,
        default=10,
        help="closed loop of the minimal view and of the cached seat map, each (0: skip)",
    )
    parser.add_argument(
        "--open-seconds", type=float, default=20, help="open-loop hold run (0: skip)"
    )
    parser.add_argument(
        "--open-fraction",
        type=float,
        default=0.7,
        help="open-loop arrival rate as a share of the closed loop's hold requests/s",
    )
    parser.add_argument("--open-rate", type=float, default=0, help="fixed arrival rate instead")
    parser.add_argument(
        "--queue-seconds",
        type=float,
        default=5,
        help="with the waiting room on: joins, polls and refused holds, each (0: skip)",
    )
    arguments = parser.parse_args()
    _django()
    from django.db import connections
    from django_tenants.utils import schema_context

    from venue_apps.inventory.models import ShowSeat

    rows = []
    for index, kind in enumerate(arguments.servers.split(",")):
        port = 8100 + index
        show_id, seats = show_prepare(f"{kind}-{int(time.time())}")
        with schema_context("aurora"):
            seat_ids = list(ShowSeat.objects.filter(show_id=show_id).values_list("id", flat=True))
        connections.close_all()
        process = server_start(kind, port, arguments.workers, arguments.threads)
        row: dict = {"server": kind, "seats": seats}
        try:
            # Warm every worker (imports, database connections) before anything counts.
            asyncio.run(load_reads(port, "/healthz/ready/", min(arguments.clients, 32), 2))
            cpu_before = cpu_seconds(process.pid)
            elapsed, won, latencies, statuses = asyncio.run(
                load(port, show_id, seat_ids, arguments.clients, arguments.attempts)
            )
            cpu_used = cpu_seconds(process.pid)
            cpu_used.subtract(cpu_before)
            ordered = sorted(latencies)
            row.update(
                seconds=elapsed,
                requests=len(latencies),
                holds=won,
                holds_per_s=won / elapsed,
                requests_per_s=len(latencies) / elapsed,
                p50=percentile(ordered, 0.5),
                p90=percentile(ordered, 0.9),
                p99=percentile(ordered, 0.99),
                statuses=dict(statuses),
                cpu_ms={part: used / len(latencies) * 1000 for part, used in cpu_used.items()},
                cores_ms=elapsed * (os.cpu_count() or 1) / len(latencies) * 1000,
            )
            if arguments.open_seconds > 0:
                rate = arguments.open_rate or row["requests_per_s"] * arguments.open_fraction
                elapsed, won, latencies, statuses = asyncio.run(
                    load_open(
                        port, show_id, seat_ids, rate, arguments.open_seconds, arguments.clients
                    )
                )
                ordered = sorted(latencies)
                row["open"] = {
                    "rate": rate,
                    "achieved": len(latencies) / elapsed,
                    "p50": percentile(ordered, 0.5),
                    "p90": percentile(ordered, 0.9),
                    "p99": percentile(ordered, 0.99),
                    "statuses": dict(statuses),
                }
            if arguments.reads_seconds > 0:
                seconds, clients = arguments.reads_seconds, min(arguments.clients, 64)
                row["minimal_per_s"], row["minimal_statuses"] = asyncio.run(
                    load_reads(port, "/healthz/live/", clients, seconds)
                )
                row["seatmap_per_s"], row["seatmap_statuses"] = asyncio.run(
                    load_reads(port, f"/api/v1/shows/{show_id}/seats/", clients, seconds)
                )
            if arguments.queue_seconds > 0:
                queue_switch(show_id, enabled=True)
                connections.close_all()
                row["queue"] = asyncio.run(
                    load_queue(
                        port,
                        show_id,
                        seat_ids,
                        min(arguments.clients, 64),
                        arguments.queue_seconds,
                    )
                )
                queue_switch(show_id, enabled=False)
                connections.close_all()
        finally:
            server_stop(process)
        row["held_at_end"], row["double_owned"] = show_check_and_remove(show_id)
        rows.append(row)
    tps = pgbench_tps(arguments.pgbench_seconds, clients=16)

    print(
        f"flash sale: {arguments.clients} clients, {arguments.attempts} hold attempts of 2-4 "
        f"seats each, {arguments.workers} server processes, tenant aurora"
    )
    for row in rows:
        name = row["server"].upper()
        print(
            f"{name:<5} closed loop, {row['seats']} seats: {row['holds']} holds won in "
            f"{row['seconds']:.1f} s = {row['holds_per_s']:.0f} holds/s "
            f"({row['requests_per_s']:.0f} hold requests/s); latency p50 {row['p50']:.0f} ms, "
            f"p90 {row['p90']:.0f} ms, p99 {row['p99']:.0f} ms; answers {row['statuses']}; "
            f"seats held at the end {row['held_at_end']}, seats with two owners "
            f"{row['double_owned']}"
        )
        cpu = ", ".join(f"{part} {ms:.2f} ms" for part, ms in sorted(row["cpu_ms"].items()))
        print(
            f"{name:<5} CPU per hold request in the closed loop: {cpu} (the machine's cores: "
            f"{row['cores_ms']:.2f} ms per request at this rate)"
        )
        if "open" in row:
            o = row["open"]
            print(
                f"{name:<5} open loop at {o['rate']:.0f} hold requests/s offered "
                f"({o['achieved']:.0f}/s answered): latency from the scheduled send "
                f"p50 {o['p50']:.0f} ms, p90 {o['p90']:.0f} ms, p99 {o['p99']:.0f} ms "
                f"(target p99 < 150 ms); answers {o['statuses']}"
            )
        if "minimal_per_s" in row:
            print(
                f"{name:<5} minimal view /healthz/live/: {row['minimal_per_s']:.0f} req/s "
                f"{dict(row['minimal_statuses'])}; cached seat map: "
                f"{row['seatmap_per_s']:.0f} req/s {dict(row['seatmap_statuses'])}; ratio "
                f"seat map / minimal {row['seatmap_per_s'] / row['minimal_per_s']:.2f} "
                f"(target >= 0.5)"
            )
        if "queue" in row:
            parts = [
                f"{kind} {rate:.0f}/s {dict(statuses)}"
                for kind, (rate, statuses) in row["queue"].items()
            ]
            print(f"{name:<5} waiting room on: " + "; ".join(parts))
    print(f"pgbench -N, 16 clients, {arguments.pgbench_seconds} s: {tps:.0f} TPS")
    for row in rows:
        print(
            f"ratio {row['server'].upper()} hold requests/s / pgbench TPS: "
            f"{row['requests_per_s'] / tps:.3f} (target >= 0.15)   (successful holds/s / TPS: "
            f"{row['holds_per_s'] / tps:.3f})"
        )


if __name__ == "__main__":
    main()
