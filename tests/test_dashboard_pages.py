"""The chain dashboard's pages a new user stumbled on: shows added from the dashboard
(through `show_create`) and listed with their sold and held seats, money in the
currency's units on every page (typed in units too), the auditorium's seat map drawn,
and the chain's colours and logo. Each with real sign-ins, role by role."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django_tenants.utils import schema_context

from tests.factories import PaidOrderFactory, ShowFactory
from tests.fixtures import dashboard_sign_in
from tests.programme import next_weekday
from venue_apps.accounts.models import Role
from venue_apps.orders.models import CheckoutSettings, PromoCode
from venue_apps.payments.models import LedgerEntry, Payment
from venue_apps.shows.models import PriceRule
from venue_apps.shows.services import RuleSpec, price_card_update

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
