"""audit_log: what one call stores, what it never stores, and where it writes nothing."""

from __future__ import annotations

import importlib
import json
from datetime import date
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants import request_ids
from venue_apps.accounts.models import Role
from venue_apps.audit.models import AuditEntry
from venue_apps.audit.selectors import audit_entries
from venue_apps.audit.services import (
    REDACTED,
    AuditTarget,
    audit_diff,
    audit_log,
    audit_snapshot,
)
from venue_apps.venues.models import Venue


@pytest.mark.django_db
def test_one_call_stores_who_what_which_and_only_the_changed_values(alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER, email="mira@alpha.test")
    token = request_ids.request_id_set("req-0123456789")
    try:
        with schema_context(alpha.schema_name):
            venue = Venue(pk=7, name="Riverside")
            entry = audit_log(
                manager,
                "venue.changed",
                venue,
                {"name": "Riverside", "city": "Pune", "opened": date(2020, 1, 2)},
                {"name": "Riverside", "city": "Mumbai", "opened": date(2020, 1, 2)},
                address="203.0.113.9",
                reason="moved",
            )
            stored = AuditEntry.objects.get()
    finally:
        request_ids.request_id_reset(token)

    assert entry is not None and entry.pk == stored.pk
    assert (stored.actor_id, stored.actor_email, stored.actor_role) == (
        manager.pk,
        "mira@alpha.test",
        "manager",
    )
    assert (stored.action, stored.target_type, stored.target_id, stored.target_label) == (
        "venue.changed",
        "venues.venue",
        "7",
        "Riverside",
    )
    assert (stored.before, stored.after, stored.details) == (
        {"city": "Pune"},
        {"city": "Mumbai"},
        {"reason": "moved"},
    )
    assert (stored.request_id, stored.address) == ("req-0123456789", "203.0.113.9")


@pytest.mark.django_db
def test_secrets_are_never_stored_by_name_or_when_named(alpha):
    with schema_context(alpha.schema_name):
        audit_log(
            None,
            "gateway.keys_changed",
            AuditTarget("payments.gateway", "stripe:test", "Stripe test keys"),
            {"secret_key": "sk_test_OLDOLDOLD", "public_key": "pk_test_A", "pin": "1234"},
            {"secret_key": "sk_test_NEWNEWNEW", "public_key": "pk_test_B", "pin": "9876"},
            redact=["pin"],
            nested={"webhook_secret": "whsec_SECRET", "client_secret": "abc", "kept": 1},
        )
        stored = AuditEntry.objects.get()

    text = json.dumps([stored.before, stored.after, stored.details])
    for secret in ("sk_test_OLD", "sk_test_NEW", "1234", "9876", "whsec_SECRET", "abc"):
        assert secret not in text
    # That a secret changed is still said.
    assert stored.before == {"secret_key": REDACTED, "public_key": "pk_test_A", "pin": REDACTED}
    assert stored.after == {"secret_key": REDACTED, "public_key": "pk_test_B", "pin": REDACTED}
    assert stored.details == {
        "nested": {"webhook_secret": REDACTED, "client_secret": REDACTED, "kept": 1}
    }
    assert (stored.actor_id, stored.actor_email, stored.actor_role) == (None, "", "")


@pytest.mark.django_db
def test_nothing_is_written_in_the_public_schema(db):
    # Platform staff are audited in tenants.PlatformAuditLog; public has no chain log.
    assert audit_log(None, "sign_in.failed", email="someone@example.com") is None


def test_actions_are_dotted_names():
    for bad in ("gateway_keys_set", "Show.Cancelled", "show.", ".show", "show cancelled"):
        with pytest.raises(ValueError):
            audit_log(None, bad)


def test_the_diff_keeps_only_what_changed_and_names_fields_on_one_side():
    assert audit_diff({"a": 1, "b": [1, 2], "c": 3}, {"a": 1, "b": [2, 1], "d": 4}) == (
        {"b": [1, 2], "c": 3, "d": None},
        {"b": [2, 1], "c": None, "d": 4},
    )


