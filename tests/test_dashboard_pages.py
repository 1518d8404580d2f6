"""The chain dashboard's pages a new user stumbled on: shows added from the dashboard
(through `show_create`) and listed with their sold and held seats, money in the
currency's units on every page (typed in units too), the auditorium's seat map drawn,
and the chain's colours and logo. Each with real sign-ins, role by role."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tests.factories import PaidOrderFactory, ShowFactory
from tests.fixtures import PASSWORD, QueryLog, dashboard_sign_in, host_of
from tests.programme import next_weekday
from venue_apps.accounts.models import Role
from venue_apps.audit.models import AuditEntry
from venue_apps.inventory import holds
from venue_apps.inventory.models import ShowSeat
from venue_apps.orders.models import CheckoutSettings, PromoCode
from venue_apps.payments.models import LedgerEntry, Payment
from venue_apps.shows.models import PriceRule, Show
from venue_apps.shows.services import RuleSpec, price_card_update
from venue_apps.venues.models import SeatCategory

pytestmark = pytest.mark.django_db
PRICE = 76_000  # ₹760.00


def _text(page) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.content.decode()))


@pytest.fixture
def priced(alpha, programme):
    """Every seat at ₹760.00 on a Tuesday show, and one seat of it sold."""
    with schema_context("alpha"):
        card = programme["price_card"]
        price_card_update(
            card,
            rules=[
                RuleSpec(code, PRICE)
                for code in ("regular", "premium", "recliner", "couple", "wheelchair")
            ],
        )
        show = ShowFactory(
            schema="alpha",
            title=programme["film"],
            auditorium=programme["auditorium"],
            price_card=card,
            starts_at=next_weekday(2, time(18, 0), "Asia/Kolkata"),
        )
        order = PaidOrderFactory(schema="alpha", show=show, labels=["A1"])
    return {**programme, "priced_show": show, "order": order}


@pytest.fixture
def owner(alpha, make_user):
    return make_user(alpha, role=Role.OWNER)


@pytest.fixture
def manager(alpha, make_user):
    return make_user(alpha, role=Role.MANAGER)


# --- money ------------------------------------------------------------------------------


def test_orders_payments_ledger_and_shows_show_units_never_minor_units(alpha, priced, owner):
    order = priced["order"]
    assert order.total == PRICE
    with schema_context("alpha"):
        payment = Payment.objects.get(order=order)
        entry = LedgerEntry.objects.filter(order=order).first()
    browser = dashboard_sign_in(alpha, owner)

    pages = {
        "order": browser.get(f"/dashboard/orders/order/{order.pk}/change/"),
        "orders": browser.get("/dashboard/orders/order/"),
        "payment": browser.get(f"/dashboard/payments/payment/{payment.pk}/change/"),
        "payments": browser.get("/dashboard/payments/payment/"),
        "ledger": browser.get("/dashboard/payments/ledgerentry/"),
        "ledger entry": browser.get(f"/dashboard/payments/ledgerentry/{entry.pk}/change/"),
        "show": browser.get(f"/dashboard/shows/show/{priced['priced_show'].pk}/change/"),
    }

    for name, page in pages.items():
        assert page.status_code == 200, name
        text = _text(page)
        assert "760.00" in text, name
        assert "76000" not in text and "76,000" not in text, name


def test_prices_are_typed_in_units_and_stored_in_minor_units(alpha, priced, manager):
    card = priced["price_card"]
    browser = dashboard_sign_in(alpha, manager)
    page = browser.get(f"/dashboard/shows/pricecard/{card.pk}/change/")
    form = page.context["adminform"].form
    formset = page.context["inline_admin_formsets"][0].formset
    data = {name: form[name].value() for name in form.fields}
    data["is_active"] = "on"
    data.update(
        {
            f"{formset.prefix}-TOTAL_FORMS": str(formset.initial_form_count()),
            f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
            f"{formset.prefix}-MIN_NUM_FORMS": "0",
            f"{formset.prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    for each in formset.initial_forms:
        for name in each.fields:
            value = each[name].value()
            if value is not None and value is not False:
                data[f"{each.prefix}-{name}"] = value
    first = formset.forms[0].prefix

    assert 'value="760.00"' in page.content.decode()
    assert 'value="76000"' not in page.content.decode()
    data[f"{first}-amount"] = "812.50"
    saved = browser.post(f"/dashboard/shows/pricecard/{card.pk}/change/", data)

    assert saved.status_code == 302, (
        saved.context["adminform"].form.errors,
        [f.errors for f in saved.context["inline_admin_formsets"][0].formset.forms],
        saved.context["inline_admin_formsets"][0].formset.non_form_errors(),
    )
    with schema_context("alpha"):
        amounts = sorted(PriceRule.objects.filter(price_card=card).values_list("amount", flat=True))
    assert 81_250 in amounts and PRICE in amounts


def test_a_promo_codes_fixed_discount_and_the_booking_fee_are_units(alpha, owner):
    browser = dashboard_sign_in(alpha, owner)

    added = browser.post(
        "/dashboard/orders/promocode/add/",
        {"code": "FIFTY", "kind": "fixed", "value": "50.00", "is_active": "on"},
    )
    settings_page = browser.get("/dashboard/orders/checkoutsettings/", follow=True)
    settings_url = settings_page.redirect_chain[-1][0]
    fee = browser.post(
        settings_url, {"booking_fee_per_ticket": "25.50", "booking_fee_basis_points": "0"}
    )

    assert added.status_code == 302, _text(added)[-1200:]
    assert fee.status_code == 302, _text(fee)[-1200:]
    with schema_context("alpha"):
        promo = PromoCode.objects.get(code="FIFTY")
        assert CheckoutSettings.objects.get().booking_fee_per_ticket == 2_550
    assert promo.value == 5_000
    assert "₹50.00" in _text(browser.get("/dashboard/orders/promocode/"))
    edit = browser.get(f"/dashboard/orders/promocode/{promo.pk}/change/")
    assert 'value="50.00"' in edit.content.decode()
    assert 'value="25.50"' in browser.get(settings_url).content.decode()


def test_bad_money_typed_is_a_form_error(alpha, owner):
    browser = dashboard_sign_in(alpha, owner)

    for value in ("12.345", "abc", "-5", "1e400"):
        answer = browser.post(
            "/dashboard/orders/promocode/add/",
            {"code": f"BAD{len(value)}", "kind": "fixed", "value": value, "is_active": "on"},
        )
        assert answer.status_code == 200, value
        assert "errorlist" in answer.content.decode(), value
    with schema_context("alpha"):
        assert not PromoCode.objects.exists()


# --- shows --------------------------------------------------------------------------


def _wednesday_at(hour: int, minute: int = 0):
    return next_weekday(3, time(hour, minute), "Asia/Kolkata")


def test_a_manager_adds_a_show_priced_from_the_card_in_the_venues_time(alpha, programme, manager):
    browser = dashboard_sign_in(alpha, manager)
    starts = _wednesday_at(19, 30)
    form = browser.get("/dashboard/shows/show/add/")

    added = browser.post(
        "/dashboard/shows/show/add/",
        {
            "title": programme["film"].pk,
            "auditorium": programme["auditorium"].pk,
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "format": "2d",
            "price_card": programme["price_card"].pk,
            "extra_minutes": "15",
        },
    )

    assert form.status_code == 200 and 'type="datetime-local"' in form.content.decode()
    assert added.status_code == 302, _text(added)[-800:]
    with schema_context("alpha"):
        show = Show.objects.exclude(pk=programme["show"].pk).get()
        entry = AuditEntry.objects.get(action="show.created", target_id=str(show.pk))
    assert show.starts_at == starts  # 19:30 in Kolkata, whatever the server's zone
    assert show.prices["regular"] == 20_000 and show.price_card_id == programme["price_card"].pk
    runtime = programme["film"].runtime_minutes
    assert show.ends_at - show.starts_at == timedelta(minutes=runtime + 15)
    assert entry.actor_id == manager.pk
    listing = browser.get(added["Location"])
    assert "₹200.00" in _text(listing) and "20000" not in _text(listing)


def test_an_overlapping_show_is_the_forms_error_in_the_services_words(alpha, programme, owner):
    browser = dashboard_sign_in(alpha, owner)
    existing = programme["show"]
    with schema_context("alpha"):
        local = existing.starts_at.astimezone(existing.venue.zone)

    clash = browser.post(
        "/dashboard/shows/show/add/",
        {
            "title": programme["film"].pk,
            "auditorium": programme["auditorium"].pk,
            "starts_at": (local + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
            "format": "2d",
            "price_card": programme["price_card"].pk,
        },
    )

    assert clash.status_code == 400
    assert "errornote" in clash.content.decode()
    assert "overlap" in _text(clash).lower() or "busy" in _text(clash).lower()
    with schema_context("alpha"):
        assert Show.objects.count() == 1


@pytest.mark.parametrize(
    "values",
    [
        {"starts_at": "99999-01-01T10:00"},
        {"starts_at": "0001-01-01T00:00"},
        {"starts_at": "yesterday"},
        {"title": "abc"},
        {"auditorium": "999999"},
        {"extra_minutes": "-5"},
        {"format": "8k"},
        {"price_card": ""},
    ],
)
def test_bad_show_values_are_form_errors_not_500s(alpha, programme, owner, values):
    browser = dashboard_sign_in(alpha, owner)
    data = {
        "title": programme["film"].pk,
        "auditorium": programme["auditorium"].pk,
        "starts_at": _wednesday_at(11).strftime("%Y-%m-%dT%H:%M"),
        "format": "2d",
        "price_card": programme["price_card"].pk,
        **values,
    }

    answer = browser.post("/dashboard/shows/show/add/", data)

    assert answer.status_code == 400
    with schema_context("alpha"):
        assert Show.objects.count() == 1


@pytest.mark.parametrize("role", [Role.BOX_OFFICE, Role.SCANNER])
def test_box_office_and_scanners_add_no_shows(alpha, programme, make_user, role):
    browser = dashboard_sign_in(alpha, make_user(alpha, role=role))

    page = browser.get("/dashboard/shows/show/add/")
    posted = browser.post(
        "/dashboard/shows/show/add/",
        {
            "title": programme["film"].pk,
            "auditorium": programme["auditorium"].pk,
            "starts_at": _wednesday_at(11).strftime("%Y-%m-%dT%H:%M"),
            "format": "2d",
            "price_card": programme["price_card"].pk,
        },
    )

    assert page.status_code == 403 and posted.status_code == 403
    with schema_context("alpha"):
        assert Show.objects.count() == 1


def _hold(show, labels):
    by_label = dict(ShowSeat.objects.filter(show=show).values_list("label", "id"))
    holds.hold_create(
        show.pk,
        owner=holds.HoldOwner(user_id=999),
        policy=holds.HoldPolicy(ttl=timedelta(minutes=10), max_seats=10, max_active_holds=10),
        seat_ids=[by_label[label] for label in labels],
    )


def test_the_shows_list_counts_sold_and_held_seats_in_one_query(alpha, priced, manager):
    browser = dashboard_sign_in(alpha, manager)
    browser.get("/dashboard/shows/show/")  # the chain's settings into the cache
    with QueryLog(connection) as few:
        browser.get("/dashboard/shows/show/")
    with schema_context("alpha"):
        _hold(priced["priced_show"], ["B1", "B2"])
        for day in (4, 5, 6):
            ShowFactory(
                schema="alpha",
                title=priced["film"],
                auditorium=priced["auditorium"],
                price_card=priced["price_card"],
                starts_at=next_weekday(day, time(12, 0), "Asia/Kolkata"),
            )
    browser.get("/dashboard/shows/show/")

    with QueryLog(connection) as many:
        page = browser.get("/dashboard/shows/show/")

    counts = {
        show.pk: (show.sold_count, show.held_count) for show in page.context["cl"].result_list
    }
    assert counts[priced["priced_show"].pk] == (1, 2)
    assert counts[priced["show"].pk] == (0, 0)
    assert len(counts) == 5
    assert len(many.statements) == len(few.statements), set(many.statements) ^ set(few.statements)
    text = _text(page)
    assert "IST" in text  # the start in the venue's time


# --- the seat map's picture -------------------------------------------------------------


def test_the_auditorium_page_draws_every_seat_with_its_label(alpha, programme, manager):
    auditorium = programme["auditorium"]
    with schema_context("alpha"):
        labels = sorted(auditorium.seats.filter(is_active=True).values_list("label", flat=True))
        SeatCategory.objects.filter(code="regular").update(name="<script>alert(1)</script>")
    browser = dashboard_sign_in(alpha, manager)

    page = browser.get(f"/dashboard/venues/auditorium/{auditorium.pk}/change/")

    html = page.content.decode()
    assert page.status_code == 200
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="seat-map"')
    svg = html[start : html.index("</svg>", start)]
    drawn = re.findall(r'<g class="seat[^"]*" data-seat="([^"]+)"><title>([^<]+)</title>', svg)
    assert sorted(label for label, _ in drawn) == labels
    assert all(title.startswith(f"{label} (") for label, title in drawn)
    assert 'class="screen"' in svg and 'class="row-label"' in svg
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "A: RRRR.RRRR" in html  # the layout's text beside it


# --- the chain's look ---------------------------------------------------------------------


def test_every_dashboard_page_wears_the_chains_colours_and_logo(alpha, programme, owner):
    type(alpha).objects.filter(pk=alpha.pk).update(primary_colour="#fde047")  # a light yellow
    browser = dashboard_sign_in(alpha, owner)

    pages = [
        Client(HTTP_HOST=host_of(alpha)).get("/dashboard/login/"),
        browser.get("/dashboard/"),
        browser.get("/dashboard/shows/show/"),
        browser.get("/dashboard/sales/showcancellation/"),
        browser.get("/dashboard/activity/"),
        browser.get(f"/dashboard/venues/auditorium/{programme['auditorium'].pk}/change/"),
    ]

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert "--header-bg:#fde047" in html
        # Dark text on the light yellow, and links dark enough to read on white.
        assert "--header-color:#111827" in html
        assert re.search(r"--link-fg:#[0-9a-f]{6}", html)
        assert 'class="brand-logo"' in html
        assert "#changelist .results { overflow-x: auto; }" in html


def test_the_brand_colours_are_readable(alpha):
    from dashboards.branding import dashboard_brand
    from tenants.colours import contrast_ratio

    for colour in ("#fde047", "#1f2937", "#ffffff", "#000000", "#22c55e", "#7c3aed"):
        alpha.primary_colour = colour
        css = dashboard_brand(alpha).css
        link = re.search(r"--link-fg:(#[0-9a-f]{6})", css).group(1)
        header = re.search(r"--header-color:(#[0-9a-f]{6})", css).group(1)
        assert contrast_ratio(link, "#ffffff") >= 4.5, colour
        assert contrast_ratio(header, colour) >= 4.5, colour


def test_a_refund_page_and_the_order_history_show_units(alpha, priced, owner, as_role):
    order = priced["order"]
    refunded = as_role(Role.MANAGER).post(f"/api/v1/orders/{order.pk}/refunds/", {}, format="json")
    assert refunded.status_code == 201, refunded.content
    browser = dashboard_sign_in(alpha, owner)

    pages = {
        "refund": browser.get(f"/dashboard/payments/refund/{refunded.json()['id']}/change/"),
        "refunds": browser.get("/dashboard/payments/refund/"),
        "order": browser.get(f"/dashboard/orders/order/{order.pk}/change/"),
    }

    for name, page in pages.items():
        text = _text(page)
        assert page.status_code == 200, name
        assert "₹760.00" in text, name
        assert "76000" not in text and "76,000" not in text, name


# --- who sees what ------------------------------------------------------------------------

OWNER, MANAGER, BOX, SCANNER = Role.OWNER, Role.MANAGER, Role.BOX_OFFICE, Role.SCANNER
# page → the roles that open it (everyone else signed in gets 403).
PAGES = {
    "/dashboard/activity/": {OWNER},
    "/dashboard/audit/auditentry/": {OWNER},
    "/dashboard/shows/show/": {OWNER, MANAGER},
    "/dashboard/shows/show/add/": {OWNER, MANAGER},
    "/dashboard/shows/pricecard/": {OWNER, MANAGER},
    "/dashboard/venues/auditorium/{auditorium}/change/": {OWNER, MANAGER},
    "/dashboard/sales/showcancellation/": {OWNER, MANAGER},
    "/dashboard/orders/order/": {OWNER, MANAGER, BOX},
    "/dashboard/orders/order/{order}/change/": {OWNER, MANAGER, BOX},
    "/dashboard/payments/payment/": {OWNER, MANAGER, BOX},
    "/dashboard/payments/refund/": {OWNER, MANAGER},
    "/dashboard/payments/ledgerentry/": {OWNER, MANAGER},
    "/dashboard/orders/promocode/": {OWNER, MANAGER},
}


def _pages(priced) -> dict[str, set]:
    ids = {"auditorium": priced["auditorium"].pk, "order": priced["order"].pk}
    return {path.format(**ids): roles for path, roles in PAGES.items()}


@pytest.mark.parametrize("role", [OWNER, MANAGER, BOX, SCANNER])
def test_each_staff_role_opens_its_pages_and_is_refused_the_rest(alpha, priced, make_user, role):
    browser = dashboard_sign_in(alpha, make_user(alpha, role=role))

    wrong = []
    for path, roles in _pages(priced).items():
        page = browser.get(path)
        expected = 200 if role in roles else 403
        if page.status_code != expected:
            wrong.append(f"{path}: {page.status_code} != {expected}")
        if page.status_code == 200 and "76000" in _text(page):
            wrong.append(f"{path}: minor units shown")

    assert wrong == []


def test_customers_and_another_chains_owner_open_none_of_them(alpha, beta, priced, make_user):
    customer = make_user(alpha, role=Role.CUSTOMER)
    as_customer = Client(HTTP_HOST=host_of(alpha))
    refused = as_customer.post(
        "/dashboard/login/", {"username": customer.email, "password": PASSWORD}
    )
    beta_owner = make_user(beta, role=Role.OWNER)
    from_beta = dashboard_sign_in(beta, beta_owner)

    assert refused.status_code == 200  # the form again: customers are not staff
    for path in _pages(priced):
        for browser in (as_customer, from_beta):
            page = browser.get(path, HTTP_HOST=host_of(alpha))
            assert page.status_code == 302, path
            assert "/dashboard/login/" in page["Location"]
