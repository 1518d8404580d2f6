"""The platform console's chain page: settings are saved through the services (checked,
audited, the host cache cleared), never by a plain save of the row."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context
from PIL import Image

from tenants.models import PlatformAuditLog, Tenant
from tenants.selectors import host_cache
from tests.checkout import checkout, seat_ids
from tests.fixtures import PLATFORM_STAFF_EMAIL
from venue_apps.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def console() -> Client:
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    with schema_context("public"):
        client.force_login(User.objects.get(email=PLATFORM_STAFF_EMAIL))
    return client


def page_of(tenant: Tenant) -> str:
    return f"/console/tenants/tenant/{tenant.pk}/change/"


def form_of(console: Client, tenant: Tenant) -> dict:
    """What the change page would post back untouched: every field as it is shown."""
    page = console.get(page_of(tenant))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name != "logo" and value is not None:
            data[name] = value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management.initial.get(name, 0)
        for index, domain_form in enumerate(formset.forms):
            data[f"{formset.prefix}-{index}-id"] = domain_form.instance.pk
            data[f"{formset.prefix}-{index}-tenant"] = tenant.pk
    return data


def row(tenant: Tenant) -> dict:
    return dict(
        Tenant.objects.filter(pk=tenant.pk)
        .values("currency", "timezone", "hold_ttl_seconds", "platform_fee_basis_points", "logo")
        .get()
    )


def test_console_saves_settings_through_the_service_with_an_audit_row(
    console, alpha, django_capture_on_commit_callbacks
):
    host_cache.put("alpha.localhost", alpha, 60)
    data = form_of(console, alpha)

    with django_capture_on_commit_callbacks(execute=True):
        saved = console.post(
            page_of(alpha),
            {
                **data,
                "currency": "usd",
                "timezone": "america/new_york",
                "hold_ttl_seconds": 900,
                # Read-only in the console (from the plan): a posted value is ignored.
                "platform_fee_basis_points": 250,
            },
        )

    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert row(alpha) == {
        "currency": "USD",
        "timezone": "America/New_York",
        "hold_ttl_seconds": 900,
        "platform_fee_basis_points": 100,
        "logo": "",
    }
    audit = PlatformAuditLog.objects.get(tenant=alpha, action="tenant_updated")
    assert audit.actor_email == PLATFORM_STAFF_EMAIL
    assert audit.old_values == {
        "currency": "INR",
        "timezone": "Asia/Kolkata",
        "hold_ttl_seconds": 600,
    }
    assert audit.new_values == {
        "currency": "USD",
        "timezone": "America/New_York",
        "hold_ttl_seconds": 900,
    }
    # The console's request committed, so its host-cache clear ran.
    assert host_cache.get("alpha.localhost") == (False, None)


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "not an IANA time zone"),
        ({"timezone": "localtime"}, "timezone", "not an IANA time zone"),
        ({"currency": "ZZZ"}, "currency", "not an ISO 4217 currency"),
        ({"currency": "XTS"}, "currency", "not an ISO 4217 currency"),
        ({"hold_ttl_seconds": 5}, "hold_ttl_seconds", "greater than or equal to 60"),
        ({"primary_colour": "red"}, "primary_colour", "#1a2b3c"),
    ],
)
def test_console_refuses_a_bad_setting_on_its_field_and_changes_nothing(
    console, alpha, change, field, words
):
    before = row(alpha)
    data = form_of(console, alpha)

    page = console.post(page_of(alpha), {**data, **change, "name": "Renamed"})

    assert page.status_code == 200  # the form again, with the reason
    errors = page.context["adminform"].form.errors
    assert words in " ".join(errors[field]), errors
    assert row(alpha) == before
    assert Tenant.objects.get(pk=alpha.pk).name == "Alpha Cinemas"
    assert (
        not PlatformAuditLog.objects.filter(tenant=alpha)
        .exclude(action="tenant_onboarded")
        .exists()
    )


def test_console_refuses_a_new_currency_once_the_chain_has_sold(
    console, alpha, programme, customer
):
    _, client = customer
    show = programme["show"]
    checkout(client, show, seat_ids(alpha.schema_name, show, ["A1"]))
    before = row(alpha)
    data = form_of(console, alpha)

    page = console.post(page_of(alpha), {**data, "currency": "EUR", "hold_ttl_seconds": 900})

    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert errors["currency"] == [
        "Alpha Cinemas has orders or payments in INR, so its currency can no longer change."
    ]
    assert row(alpha) == before
    assert not PlatformAuditLog.objects.filter(tenant=alpha, action="tenant_updated").exists()


def test_console_reports_a_refusal_that_came_after_its_checks_and_saves_nothing(
    console, alpha, monkeypatch
):
    # The chain's first order lands between the form's check and the save.
    from tenants import services

    monkeypatch.setattr(services, "tenant_has_sales", lambda tenant: True)
    monkeypatch.setattr("tenants.admin.selectors.tenant_has_sales", lambda tenant: False)
    before = row(alpha)
    data = form_of(console, alpha)

    page = console.post(
        page_of(alpha), {**data, "currency": "EUR", "hold_ttl_seconds": 900}, follow=True
    )

    assert page.status_code == 200
    shown = [str(message) for message in page.context["messages"]]
    assert shown == [
        "Nothing was changed: Alpha Cinemas has orders or payments in INR, so its currency "
        "can no longer change."
    ]
    assert row(alpha) == before
    assert not PlatformAuditLog.objects.filter(tenant=alpha, action="tenant_updated").exists()


def test_console_uploads_and_clears_the_logo_through_the_service(
    console, alpha, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "#112233").save(png, format="PNG")
    png.seek(0)
    png.name = "logo.png"

    uploaded = console.post(page_of(alpha), {**form_of(console, alpha), "logo": png})
    cleared = console.post(page_of(alpha), {**form_of(console, alpha), "logo-clear": "on"})

    assert (uploaded.status_code, cleared.status_code) == (302, 302)
    assert row(alpha)["logo"] == ""
    audits = PlatformAuditLog.objects.filter(tenant=alpha, action="tenant_updated").order_by("id")
    assert [(audit.old_values, audit.new_values) for audit in audits] == [
        ({"logo": ""}, {"logo": "tenants/alpha/branding/logo.png"}),
        ({"logo": "tenants/alpha/branding/logo.png"}, {"logo": ""}),
    ]
