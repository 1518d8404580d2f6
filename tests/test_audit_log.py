"""The audit log, through the API and the dashboard: each change that matters writes
exactly one row, naming who did it, what changed before and after, never a secret;
a refused change or one that changes nothing writes none."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tests.checkout import STRIPE_KEYS
from tests.fixtures import host_of, obtain_tokens
from venue_apps.accounts.models import Role
from venue_apps.audit.models import AuditEntry
from venue_apps.audit.services import REDACTED, audit_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(api, alpha, make_user):
    """`signed_in(role)`: a new user of alpha with that role, and an API client for them."""

    def make(role: Role):
        user = make_user(alpha, role=role)
        client = api(alpha)
        access = obtain_tokens(client, user.email)["access"]
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        return user, client

    return make


def _entries(action: str, **filters) -> list[AuditEntry]:
    with schema_context("alpha"):
        return list(AuditEntry.objects.filter(action=action, **filters).order_by("id"))


def _one(action: str, **filters) -> AuditEntry:
    entries = _entries(action, **filters)
    assert len(entries) == 1, [(entry.action, entry.target_label) for entry in entries]
    return entries[0]


def _by(entry: AuditEntry, user) -> None:
    assert (entry.actor_id, entry.actor_email, entry.actor_role) == (
        user.pk,
        user.email,
        user.role,
    )


def test_a_price_card_change_is_one_row_with_the_old_and_new_rules(programme, signed_in):
    manager, client = signed_in(Role.MANAGER)
    card = programme["price_card"]

    changed = client.patch(
        f"/api/v1/price-cards/{card.pk}/",
        {"rules": [{"category": "regular", "amount": 99900}]},
        format="json",
    )

    assert changed.status_code == 200, changed.content
    entry = _one("price_card.changed")
    _by(entry, manager)
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "shows.pricecard",
        str(card.pk),
        "Standard",
    )
    assert set(entry.before) == set(entry.after) == {"rules"}
    assert ["regular", 20000, [], None, None, 0] in entry.before["rules"]
    assert entry.after["rules"] == [["regular", 99900, [], None, None, 0]]


def test_a_refused_or_empty_price_card_change_writes_nothing(programme, signed_in):
    _, client = signed_in(Role.MANAGER)
    card = programme["price_card"]

    refused = client.patch(
        f"/api/v1/price-cards/{card.pk}/",
        {"rules": [{"category": "regular", "amount": -1}]},
        format="json",
    )
    same = client.patch(f"/api/v1/price-cards/{card.pk}/", {"name": "Standard"}, format="json")

    assert (refused.status_code, same.status_code) == (400, 200)
    assert _entries("price_card.changed") == []


def test_a_show_scheduled_then_repriced_then_cancelled_is_three_rows(programme, signed_in):
    manager, client = signed_in(Role.MANAGER)
    starts = programme["show"].starts_at + timedelta(days=1)

    created = client.post(
        "/api/v1/shows/",
        {
            "title": programme["film"].pk,
            "auditorium": programme["auditorium"].pk,
            "starts_at": starts.isoformat(),
            "price_card": programme["price_card"].pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    show_id = created.json()["id"]
    repriced = client.patch(
        f"/api/v1/shows/{show_id}/", {"prices": {"regular": 12345}}, format="json"
    )
    cancelled = client.post(f"/api/v1/shows/{show_id}/cancel/")

    assert (repriced.status_code, cancelled.status_code) == (200, 200), repriced.content
    # (The programme's own show was created by the system, with no actor.)
    entry = _one("show.created", actor_id__isnull=False)
    _by(entry, manager)
    assert (entry.target_type, entry.target_id) == ("shows.show", str(show_id))
    assert entry.before == {}
    assert entry.after["title"] == programme["film"].pk
    assert entry.after["price_card"] == programme["price_card"].pk
    assert entry.after["status"] == "scheduled"
    assert entry.after["prices"]["regular"] in (20000, 25000)

    entry = _one("show.changed")
    _by(entry, manager)
    # Prices set by hand leave the card.
    assert set(entry.after) == {"prices", "price_card"}
    assert entry.after["prices"]["regular"] == 12345
    assert entry.before["prices"]["regular"] != 12345
    assert (entry.before["price_card"], entry.after["price_card"]) == (
        programme["price_card"].pk,
        None,
    )

    entry = _one("show.cancelled")
    _by(entry, manager)
    assert (entry.before, entry.after, entry.details) == (
        {"status": "scheduled"},
        {"status": "cancelled"},
        {"with_sales": False},
    )


def test_venue_and_auditorium_changes_are_a_row_each(programme, signed_in):
    manager, client = signed_in(Role.MANAGER)
    venue, auditorium = programme["venue"], programme["auditorium"]

    moved = client.patch(f"/api/v1/venues/{venue.pk}/", {"city": "Pune"}, format="json")
    cleaned = client.patch(
        f"/api/v1/auditoriums/{auditorium.pk}/", {"cleaning_minutes": 25}, format="json"
    )
    unchanged = client.patch(f"/api/v1/venues/{venue.pk}/", {"city": "Pune"}, format="json")

    assert (moved.status_code, cleaned.status_code, unchanged.status_code) == (200, 200, 200)
    entry = _one("venue.changed")
    _by(entry, manager)
    assert (entry.target_type, entry.target_label) == ("venues.venue", "Aurora Phoenix")
    assert (entry.before, entry.after) == ({"city": "Mumbai"}, {"city": "Pune"})
    entry = _one("auditorium.changed")
    _by(entry, manager)
    assert (entry.target_label, entry.before, entry.after) == (
        "Aurora Phoenix / Audi 1",
        {"cleaning_minutes": 20},
        {"cleaning_minutes": 25},
    )


def test_a_seat_map_replaced_is_one_row_with_its_version_and_seats(programme, signed_in):
    manager, client = signed_in(Role.MANAGER)
    auditorium = programme["auditorium"]

    replaced = client.patch(
        f"/api/v1/auditoriums/{auditorium.pk}/", {"layout": "A: RRRR"}, format="json"
    )

    assert replaced.status_code == 200, replaced.content
    entry = _one("auditorium.layout_replaced")
    _by(entry, manager)
    assert entry.before["layout_version"] + 1 == entry.after["layout_version"]
    assert entry.after["seats"] == 4 and entry.before["seats"] > 4
    assert entry.details["added"] == 0
    assert entry.details["retired"] + entry.details["deleted"] == entry.before["seats"] - 4


def test_a_title_change_is_one_row_with_what_changed(programme, signed_in):
    manager, client = signed_in(Role.MANAGER)
    film = programme["film"]

    changed = client.patch(
        f"/api/v1/titles/{film.pk}/",
        {"certificate": "A", "credits": [{"person": "Meera Nair", "role": "director"}]},
        format="json",
    )

    assert changed.status_code == 200, changed.content
    entry = _one("title.changed")
    _by(entry, manager)
    assert (entry.target_type, entry.target_label) == ("catalog.title", "The Monsoon Heist")
    assert entry.before == {
        "certificate": "U/A 13+",
        "credits": [["Meera Nair", "director", ""], ["Arjun Rao", "cast", "Vikram"]],
    }
    assert entry.after == {"certificate": "A", "credits": [["Meera Nair", "director", ""]]}


def test_new_payment_keys_are_one_row_that_never_holds_a_secret(alpha, signed_in):
    owner, client = signed_in(Role.OWNER)

    saved = client.put("/api/v1/payment-accounts/stripe/", STRIPE_KEYS, format="json")

    assert saved.status_code == 200, saved.content
    entry = _one("gateway.keys_changed")
    _by(entry, owner)
    assert (entry.target_type, entry.target_id, entry.target_label) == (
        "payments.gateway",
        "stripe:test",
        "Stripe test keys",
    )
    assert entry.after == {"public_key": STRIPE_KEYS["public_key"], "is_active": True}
    assert entry.details == {"secret_key_changed": True, "webhook_secret_changed": True}
    with schema_context("alpha"):
        stored = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert STRIPE_KEYS["secret_key"] not in stored
    assert STRIPE_KEYS["webhook_secret"] not in stored


def test_a_payment_settings_change_is_one_row_with_old_and_new_values(alpha, signed_in):
    owner, client = signed_in(Role.OWNER)

    changed = client.patch(
        "/api/v1/payment-settings/", {"attempts_per_customer_hour": 7}, format="json"
    )

    assert changed.status_code == 200, changed.content
    entry = _one("payment_settings.changed")
    _by(entry, owner)
    assert entry.after == {"attempts_per_customer_hour": 7}
    assert list(entry.before) == ["attempts_per_customer_hour"]


def test_owners_read_the_log_in_the_dashboard_and_nobody_edits_it(alpha, make_user):
    owner = make_user(alpha, role=Role.OWNER)
    manager = make_user(alpha, role=Role.MANAGER)
    with schema_context("alpha"):
        entry = audit_log(
            owner,
            "gateway.keys_changed",
            None,
            {"secret_key": "sk_test_HIDDEN"},
            {"secret_key": "sk_test_HIDDEN2"},
        )
        assert entry is not None and entry.before == {"secret_key": REDACTED}
    pages = Client(HTTP_HOST=host_of(alpha))
    with schema_context("alpha"):  # the session belongs in the chain's schema
        pages.force_login(owner)

    listing = pages.get("/dashboard/audit/auditentry/")
    detail = pages.get(f"/dashboard/audit/auditentry/{entry.pk}/change/")
    add = pages.get("/dashboard/audit/auditentry/add/")
    delete = pages.post(f"/dashboard/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    edit = pages.post(f"/dashboard/audit/auditentry/{entry.pk}/change/", {"action": "x.y"})

    assert listing.status_code == 200 and b"gateway.keys_changed" in listing.content
    assert detail.status_code == 200 and b"sk_test_HIDDEN" not in detail.content
    assert (add.status_code, delete.status_code, edit.status_code) == (403, 403, 403)
    with schema_context("alpha"):
        assert AuditEntry.objects.filter(pk=entry.pk, action="gateway.keys_changed").exists()

    with schema_context("alpha"):
        pages.force_login(manager)
    assert pages.get("/dashboard/audit/auditentry/").status_code == 403


def test_a_price_card_saved_on_the_dashboard_is_one_row_and_a_delete_another(
    programme, make_user, alpha
):
    # The dashboard's price card page saves the model (and its rule inlines) itself:
    # AuditedAdmin records it, rules taken after the inlines are saved.
    from types import SimpleNamespace

    from dashboards.sites import tenant_dashboard
    from venue_apps.shows.models import PriceCard, PriceRule

    owner = make_user(alpha, role=Role.OWNER)
    page = tenant_dashboard._registry[PriceCard]
    request = SimpleNamespace(user=owner)
    with schema_context("alpha"):
        card = PriceCard.objects.get(pk=programme["price_card"].pk)
        card.name = "Standard 2027"
        form = SimpleNamespace(instance=card, save_m2m=lambda: None)
        page.save_model(request, card, form, True)
        PriceRule.objects.filter(price_card=card, category__code="premium").update(amount=31000)
        page.save_related(request, form, [], True)
        spare = PriceCard.objects.create(name="Spare")
        page.delete_model(request, spare)

    entry = _one("price_card.changed")
    _by(entry, owner)
    assert (entry.before["name"], entry.after["name"]) == ("Standard", "Standard 2027")
    assert ["premium", 30000, [], None, None, 0] in entry.before["rules"]
    assert ["premium", 31000, [], None, None, 0] in entry.after["rules"]
    deleted = _one("price_card.deleted")
    _by(deleted, owner)
    assert (deleted.target_label, deleted.before["name"], deleted.after) == ("Spare", "Spare", {})
