"""Onboarding and lifecycle services, including races on real concurrent connections."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django_tenants.utils import schema_context, schema_exists

from tenants.billing.models import Subscription
from tenants.error_codes import Conflict, DomainError
from tenants.models import Domain, PlatformAuditLog, Tenant
from tenants.services import (
    Branding,
    domain_add,
    locale_clean,
    storefront_style_clean,
    template_schema_ensure,
    tenant_logo_set,
    tenant_onboard,
    tenant_set_status,
    tenant_update,
)
from tests.fixtures import PASSWORD, SESSION_TENANTS
from venue_apps.accounts.models import Role, User

ONBOARD = {
    "name": "Delta Screens",
    "slug": "delta",
    "owner_email": "owner@delta.test",
    "owner_password": PASSWORD,
    "currency": "INR",
    "timezone": "Asia/Kolkata",
}


@pytest.mark.django_db
def test_onboard_builds_schema_domain_owner_and_audit_row():
    tenant = tenant_onboard(**ONBOARD)

    assert tenant.schema_name == "delta"
    assert schema_exists("delta")
    assert Domain.objects.get(tenant=tenant).domain == "delta.localhost"
    with schema_context("delta"):
        owner = User.objects.get()
        assert (owner.email, owner.role, owner.is_staff) == ("owner@delta.test", Role.OWNER, True)
        assert owner.has_perm("accounts.change_user")
        # The clone carries the template's migration history, so later migrations apply.
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'accounts'")
            assert cursor.fetchone()[0] >= 1
    assert PlatformAuditLog.objects.get(tenant=tenant).action == "tenant_onboarded"


@pytest.mark.django_db
def test_dashed_slug_gets_an_underscored_schema():
    tenant = tenant_onboard(**{**ONBOARD, "slug": "delta-north"})

    assert tenant.schema_name == "delta_north"
    assert Domain.objects.get(tenant=tenant).domain == "delta-north.localhost"


@pytest.mark.django_db
def test_failure_after_the_schema_was_cloned_leaves_nothing_behind():
    with (
        mock.patch("tenants.services.platform_audit", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        tenant_onboard(**ONBOARD)

    connection.set_schema_to_public()
    assert not Tenant.objects.filter(slug="delta").exists()
    assert not Domain.objects.filter(domain="delta.localhost").exists()
    assert not schema_exists("delta")


@pytest.mark.django_db
def test_template_schema_is_built_once_and_reused():
    first = template_schema_ensure(force_check=True)
    second = template_schema_ensure(force_check=True)

    assert first == second == "tenant_template"
    assert schema_exists("tenant_template")
    # The template holds structure only: no tenant's data.
    with schema_context("tenant_template"):
        assert User.objects.count() == 0


@pytest.mark.django_db
def test_suspend_and_resume_write_audit_rows():
    tenant = tenant_onboard(**ONBOARD)

    tenant_set_status(tenant, status="suspended", reason="Chargebacks")
    tenant_set_status(tenant, status="suspended", reason="again")  # no change, no row
    tenant_set_status(tenant, status="active")

    rows = list(PlatformAuditLog.objects.filter(tenant=tenant).order_by("id"))
    assert [row.action for row in rows] == [
        "tenant_onboarded",
        "tenant_suspended",
        "tenant_resumed",
    ]
    assert rows[1].new_values == {"status": "suspended", "reason": "Chargebacks"}
    assert rows[2].old_values == {"status": "suspended", "reason": "Chargebacks"}


@pytest.mark.django_db
def test_the_platform_cannot_be_suspended():
    with pytest.raises(DomainError) as error:
        tenant_set_status(Tenant.objects.get(schema_name="public"), status="suspended")
    assert error.value.code == "status_invalid"


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["localhost", "no spaces.com", "-bad.com", "x"])
def test_bad_custom_domains_are_refused(bad):
    tenant = Tenant.objects.get(slug="alpha")
    with pytest.raises(DomainError):
        domain_add(tenant, domain=bad)
    assert not Domain.objects.filter(domain=bad, tenant=tenant).exists()


@pytest.fixture
def cleanup_tenants(django_db_setup, django_db_blocker):
    slugs: list[str] = []
    with django_db_blocker.unblock():
        yield slugs
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(slug__in=slugs):
            PlatformAuditLog.objects.filter(tenant=tenant).delete()
            Subscription.objects.filter(tenant=tenant).delete()  # its plan (billing)
            tenant.delete(force_drop=True)


def test_concurrent_onboarding_of_one_slug_creates_one_tenant(cleanup_tenants):
    cleanup_tenants.append("racer")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def onboard(index: int) -> None:
        try:
            barrier.wait()
            tenant_onboard(**{**ONBOARD, "slug": "racer", "owner_email": f"o{index}@racer.test"})
            outcomes.append("created")
        except Conflict as error:
            outcomes.append(error.code)
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=onboard, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["created", "slug_taken", "slug_taken", "slug_taken"]
    assert Tenant.objects.filter(slug="racer").count() == 1
    with schema_context("racer"):
        assert User.objects.count() == 1


def test_migrate_platform_brings_every_schema_and_the_template_up_to_date(
    django_db_setup, django_db_blocker
):
    with django_db_blocker.unblock():
        call_command("migrate_platform", verbosity=0)

        for schema in ("public", "tenant_template", *SESSION_TENANTS):
            with schema_context(schema):
                executor = MigrationExecutor(connection)
                plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
                assert plan == [], schema
        assert Domain.objects.filter(domain="localhost", tenant__schema_name="public").exists()


@pytest.mark.parametrize(
    "given, canonical",
    [
        ("en", "en"),
        ("en-IN", "en-IN"),
        ("EN-in", "en-IN"),
        ("hi_IN", "hi-IN"),
        ("sr-latn-rs", "sr-Latn-RS"),
        ("es-419", "es-419"),
        ("fil", "fil"),
    ],
)
def test_locale_clean_gives_the_canonical_tag(given, canonical):
    assert locale_clean(given) == canonical


@pytest.mark.parametrize(
    "given", ["", "e", "english", "en-", "en-INDIA", "12-IN", "en IN", "en-IN-x-priv", "<b>"]
)
def test_locale_clean_refuses_what_is_not_a_language_tag(given):
    with pytest.raises(DomainError) as refused:
        locale_clean(given)

    assert refused.value.code == "locale_invalid"


@pytest.mark.django_db
def test_onboarding_stores_the_locale():
    tenant = tenant_onboard(**ONBOARD, locale="en-in")

    assert Tenant.objects.get(pk=tenant.pk).locale == "en-IN"
    assert PlatformAuditLog.objects.get(tenant=tenant).new_values["locale"] == "en-IN"


@pytest.mark.django_db
def test_onboarding_with_a_bad_locale_leaves_nothing():
    with pytest.raises(DomainError):
        tenant_onboard(**ONBOARD, locale="nope-nope")

    assert not Tenant.objects.filter(slug="delta").exists()
    assert not schema_exists("delta")


@pytest.mark.django_db
def test_tenant_update_without_a_change_writes_nothing():
    alpha = Tenant.objects.get(slug="alpha")

    tenant_update(alpha, locale="en")

    assert not PlatformAuditLog.objects.filter(tenant=alpha, action="tenant_updated").exists()


@pytest.mark.django_db
def test_onboard_tenant_command_takes_a_locale(monkeypatch):
    monkeypatch.setenv("OWNER_PASSWORD", PASSWORD)

    call_command(
        "onboard_tenant",
        "--name=Delta Screens",
        "--slug=delta",
        "--owner-email=owner@delta.test",
        "--currency=INR",
        "--timezone=Asia/Kolkata",
        "--locale=hi-IN",
        stdout=__import__("io").StringIO(),
    )

    assert Tenant.objects.get(slug="delta").locale == "hi-IN"


@pytest.mark.parametrize(
    "background, text",
    [
        ("#000000", "#ffffff"),
        ("#ffffff", "#111827"),
        ("#1e1b4b", "#ffffff"),  # Aurora's indigo
        ("#f97316", "#111827"),  # Aurora's orange: dark text reads better
        ("#0c4a6e", "#ffffff"),  # Bluebird's blue
        ("#facc15", "#111827"),  # Bluebird's yellow
        ("#1f2937", "#ffffff"),  # the default primary
        ("#f59e0b", "#111827"),  # the default accent
        ("#777777", "#ffffff"),  # 4.48 against white, 3.8 against #111827
        ("#9ca3af", "#111827"),
        ("#6B7280", "#ffffff"),  # upper-case digits
    ],
)
def test_readable_text_on_a_brand_colour(background, text):
    from tenants.colours import readable_text_on

    assert readable_text_on(background) == text


@pytest.mark.parametrize(
    "first, second, ratio",
    [("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#777777", "#ffffff", 4.48)],
)
def test_contrast_ratio_follows_wcag(first, second, ratio):
    from tenants.colours import contrast_ratio

    assert round(contrast_ratio(first, second), 2) == ratio
    assert contrast_ratio(second, first) == contrast_ratio(first, second)


@pytest.mark.parametrize("colour", ["", "red", "#12345", "#1234567", "#gggggg", None])
def test_a_colour_that_is_not_hex_is_refused(colour):
    from tenants.colours import relative_luminance

    with pytest.raises(ValueError):
        relative_luminance(colour)


@pytest.mark.parametrize(
    "given, cleaned", [("light", "light"), ("cinema", "cinema"), (" Classic ", "classic")]
)
def test_storefront_style_clean_gives_a_known_style(given, cleaned):
    assert storefront_style_clean(given) == cleaned


@pytest.mark.parametrize("given", ["", "dark", "cinema!", "<b>"])
def test_storefront_style_clean_refuses_an_unknown_style(given):
    with pytest.raises(DomainError) as refused:
        storefront_style_clean(given)

    assert refused.value.code == "storefront_style_invalid"


@pytest.mark.django_db
def test_onboarding_stores_the_storefront_style():
    tenant = tenant_onboard(**ONBOARD, branding=Branding(storefront_style="cinema"))

    assert Tenant.objects.get(pk=tenant.pk).storefront_style == "cinema"
    audit = PlatformAuditLog.objects.get(tenant=tenant)
    assert audit.new_values["storefront_style"] == "cinema"


@pytest.mark.django_db
def test_onboarding_without_a_storefront_style_is_light():
    tenant = tenant_onboard(**ONBOARD)

    assert Tenant.objects.get(pk=tenant.pk).storefront_style == "light"


@pytest.mark.django_db
def test_onboarding_with_an_unknown_storefront_style_leaves_nothing():
    with pytest.raises(DomainError) as refused:
        tenant_onboard(**ONBOARD, branding=Branding(storefront_style="neon"))

    assert refused.value.code == "storefront_style_invalid"
    assert not Tenant.objects.filter(slug="delta").exists()
    assert not schema_exists("delta")


@pytest.mark.django_db
def test_tenant_update_changes_the_storefront_style_and_audits_it():
    alpha = Tenant.objects.get(slug="alpha")

    tenant_update(alpha, storefront_style="classic")

    assert Tenant.objects.get(pk=alpha.pk).storefront_style == "classic"
    audit = PlatformAuditLog.objects.get(tenant=alpha, action="tenant_updated")
    assert (audit.old_values, audit.new_values) == (
        {"storefront_style": "light"},
        {"storefront_style": "classic"},
    )


@pytest.mark.django_db
def test_tenant_update_with_a_bad_style_changes_nothing_the_call_gave():
    alpha = Tenant.objects.get(slug="alpha")

    with pytest.raises(DomainError) as refused:
        tenant_update(alpha, locale="hi-IN", storefront_style="neon")

    assert refused.value.code == "storefront_style_invalid"
    alpha.refresh_from_db()
    assert (alpha.locale, alpha.storefront_style) == ("en", "light")
    assert not PlatformAuditLog.objects.filter(tenant=alpha, action="tenant_updated").exists()


@pytest.mark.django_db
def test_onboard_tenant_command_takes_a_storefront_style(monkeypatch):
    monkeypatch.setenv("OWNER_PASSWORD", PASSWORD)

    call_command(
        "onboard_tenant",
        "--name=Delta Screens",
        "--slug=delta",
        "--owner-email=owner@delta.test",
        "--currency=INR",
        "--timezone=Asia/Kolkata",
        "--storefront-style=cinema",
        stdout=__import__("io").StringIO(),
    )

    assert Tenant.objects.get(slug="delta").storefront_style == "cinema"


@pytest.mark.django_db
def test_tenant_logo_set_stores_the_file_under_the_chains_branding_and_audits_it(
    settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    alpha = Tenant.objects.get(slug="alpha")

    tenant_logo_set(alpha, image=b"\x89PNG not really", filename="logo.png")
    replaced = tenant_logo_set(alpha, image=b"\x89PNG again", filename="logo.png")

    stored = Tenant.objects.get(pk=alpha.pk).logo.name
    assert stored == replaced.logo.name
    assert stored.startswith("tenants/alpha/branding/logo_")  # a new name, never overwritten
    assert (tmp_path / stored).read_bytes() == b"\x89PNG again"
    audits = PlatformAuditLog.objects.filter(tenant=alpha, action="tenant_updated")
    assert [(audit.old_values, audit.new_values) for audit in audits.order_by("id")] == [
        ({"logo": ""}, {"logo": "tenants/alpha/branding/logo.png"}),
        ({"logo": "tenants/alpha/branding/logo.png"}, {"logo": stored}),
    ]
