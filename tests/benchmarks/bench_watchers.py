"""Live seat maps under a crowd: how late a hold's delta reaches thousands of watchers.

Run with the services up and the demo seeded (as for bench_flash_sale):

    .venv/bin/python -m tests.benchmarks.bench_watchers --watchers 2000,5000

For each channel layer (`--layers`, the `CHANNEL_LAYER` setting: "fanout", the
default, is api/realtime/fanout.py, one PUBLISH per delta and one subscription per show
in each ASGI process, which hands the delta to its own sockets' bounded backlogs;
"lists" is channels-redis's RedisChannelLayer, one Redis push per group member;
"pubsub" is its RedisPubSubChannelLayer, one PUBLISH per delta and one subscription
per show group in each process, whose message then goes through every socket's
consumer) and each crowd size, it
creates a fresh 400-seat show, starts uvicorn (`--workers` processes), opens the
watchers' WebSockets on that show from `--client-processes` processes (asyncio and
`websockets`), waits for every snapshot, then runs holds on the show at a steady rate
(`--holds-per-s`, each hold released at once: two deltas) for `--seconds`. Every delta
carries `committed_at`, stamped when its transaction committed; each watcher notes
when it arrived. It prints the delay's p50/p90/p99/max over every (delta, watcher)
pair, how many watchers got every version of the run (a watcher that fell behind gets a
snapshot instead, counted as resynced), and the hold answers. The watchers, the server,
Redis and PostgreSQL share the machine's cores: read the figures of one run against
each other, with the load `uptime` printed at the start.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.benchmarks.bench_flash_sale import (
    HOST,
    Connection,
    _django,
    percentile,
    server_start,
    server_stop,
    show_check_and_remove,
    show_prepare,
)

ROOT = Path(__file__).resolve().parents[2]
CONNECTING_AT_ONCE = 100


async def watch(port: int, show_id: int, count: int, ready_path: str, stop_path: str) -> dict:
    """One client process: `count` watchers. Writes a line to `ready_path` once all have
    their snapshot; stops when `stop_path` exists. Returns the delays and versions."""
    from websockets.asyncio.client import connect

    uri = f"ws://{HOST}:{port}/ws/shows/{show_id}/seats/"
    delays: list[float] = []
    versions: list[list[int]] = [[] for _ in range(count)]
    snapshots = [0] * count
    failures: Counter[str] = Counter()
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    connected = asyncio.Event()
    ready = 0
    stop = asyncio.Event()

    async def watcher(index: int) -> None:
        nonlocal ready
        try:
            async with gate:
                socket = await connect(
                    uri, host="127.0.0.1", port=port, compression=None, open_timeout=60
                )
                first = json.loads(await asyncio.wait_for(socket.recv(), 60))
            versions[index].append(first["version"])
        except Exception as error:
            failures[type(error).__name__] += 1
            ready += 1
            if ready == count:
                connected.set()
            return
        ready += 1
        if ready == count:
            connected.set()
        mine = versions[index]
        try:
            async for text in socket:
                arrived = time.time()
                message = json.loads(text)
                if message["type"] == "delta":
                    delays.append(arrived - message["committed_at"])
                    mine.append(message["version"])
                elif message["type"] == "snapshot":
                    snapshots[index] += 1
                    mine.append(-message["version"])  # a snapshot: everything up to here
        except Exception as error:
            if not stop.is_set():
                failures[type(error).__name__] += 1
        finally:
            await socket.close()

    tasks = [asyncio.ensure_future(watcher(index)) for index in range(count)]
    await connected.wait()
    Path(ready_path).write_text(json.dumps({"failures": dict(failures)}))
    while not os.path.exists(stop_path):
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # the last deltas in flight
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "delays": delays,
        "versions": versions,
        "snapshots": snapshots,
        "failures": dict(failures),
    }


async def holds(port: int, show_id: int, seat_ids: list[int], rate: float, seconds: float):
    """Hold one seat and release it at once, `rate` times a second (open loop)."""
    statuses: Counter[int | str] = Counter()
    free = asyncio.Queue()
    for seat in seat_ids:
        free.put_nowait(seat)

    async def one(number: int) -> None:
        seat = await free.get()
        cart = f"watch-cart-{number:06d}"
        connection = Connection(port)
        try:
            body = json.dumps({"seats": [seat]}).encode()
            status, payload = await connection.request(
                "POST", f"/api/v1/shows/{show_id}/holds/", body, cart
            )
            statuses[status] += 1
            if status == 201:
                hold_id = json.loads(payload)["id"]
                path = f"/api/v1/holds/{hold_id}/"
                status, _ = await connection.request("DELETE", path, b"", cart)
                statuses[f"release {status}"] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            statuses[type(error).__name__] += 1
        finally:
            connection.close()
            free.put_nowait(seat)

    started = time.perf_counter()
    tasks = []
    for number in range(int(rate * seconds)):
        delay = started + number / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(number)))
    await asyncio.gather(*tasks)
    return statuses


def complete(sequence: list[int], first: int, last: int) -> str:
    """ "all" if the watcher saw every version from `first` to `last` as a delta,
    "resynced" if a snapshot stood in for some, else "missed"."""
    seen = {version for version in sequence if version > 0}
    if all(version in seen for version in range(first, last + 1)):
        return "all"
    covered = max((-version for version in sequence if version < 0), default=0)
    if covered and all(version in seen for version in range(max(first, covered + 1), last + 1)):
        return "resynced"
    return "missed"


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    family, grown = {root}, True
    while grown:
        found = {pid for pid, parent in parents.items() if parent in family} - family
        grown = bool(found)
        family |= found
    return sum(times.get(pid, 0.0) for pid in family)


class LeanWatcher(asyncio.Protocol):
    """One watcher as a bare asyncio protocol: the handshake, then the server's frames
    parsed in place (text, ping, close; continuations joined). The watchers share the
    machine's two cores with the server, and a full WebSocket client per socket cost as
    much CPU as the server's whole fan-out; this one costs a fraction, so the delays
    measure the server more and the load generator less (`--client websockets` keeps
    the library's client for comparison)."""

    def __init__(self, path: str, port: int, on_message) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n\r\n"
        ).encode()
        self.on_message = on_message
        self.buffer = bytearray()
        self.upgraded = False
        self.fragments: list[bytes] = []
        self.transport: asyncio.Transport | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, error) -> None:
        if not self.closed.done():
            self.closed.set_result(error)

    def data_received(self, data: bytes) -> None:
        arrived = time.time()
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in buffer[: buffer.find(b"\r\n")]:
                self.transport.close()
                return
            self.upgraded = True
            del buffer[: end + 4]
        while len(buffer) >= 2:
            opcode, length, header = buffer[0] & 0x0F, buffer[1] & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, header = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, header = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < header + length:
                return
            final = buffer[0] & 0x80
            payload = bytes(buffer[header : header + length])
            del buffer[: header + length]
            if opcode in (0, 1):
                self.fragments.append(payload)
                if final:
                    self.on_message(b"".join(self.fragments), arrived)
                    self.fragments = []
            elif opcode == 9:  # ping: a pong with its payload, masked as a client must
                self._send(0xA, payload)
            elif opcode == 8:
                self.transport.close()

    def _send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)


