"""A chain's settings: real currencies (ISO 4217) and time zones (IANA) at onboarding and
after, changes through `tenant_update` with one audit row and the host cache cleared,
and a currency that stays once the chain has sold in it."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context, schema_exists

from tenants.error_codes import Conflict, DomainError
from tenants.models import Domain, PlatformAuditLog, Tenant
from tenants.selectors import host_cache, tenant_has_sales
from tenants.services import (
    currency_clean,
    tenant_logo_clear,
    tenant_logo_set,
    tenant_onboard,
    tenant_update,
    timezone_clean,
)
from tests.checkout import checkout, seat_ids
from tests.fixtures import PASSWORD

ONBOARD = {
    "name": "Delta Screens",
    "slug": "delta",
    "owner_email": "owner@delta.test",
    "owner_password": PASSWORD,
    "currency": "INR",
    "timezone": "Asia/Kolkata",
}

# What a chain's row holds that tenant_update may change, to prove a refusal left it.
SETTINGS = (
    "name",
    "display_name",
    "currency",
    "timezone",
    "locale",
    "storefront_style",
    "primary_colour",
    "accent_colour",
    "hold_ttl_seconds",
    "hold_max_seats",
    "holds_per_customer",
    "platform_fee_per_ticket",
    "platform_fee_basis_points",
)


def settings_of(tenant: Tenant) -> dict:
    return dict(Tenant.objects.filter(pk=tenant.pk).values(*SETTINGS).get())


@pytest.mark.parametrize(
    "given, code",
    [("INR", "INR"), ("eur", "EUR"), (" gbp ", "GBP"), ("JPY", "JPY"), ("XOF", "XOF")],
)
def test_currency_clean_gives_the_iso_4217_code(given, code):
    assert currency_clean(given) == code


@pytest.mark.parametrize(
    "given",
    [
        "ZZZ",  # three capitals, and no currency
        "ABC",
        "DEM",  # the Deutsche Mark ended with the euro
        "XTS",  # ISO 4217's code for testing
        "XXX",  # "no currency"
        "XAU",  # gold
        "XDR",  # the IMF's unit of account
        "CHW",  # a Swiss funds code, not money people pay with
        "R$",
        "EURO",
        "ÉUR",
        "",
    ],
)
def test_currency_clean_refuses_what_is_not_a_currency_money_is_paid_in(given):
    with pytest.raises(DomainError) as refused:
        currency_clean(given)

    assert refused.value.code == "currency_invalid"


@pytest.mark.parametrize(
    "given, zone",
    [
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("europe/dublin", "Europe/Dublin"),
        (" UTC ", "UTC"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_timezone_clean_gives_the_iana_name(given, zone):
    assert timezone_clean(given) == zone


@pytest.mark.parametrize(
    "given",
    [
        "Mars/Olympus",
        "Asia/Bangalore",
        "localtime",  # whatever zone the server happens to be in
        "Factory",  # "zone not set yet"
        "posixrules",
        "../etc/passwd",
        "Asia/",
        "",
    ],
)
def test_timezone_clean_refuses_what_is_not_an_iana_zone(given):
    with pytest.raises(DomainError) as refused:
        timezone_clean(given)

    assert refused.value.code == "timezone_invalid"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, code",
    [
        ({"currency": "ZZZ"}, "currency_invalid"),
        ({"currency": "XTS"}, "currency_invalid"),
        ({"timezone": "Mars/Olympus"}, "timezone_invalid"),
        ({"timezone": "localtime"}, "timezone_invalid"),
        ({"name": "   "}, "name_invalid"),
    ],
)
def test_onboarding_refuses_an_unreal_currency_or_zone_and_leaves_nothing(change, code):
    tenants_before = Tenant.objects.count()

    with pytest.raises(DomainError) as refused:
        tenant_onboard(**{**ONBOARD, **change})

    assert refused.value.code == code
    assert Tenant.objects.count() == tenants_before
    assert not Domain.objects.filter(domain="delta.localhost").exists()
    assert not schema_exists("delta")


@pytest.mark.django_db
def test_onboarding_stores_the_canonical_currency_and_zone():
    tenant = tenant_onboard(**{**ONBOARD, "currency": "eur", "timezone": "europe/dublin"})

    assert (tenant.currency, tenant.timezone) == ("EUR", "Europe/Dublin")
    assert settings_of(tenant)["timezone"] == "Europe/Dublin"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "currency, timezone, message",
    [("ZZZ", "Asia/Kolkata", "currency_invalid"), ("INR", "Mars/Olympus", "timezone_invalid")],
)
def test_onboard_tenant_command_refuses_an_unreal_currency_or_zone(
    monkeypatch, currency, timezone, message
):
    monkeypatch.setenv("OWNER_PASSWORD", PASSWORD)

    with pytest.raises(CommandError) as refused:
        call_command(
            "onboard_tenant",
            "--name=Delta Screens",
            "--slug=delta",
            "--owner-email=owner@delta.test",
            f"--currency={currency}",
            f"--timezone={timezone}",
            stdout=io.StringIO(),
        )

    assert str(refused.value).startswith(message)
    assert not Tenant.objects.filter(slug="delta").exists()
    assert not schema_exists("delta")


@pytest.mark.django_db
def test_tenant_update_changes_settings_in_one_audit_row_and_clears_the_host_cache(
    alpha, django_capture_on_commit_callbacks
):
    host_cache.put("alpha.localhost", alpha, 60)

    with django_capture_on_commit_callbacks(execute=True):
        updated = tenant_update(
            alpha,
            currency="usd",
            timezone="america/new_york",
            hold_ttl_seconds=900,
            holds_per_customer=3,
            platform_fee_per_ticket=25,
            platform_fee_basis_points=250,
            primary_colour="#112233",
            display_name="Alpha",
        )

    after = settings_of(alpha)
    assert (after["currency"], after["timezone"]) == ("USD", "America/New_York")
    assert (after["hold_ttl_seconds"], after["holds_per_customer"]) == (900, 3)
    assert (after["platform_fee_per_ticket"], after["platform_fee_basis_points"]) == (25, 250)
    assert updated.currency == "USD"
    audit = PlatformAuditLog.objects.get(tenant=alpha, action="tenant_updated")
    assert audit.old_values == {
        "currency": "INR",
        "timezone": "Asia/Kolkata",
        "hold_ttl_seconds": 600,
        "holds_per_customer": 2,
        "platform_fee_per_ticket": 0,
        "platform_fee_basis_points": 100,
        "primary_colour": "#1f2937",
        "display_name": "Alpha Cinemas",
    }
    assert audit.new_values == {
        "currency": "USD",
        "timezone": "America/New_York",
        "hold_ttl_seconds": 900,
        "holds_per_customer": 3,
        "platform_fee_per_ticket": 25,
        "platform_fee_basis_points": 250,
        "primary_colour": "#112233",
        "display_name": "Alpha",
    }
    # Requests in this process resolve the host afresh and see the new settings.
    assert host_cache.get("alpha.localhost") == (False, None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, code",
    [
        ({"currency": "ZZZ"}, "currency_invalid"),
        ({"timezone": "Mars/Olympus"}, "timezone_invalid"),
        ({"hold_ttl_seconds": 10}, "hold_limit_invalid"),
        ({"hold_max_seats": 0}, "hold_limit_invalid"),
        ({"holds_per_customer": 21}, "hold_limit_invalid"),
        ({"hold_ttl_seconds": True}, "hold_limit_invalid"),
        ({"platform_fee_per_ticket": -1}, "platform_fee_invalid"),
        ({"platform_fee_basis_points": 2_001}, "platform_fee_invalid"),
        ({"primary_colour": "red"}, "colour_invalid"),
        ({"name": ""}, "name_invalid"),
        ({"display_name": "x" * 121}, "name_invalid"),
    ],
)
def test_tenant_update_refuses_a_bad_value_and_changes_nothing(alpha, change, code):
    before = settings_of(alpha)
    host_cache.put("alpha.localhost", alpha, 60)

    with pytest.raises(DomainError) as refused:
        # A good value beside the bad one is not written either.
        tenant_update(alpha, locale="hi-IN", **change)

    assert refused.value.code == code
    assert settings_of(alpha) == before
    assert not PlatformAuditLog.objects.filter(tenant=alpha, action="tenant_updated").exists()
    assert host_cache.get("alpha.localhost") == (True, alpha)


@pytest.fixture
def alpha_has_sold(alpha, programme, customer) -> None:
    """One order (waiting for payment) at alpha, in its rupees."""
    _, client = customer
    show = programme["show"]
    checkout(client, show, seat_ids(alpha.schema_name, show, ["A1"]))


@pytest.mark.django_db
def test_a_chain_with_an_order_has_sales(alpha, beta, alpha_has_sold):
    assert tenant_has_sales(alpha)
    assert not tenant_has_sales(beta)


@pytest.mark.django_db
def test_tenant_update_refuses_a_new_currency_once_the_chain_has_sold(alpha, alpha_has_sold):
    before = settings_of(alpha)

    with pytest.raises(Conflict) as refused:
        tenant_update(alpha, currency="EUR", timezone="Europe/Dublin")

    assert (refused.value.code, refused.value.status_code) == ("currency_locked", 409)
    assert "INR" in refused.value.detail
    assert settings_of(alpha) == before
    assert not PlatformAuditLog.objects.filter(tenant=alpha, action="tenant_updated").exists()
    with schema_context(alpha.schema_name):
        from venue_apps.orders.models import Order

        assert list(Order.objects.values_list("currency", flat=True)) == ["INR"]


@pytest.mark.django_db
def test_a_chain_that_has_sold_keeps_changing_everything_but_its_currency(alpha, alpha_has_sold):
    tenant_update(alpha, currency="inr", timezone="Asia/Colombo", hold_max_seats=6)

    after = settings_of(alpha)
    assert (after["currency"], after["timezone"], after["hold_max_seats"]) == (
        "INR",
        "Asia/Colombo",
        6,
    )
    audit = PlatformAuditLog.objects.get(tenant=alpha, action="tenant_updated")
    assert audit.new_values == {"timezone": "Asia/Colombo", "hold_max_seats": 6}


@pytest.mark.django_db
def test_tenant_logo_clear_takes_the_logo_off_and_audits_it(alpha, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tenant_logo_set(alpha, image=b"\x89PNG", filename="logo.png")

    tenant_logo_clear(alpha)
    tenant_logo_clear(alpha)  # nothing left to clear: no second row

    assert not Tenant.objects.get(pk=alpha.pk).logo
    audits = PlatformAuditLog.objects.filter(tenant=alpha, action="tenant_updated").order_by("id")
    assert [(audit.old_values, audit.new_values) for audit in audits][1:] == [
        ({"logo": "tenants/alpha/branding/logo.png"}, {"logo": ""})
    ]
