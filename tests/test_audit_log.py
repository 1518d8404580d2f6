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
from tests.fixtures import host_of, obtain_tokens, sign_in_from
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


# --- staff, promotions, the sale, keys and sign-ins ----------------------------------------


def test_a_staff_role_change_is_one_row_with_the_old_and_new_role(alpha, make_user):
    from venue_apps.accounts.services.users import staff_update

    owner = make_user(alpha, role=Role.OWNER)
    clerk = make_user(alpha, role=Role.BOX_OFFICE)
    with schema_context("alpha"):
        staff_update(clerk, actor=owner, role=Role.MANAGER)
        staff_update(clerk, actor=owner, role=Role.MANAGER)  # nothing changed: no row

    entry = _one("staff.role_changed")
    _by(entry, owner)
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(clerk.pk))
    assert (entry.before, entry.after) == ({"role": "box_office"}, {"role": "manager"})
    assert _entries("staff.changed") == []


def test_a_promo_code_created_then_changed_is_a_row_each_with_what_changed(alpha, make_user):
    from venue_apps.orders.services import promo_code_save

    manager = make_user(alpha, role=Role.MANAGER)
    with schema_context("alpha"):
        promo = promo_code_save(
            None, values={"code": "spring", "kind": "percent", "value": 1500}, actor=manager
        )
        promo_code_save(promo, values={"value": 2000, "description": "Spring"}, actor=manager)

    created = _one("promo_code.created")
    _by(created, manager)
    assert (created.target_id, created.target_label) == (str(promo.pk), "SPRING")
    assert (created.after["code"], created.after["value"], created.after["titles"]) == (
        "SPRING",
        1500,
        [],
    )
    changed = _one("promo_code.changed")
    _by(changed, manager)
    assert (changed.before, changed.after) == (
        {"value": 1500, "description": ""},
        {"value": 2000, "description": "Spring"},
    )


def test_a_refund_by_staff_is_one_refund_row_by_them(alpha, make_user):
    from tests.factories import PaidOrderFactory
    from venue_apps.sales.cancellation import order_refund

    manager = make_user(alpha, role=Role.MANAGER)
    order = PaidOrderFactory(schema="alpha", labels=["A1", "A2"])
    with schema_context("alpha"):
        refund = order_refund(order.pk, actor=manager, amount=100, note="Goodwill")

    entry = _one("refund.created")
    _by(entry, manager)
    assert (entry.target_type, entry.target_id) == ("payments.refund", str(refund.pk))
    assert (entry.details["order"], entry.details["amount"], entry.details["note"]) == (
        str(order.pk),
        100,
        "Goodwill",
    )
    refunded = _one("order.refunded")
    _by(refunded, manager)
    assert refunded.target_id == str(order.pk)


def test_a_customer_cancelling_is_an_order_row_and_a_refund_row_by_them(alpha):
    from tests.factories import PaidOrderFactory
    from venue_apps.sales.cancellation import order_cancel

    order = PaidOrderFactory(schema="alpha", labels=["A1"])
    with schema_context("alpha"):
        order_cancel(order.pk, actor=order.customer)

    cancelled = _one("order.cancelled")
    _by(cancelled, order.customer)
    assert (cancelled.target_id, cancelled.details["reason"]) == (
        str(order.pk),
        "customer_cancelled",
    )
    _by(_one("refund.created"), order.customer)


def test_a_show_cancelled_with_refunds_is_exactly_one_show_row_by_the_manager(
    alpha, make_user, tasks_inline
):
    from tests.factories import PaidOrderFactory
    from venue_apps.sales.cancellation import show_cancel_and_refund

    manager = make_user(alpha, role=Role.MANAGER)
    order = PaidOrderFactory(schema="alpha", labels=["A1"])
    with schema_context("alpha"):
        show_cancel_and_refund(order.show, actor=manager)

    entry = _one("show.cancelled", target_id=str(order.show_id))
    _by(entry, manager)
    assert (entry.before, entry.after, entry.details) == (
        {"status": "on_sale"},
        {"status": "cancelled"},
        {"with_sales": True},
    )


def test_new_oauth_client_keys_are_a_row_that_never_holds_the_secret(alpha, make_user):
    from venue_apps.accounts.services.oauth import oauth_client_set

    owner = make_user(alpha, role=Role.OWNER)
    secret = "GOCSPX-very-secret-value-1234"
    with schema_context("alpha"):
        oauth_client_set(
            "google", client_id="1234567890.apps.example", client_secret=secret, actor=owner
        )
        oauth_client_set("google", client_id="1234567890.apps.example", actor=owner)  # same

    entry = _one("oauth_client.keys_changed")
    _by(entry, owner)
    assert entry.after["client_id"] == "1234567890.apps.example"
    assert entry.after["client_secret_sealed"] == REDACTED
    stored = json.dumps([entry.before, entry.after, entry.details])
    assert secret not in stored and secret[-4:] in entry.after["client_secret_hint"]


def test_a_staff_sign_in_is_a_row_with_their_address_and_a_customers_none(api, alpha, make_user):
    manager = make_user(alpha, role=Role.MANAGER)
    customer = make_user(alpha)
    from tests.fixtures import PASSWORD

    assert sign_in_from(api, alpha, manager.email, PASSWORD, "198.51.100.7").status_code == 200
    assert sign_in_from(api, alpha, customer.email, PASSWORD, "198.51.100.8").status_code == 200

    entry = _one("sign_in.succeeded")
    _by(entry, manager)
    assert (entry.target_id, entry.address) == (str(manager.pk), "198.51.100.7")
    assert entry.details == {"dashboard": False, "second_factor": False}


def test_failed_staff_sign_ins_then_the_lockout_are_rows_with_the_address(
    api, alpha, make_user, settings
):
    settings.AXES_FAILURE_LIMIT = 2
    scanner = make_user(alpha, role=Role.SCANNER)

    answers = [
        sign_in_from(api, alpha, scanner.email, f"wrong-password-{n}", "203.0.113.9").status_code
        for n in range(3)
    ]
    sign_in_from(api, alpha, "nobody@alpha.test", "wrong-password", "203.0.113.9")

    assert answers == [401, 401, 429]
    failed = _entries("sign_in.failed")
    assert [(e.actor_id, e.target_id, e.address) for e in failed] == [
        (None, str(scanner.pk), "203.0.113.9")
    ] * 2
    assert failed[0].details == {"step": "password"}
    locked = _one("sign_in.locked_out")
    assert (locked.actor_id, locked.target_id, locked.address) == (
        None,
        str(scanner.pk),
        "203.0.113.9",
    )
    with schema_context("alpha"):
        stored = json.dumps(list(AuditEntry.objects.values("before", "after", "details")))
    assert "wrong-password" not in stored and "nobody@alpha.test" not in stored