async def watch_lean(port: int, show_id: int, count: int, ready_path: str, stop_path: str) -> dict:
    """`watch`, with `LeanWatcher` sockets."""
    loop = asyncio.get_running_loop()
    path = f"/ws/shows/{show_id}/seats/"
    delays: list[float] = []
    versions: list[list[int]] = [[] for _ in range(count)]
    snapshots = [0] * count
    failures: Counter[str] = Counter()
    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    firsts = [loop.create_future() for _ in range(count)]
    sockets: list[LeanWatcher] = []

    def receiver(index: int):
        mine = versions[index]

        def on_message(text: bytes, arrived: float) -> None:
            message = json.loads(text)
            kind = message.get("type")
            if kind == "delta":
                delays.append(arrived - message["committed_at"])
                mine.append(message["version"])
            elif kind == "snapshot":
                if not firsts[index].done():
                    mine.append(message["version"])
                    firsts[index].set_result(True)
                else:
                    snapshots[index] += 1
                    mine.append(-message["version"])  # everything up to here

        return on_message

    async def open_one(index: int) -> None:
        async with gate:
            try:
                _, protocol = await loop.create_connection(
                    lambda: LeanWatcher(path, port, receiver(index)), "127.0.0.1", port
                )
                sockets.append(protocol)
                await asyncio.wait_for(
                    asyncio.wait(
                        [firsts[index], protocol.closed], return_when=asyncio.FIRST_COMPLETED
                    ),
                    60,
                )
                if not firsts[index].done():
                    failures["closed before its snapshot"] += 1
            except (OSError, TimeoutError) as error:
                failures[type(error).__name__] += 1

    await asyncio.gather(*(open_one(index) for index in range(count)))
    Path(ready_path).write_text(json.dumps({"failures": dict(failures)}))
    while not os.path.exists(stop_path):
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # the last deltas in flight
    for protocol in sockets:
        if protocol.closed.done():  # the server closed it before the end
            failures["closed during the run"] += 1
        else:
            protocol.transport.close()
    return {
        "delays": delays,
        "versions": versions,
        "snapshots": snapshots,
        "failures": dict(failures),
    }


