"""Show scheduling: the database itself refuses overlaps."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, connections, transaction
from django_tenants.utils import schema_context

from tenants.error_codes import Conflict
from tests.programme import build_programme, programme_delete
from venue_apps.shows.models import Show
from venue_apps.shows.services import show_create


@pytest.mark.django_db
def test_database_refuses_an_overlapping_show_written_around_the_service(alpha):
    programme = build_programme(alpha.schema_name)
    show = programme["show"]
    with schema_context(alpha.schema_name):
        clash = Show(
            title=programme["play"],
            auditorium=programme["auditorium"],
            venue=programme["venue"],
            starts_at=show.busy_until - timedelta(minutes=1),
            ends_at=show.busy_until + timedelta(hours=2),
            busy_until=show.busy_until + timedelta(hours=2, minutes=20),
            local_date=show.local_date,
            prices=show.prices,
            sales_open_at=show.sales_open_at,
            sales_close_at=show.sales_close_at,
        )
        with (
            pytest.raises(IntegrityError, match="show_no_overlap_in_auditorium"),
            transaction.atomic(),
        ):
            clash.save()
        # Right after the cleaning time is free; a cancelled show blocks nothing.
        clash.starts_at = show.busy_until
        clash.save()
        Show.objects.filter(pk=show.pk).update(status="cancelled")
        replacement = Show.objects.get(pk=clash.pk)
        replacement.pk = None
        replacement.starts_at, replacement.ends_at = show.starts_at, show.ends_at
        replacement.busy_until = show.busy_until
        replacement.save()  # the cancelled show's time is free again
        replacement.pk = None
        replacement.starts_at = clash.starts_at + timedelta(minutes=10)
        replacement.ends_at = clash.ends_at + timedelta(minutes=10)
        replacement.busy_until = clash.busy_until + timedelta(minutes=10)
        with pytest.raises(IntegrityError), transaction.atomic():
            replacement.save()  # overlaps the live clash


@pytest.mark.django_db
def test_a_show_in_another_auditorium_may_overlap(alpha):
    programme = build_programme(alpha.schema_name)
    with schema_context(alpha.schema_name):
        from venue_apps.venues.services import auditorium_create

        other = auditorium_create(venue=programme["venue"], name="Audi 9", layout="A: RRRR")
        second = show_create(
            title=programme["film"],
            auditorium=other,
            starts_at=programme["show"].starts_at,
            prices={"regular": 100},
        )
    assert second.pk


def _deadlocks_so_far() -> int:
    # PostgreSQL counts the deadlocks it broke; a backend reports its counts when it
    # ends, so read after the threads' connections closed.
    time.sleep(1.2)
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def test_concurrent_overlapping_shows_one_wins(django_db_setup, django_db_blocker):
    """Eight staff put clashing shows on one screen at once: one is scheduled, seven
    are told of the overlap, and PostgreSQL never had to break a deadlock between
    them (the auditorium's schedule is locked first, so they wait in turn)."""
    with django_db_blocker.unblock():
        programme = build_programme("beta")
        deadlocks_before = _deadlocks_so_far()
        barrier = threading.Barrier(8)
        outcomes: list[str] = []

        def schedule(offset: int) -> None:
            try:
                with schema_context("beta"):
                    barrier.wait()
                    show_create(
                        title=programme["film"],
                        auditorium=programme["auditorium"],
                        starts_at=programme["show"].starts_at + timedelta(days=1, minutes=offset),
                        price_card=programme["price_card"],
                    )
                outcomes.append("created")
            except Conflict as error:
                outcomes.append(error.code)
            except Exception as error:
                outcomes.append(repr(error))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=schedule, args=(minutes * 10,)) for minutes in range(8)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert sorted(outcomes) == ["created"] + ["show_overlap"] * 7
            assert _deadlocks_so_far() == deadlocks_before
        finally:
            programme_delete("beta")
            connections.close_all()
