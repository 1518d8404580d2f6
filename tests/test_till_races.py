"""Two cashiers opening one till at the same moment, on real concurrent connections:
one shift, one 409. These tests commit their data (other connections must see it) and
clean up after."""

from __future__ import annotations

import threading

from django.db import connections
from django_tenants.utils import schema_context

from tenants.error_codes import DomainError
from tests.factories import TillFactory, UserFactory, VenueFactory
from venue_apps.accounts.models import Role
from venue_apps.audit.models import AuditEntry
from venue_apps.tills.models import Shift, Till
from venue_apps.tills.services import shift_open

SCHEMA = "alpha"


def _open_at_once(attempts: list[tuple[Till, object]], float_amount: int = 1000) -> list[str]:
    """Each (till, person) opens a shift on its own connection, all at the same moment."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def attempt(till, person):
        try:
            with schema_context(SCHEMA):
                barrier.wait()
                shift_open(till, float_amount=float_amount, currency="INR", actor=person)
                outcomes.append("opened")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=pair) for pair in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _forget(venue) -> None:
    """Remove what a test committed: shifts, tills, the venue, and their audit rows."""
    tills = [str(pk) for pk in Till.objects.filter(venue=venue).values_list("pk", flat=True)]
    shifts = [
        str(pk) for pk in Shift.objects.filter(till__venue=venue).values_list("pk", flat=True)
    ]
    AuditEntry.objects.filter(target_type="tills.shift", target_id__in=shifts).delete()
    AuditEntry.objects.filter(target_type="tills.till", target_id__in=tills).delete()
    AuditEntry.objects.filter(target_type="venues.venue", target_id=str(venue.pk)).delete()
    Shift.objects.filter(till__venue=venue).delete()
    Till.objects.filter(venue=venue).delete()
    venue.delete()


def test_cashiers_opening_one_till_at_once_get_one_shift(committed):
    venue = VenueFactory(schema=SCHEMA)
    till = TillFactory(schema=SCHEMA, venue=venue)
    people = [UserFactory(schema=SCHEMA, role=Role.BOX_OFFICE) for _ in range(4)]
    committed.extend((SCHEMA, person) for person in people)
    try:
        for _ in range(3):
            outcomes = _open_at_once([(till, person) for person in people])

            assert sorted(outcomes) == ["opened"] + ["till_busy"] * 3
            with schema_context(SCHEMA):
                assert Shift.objects.filter(till=till, status=Shift.Status.OPEN).count() == 1
                AuditEntry.objects.filter(
                    target_type="tills.shift",
                    target_id__in=[str(pk) for pk in Shift.objects.values_list("pk", flat=True)],
                ).delete()
                Shift.objects.filter(till=till).delete()
    finally:
        with schema_context(SCHEMA):
            _forget(venue)


def test_one_cashier_opening_two_tills_at_once_gets_one_shift(committed):
    venue = VenueFactory(schema=SCHEMA)
    tills = [TillFactory(schema=SCHEMA, venue=venue) for _ in range(2)]
    person = UserFactory(schema=SCHEMA, role=Role.BOX_OFFICE)
    committed.append((SCHEMA, person))
    try:
        outcomes = _open_at_once([(till, person) for till in tills], float_amount=0)

        assert sorted(outcomes) == ["opened", "shift_already_open"]
        with schema_context(SCHEMA):
            assert Shift.objects.filter(opened_by=person, status=Shift.Status.OPEN).count() == 1
    finally:
        with schema_context(SCHEMA):
            _forget(venue)
