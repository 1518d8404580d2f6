"""Read-path benchmark: the seat map of a 400-seat show and the day's showtime grid,
uncached and cached, through the whole Django stack (middleware, tenant resolution,
DRF), in-process so that network and server choice do not blur the figures.

Run after `make demo` has seeded the demo chains (or `manage.py seed_demo`):

    .venv/bin/python -m tests.benchmarks.bench_catalog --requests 300
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketing_platform.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import schema_context

    from tenants.cache import cache_namespace_bump
    from venue_apps.catalog.services import CATALOG_CACHE
    from venue_apps.inventory.models import ShowSeat
    from venue_apps.inventory.services import show_seats_cache_namespace
    from venue_apps.shows.models import Show

    with schema_context("aurora"):
        show = (
            Show.objects.filter(status="on_sale", auditorium__name="IMAX")
            .order_by("starts_at")
            .first()
        )
        if show is None:
            raise SystemExit("No demo data: run `make demo` or `manage.py seed_demo` first.")
        seats = ShowSeat.objects.filter(show=show).count()
        day = show.local_date.isoformat()
        day_shows = Show.objects.filter(local_date=show.local_date).count()

    client = Client(HTTP_HOST="aurora.localhost")
    cases = [
        (
            f"seat map, {seats} seats",
            f"/api/v1/shows/{show.pk}/seats/",
            show_seats_cache_namespace(show.pk),
        ),
        (f"showtimes, {day_shows} shows", f"/api/v1/showtimes/?date={day}", CATALOG_CACHE),
        ("titles list", "/api/v1/titles/", CATALOG_CACHE),
    ]

    def measure(path: str, namespace: str, *, cached: bool) -> tuple[list[float], int, int]:
        timings = []
        size = 0
        for _ in range(arguments.requests):
            if not cached:
                with schema_context("aurora"):
                    cache_namespace_bump(namespace)  # autocommit: runs at once
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:200]
            size = len(response.content)
        if not cached:
            with schema_context("aurora"):
                cache_namespace_bump(namespace)
        with CaptureQueriesContext(connection) as log:
            client.get(path)
        queries = sum(1 for query in log.captured_queries if not query["sql"].startswith("SET "))
        return timings, queries, size

    print(f"{arguments.requests} requests each, in-process (django.test.Client), tenant aurora")
    print(f"{'endpoint':<28} {'cache':<8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'bytes':>8}")
    for name, path, namespace in cases:
        results = {}
        for cached in (False, True):
            if cached:
                client.get(path)  # warm
            timings, queries, size = measure(path, namespace, cached=cached)
            ordered = sorted(timings)
            p50 = statistics.median(ordered)
            p95 = ordered[int(len(ordered) * 0.95) - 1]
            results[cached] = p50
            label = "cached" if cached else "cold"
            print(f"{name:<28} {label:<8} {p50:8.2f} {p95:8.2f} {queries:8d} {size:8d}")
        print(f"{'':<28} {'speed-up':<8} {results[False] / results[True]:8.1f}x")


if __name__ == "__main__":
    main()