def run(layer: str, watchers: int, arguments: argparse.Namespace, port: int) -> dict:
    from django.db import connections
    from django_tenants.utils import schema_context

    from venue_apps.inventory.models import ShowInventory, ShowSeat

    show_id, _ = show_prepare(f"watchers-{layer}-{watchers}-{int(time.time())}")
    with schema_context("aurora"):
        seat_ids = list(ShowSeat.objects.filter(show_id=show_id).values_list("id", flat=True))
    connections.close_all()
    os.environ["CHANNEL_LAYER"] = layer
    server = server_start("asgi", port, arguments.workers)
    clients: list[subprocess.Popen] = []
    signals = tempfile.mkdtemp(prefix="bench-watchers-")
    stamp = f"{signals}/client"
    row: dict = {"layer": layer, "watchers": watchers}
    try:
        share = [watchers // arguments.client_processes] * arguments.client_processes
        share[0] += watchers - sum(share)
        for index, count in enumerate(share):
            clients.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "tests.benchmarks.bench_watchers",
                        "--client",
                        f"{port},{show_id},{count},{stamp}-ready-{index},{stamp}-stop,"
                        f"{arguments.client_kind}",
                    ],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                )
            )
        connect_started = time.perf_counter()
        while not all(os.path.exists(f"{stamp}-ready-{i}") for i in range(len(clients))):
            if any(client.poll() is not None for client in clients):
                raise SystemExit("a watcher process died")
            time.sleep(0.2)
        row["connect_s"] = time.perf_counter() - connect_started
        with schema_context("aurora"):
            first = ShowInventory.objects.get(show_id=show_id).version + 1
        connections.close_all()
        server_cpu = cpu_seconds(server.pid)
        watchers_cpu = sum(cpu_seconds(client.pid) for client in clients)
        statuses = asyncio.run(
            holds(port, show_id, seat_ids, arguments.holds_per_s, arguments.seconds)
        )
        row["server_cpu_s"] = cpu_seconds(server.pid) - server_cpu
        row["watchers_cpu_s"] = sum(cpu_seconds(client.pid) for client in clients) - watchers_cpu
        with schema_context("aurora"):
            last = ShowInventory.objects.get(show_id=show_id).version
        connections.close_all()
        Path(f"{stamp}-stop").touch()
        results = [json.loads(client.communicate()[0]) for client in clients]
    finally:
        for client in clients:
            if client.poll() is None:
                client.kill()
        server_stop(server)
        shutil.rmtree(signals, ignore_errors=True)
        show_check_and_remove(show_id)
        connections.close_all()
    delays = sorted(delay * 1000 for result in results for delay in result["delays"])
    outcome = Counter(
        complete(sequence, first, last)
        for result in results
        for sequence in result["versions"]
        if sequence
    )
    failures: Counter[str] = Counter()
    for result in results:
        failures.update(result["failures"])
    row["server_cpu_us_per_delivery"] = row["server_cpu_s"] * 1e6 / max(len(delays), 1)
    row.update(
        versions=last - first + 1,
        deliveries=len(delays),
        expected=(last - first + 1) * watchers,
        p50=percentile(delays, 0.5),
        p90=percentile(delays, 0.9),
        p99=percentile(delays, 0.99),
        max=delays[-1] if delays else float("nan"),
        every_version=outcome["all"],
        resynced=outcome["resynced"],
        missed=outcome["missed"],
        failures=dict(failures),
        holds=dict(statuses),
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watchers", default="2000", help="crowd sizes, comma-separated")
    parser.add_argument("--layers", default="fanout,pubsub,lists", help="CHANNEL_LAYER values")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--holds-per-s", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--client-kind",
        default="lean",
        choices=["lean", "websockets"],
        help="the watchers' client: a bare protocol (LeanWatcher) or the websockets library",
    )
    parser.add_argument("--client", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.client:
        port, show_id, count, ready_path, stop_path, kind = arguments.client.split(",")
        client = watch_lean if kind == "lean" else watch
        result = asyncio.run(client(int(port), int(show_id), int(count), ready_path, stop_path))
        sys.stdout.write(json.dumps(result))
        return
    _django()
    print("load:", os.getloadavg(), flush=True)
    rows = []
    for crowd in (int(size) for size in arguments.watchers.split(",")):
        for index, layer in enumerate(arguments.layers.split(",")):
            row = run(layer, crowd, arguments, 8300 + index)
            print(json.dumps(row), flush=True)
            rows.append(row)
    print(
        f"\n{'layer':<8}{'watchers':>9}{'deltas':>8}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'all':>7}{'resync':>7}{'missed':>7}{'srv us/msg':>11}"
        "  (target: p99 < 250 ms at 2,000)"
    )
    for row in rows:
        print(
            f"{row['layer']:<8}{row['watchers']:>9}{row['versions']:>8}{row['p50']:>9.1f}"
            f"{row['p90']:>9.1f}{row['p99']:>9.1f}{row['max']:>9.1f}{row['every_version']:>7}"
            f"{row['resynced']:>7}{row['missed']:>7}{row['server_cpu_us_per_delivery']:>11.1f}"
        )
    print("load:", os.getloadavg())


if __name__ == "__main__":
    main()
