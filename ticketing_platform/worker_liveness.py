"""Liveness of a Celery worker: `python -m ticketing_platform.worker_liveness`.

The probe asks this very worker to answer a ping over the broker. A worker that is
stuck does not answer and is restarted. But when the broker itself cannot be reached,
no worker can answer, and restarting every worker pod at once fixes nothing (they come
back to the same outage and lose their warm state): the probe then passes, and the
worker's own reconnection loop waits for the broker (CELERY_BROKER_CONNECTION_RETRY).

Exit status 0: alive, or the broker is down; 1: the broker answers and the worker does
not.
"""

from __future__ import annotations

import argparse
import socket
import sys


def worker_alive(*, node: str, timeout: float) -> tuple[bool, str]:
    """Whether `node` answers a ping, or the broker is down (not the worker's fault)."""
    from ticketing_platform.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
    except Exception as error:  # any failure to reach the broker
        return True, f"broker unreachable ({type(error).__name__}): not the worker's fault"
    replies = app.control.ping(destination=[node], timeout=timeout)
    if any(node in reply for reply in replies):
        return True, f"{node} answered"
    return False, f"{node} did not answer within {timeout:g} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", default=f"celery@{socket.gethostname()}")
    parser.add_argument("--timeout", type=float, default=10.0)
    options = parser.parse_args(argv)
    alive, reason = worker_alive(node=options.node, timeout=options.timeout)
    print(reason)
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