def test_a_snapshot_holds_foreign_keys_by_their_id():
    venue = Venue(pk=3, name="Riverside", city="Pune")
    assert audit_snapshot(venue, ["name", "city"]) == {"name": "Riverside", "city": "Pune"}
    from venue_apps.venues.models import Auditorium

    screen = Auditorium(venue=venue, name="Screen 1", cleaning_minutes=15)
    assert audit_snapshot(screen, ["venue", "name", "cleaning_minutes"]) == {
        "venue": 3,
        "name": "Screen 1",
        "cleaning_minutes": 15,
    }


@pytest.mark.django_db
def test_entries_filter_by_person_kind_target_and_time(alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    with schema_context(alpha.schema_name):
        venue = Venue(pk=11, name="Riverside")
        first = audit_log(owner, "show.created", AuditTarget("shows.show", "1", "A show"))
        second = audit_log(None, "show.cancelled", AuditTarget("shows.show", "1", "A show"))
        third = audit_log(owner, "showcase.changed", venue)
        assert first and second and third
        assert list(audit_entries(kind="show")) == [second, first]
        assert list(audit_entries(kind="show.created")) == [first]
        assert list(audit_entries(actor_id=owner.pk)) == [third, first]
        assert list(audit_entries(target=venue)) == [third]
        later = timezone.now() + timezone.timedelta(minutes=1)
        assert list(audit_entries(since=later)) == []
        assert len(audit_entries(until=later)) == 3


def test_the_copy_of_payments_old_log_maps_each_action():
    migration = importlib.import_module("venue_apps.audit.migrations.0002_payment_audit_log_copied")
    when = timezone.now()
    settings_row = SimpleNamespace(
        created_at=when,
        actor_id=5,
        actor_email="owner@alpha.test",
        action="payment_settings_changed",
        details={"old": {"mode": "test"}, "new": {"mode": "live"}},
    )
    keys_row = SimpleNamespace(
        created_at=when,
        actor_id=None,
        actor_email="",
        action="gateway_keys_set",
        details={
            "provider": "stripe",
            "mode": "live",
            "public_key": "pk_live_X",
            "secret_key_changed": True,
            "webhook_secret_changed": False,
            "is_active": True,
        },
    )
    settings_entry = migration._entry(AuditEntry, settings_row)
    keys_entry = migration._entry(AuditEntry, keys_row)
    assert (
        settings_entry.action,
        settings_entry.target_type,
        settings_entry.before,
        settings_entry.after,
        settings_entry.details,
        settings_entry.actor_id,
        settings_entry.created_at,
    ) == (
        "payment_settings.changed",
        "payments.paymentsettings",
        {"mode": "test"},
        {"mode": "live"},
        {},
        5,
        when,
    )
    assert (
        keys_entry.action,
        keys_entry.target_id,
        keys_entry.target_label,
        keys_entry.after,
        keys_entry.details,
    ) == (
        "gateway.keys_changed",
        "stripe:live",
        "Stripe live keys",
        {"public_key": "pk_live_X", "is_active": True},
        {"secret_key_changed": True, "webhook_secret_changed": False},
    )


def test_the_copy_of_orders_old_history_names_each_row_order_dot_action():
    migration = importlib.import_module("venue_apps.audit.migrations.0003_order_log_copied")
    when = timezone.now()
    order = SimpleNamespace(reference="AB12CD", status="refunded")
    row = SimpleNamespace(
        created_at=when,
        order_id="0b7f7a52-7f0e-4a53-9f8e-3c1c6f1b2a10",
        actor_id=7,
        actor_email="mira@alpha.test",
        action="refund_sent_again",
        details={"amount": 500},
    )
    system_row = SimpleNamespace(**{**vars(row), "actor_id": None, "action": "Paid"})

    entry = migration._entry(AuditEntry, row, order)
    system = migration._entry(AuditEntry, system_row, order)

    assert (
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.target_label,
        entry.actor_id,
        entry.actor_email,
        entry.details,
        entry.created_at,
    ) == (
        "order.refund_sent_again",
        "orders.order",
        "0b7f7a52-7f0e-4a53-9f8e-3c1c6f1b2a10",
        "order AB12CD (refunded)",
        7,
        "mira@alpha.test",
        {"amount": 500},
        when,
    )
    assert (system.action, system.actor_email) == ("order.paid", "")
