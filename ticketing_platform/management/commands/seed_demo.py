"""Demo data: the platform admin and two chains with one login per role.

Idempotent: running it again leaves existing chains and accounts as they are (and
resets the demo passwords, so the printed logins always work).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tenants.services import Branding, public_tenant_ensure, tenant_onboard, tenant_update
from ticketing_platform.demo_programme import (
    aurora_programme,
    bluebird_programme,
    coming_soon_ensure,
    logo_ensure,
    posters_ensure,
)
from venue_apps.accounts.models import Role
from venue_apps.venues.models import Venue

DEMO_PASSWORD = "ticketing-demo"  # noqa: S105 - published demo login, see README
PLATFORM_ADMIN = "admin@platform.test"


@dataclass(frozen=True)
class DemoChain:
    slug: str
    name: str
    currency: str
    timezone: str
    primary_colour: str
    accent_colour: str
    locale: str
    storefront_style: str


CHAINS = (
    DemoChain(
        "aurora",
        "Aurora Multiplex",
        "INR",
        "Asia/Kolkata",
        "#1e1b4b",
        "#f97316",
        "en-IN",
        Tenant.StorefrontStyle.CINEMA,
    ),
    DemoChain(
        "bluebird",
        "Bluebird Theatres",
        "EUR",
        "Europe/Dublin",
        "#0c4a6e",
        "#facc15",
        "en-IE",
        Tenant.StorefrontStyle.CLASSIC,
    ),
)
PROGRAMMES = {"aurora": aurora_programme, "bluebird": bluebird_programme}
ROLE_LOGINS = (
    (Role.OWNER, "owner"),
    (Role.MANAGER, "manager"),
    (Role.BOX_OFFICE, "boxoffice"),
    (Role.SCANNER, "scanner"),
    (Role.CUSTOMER, "customer"),
)


def _ensure_user(email: str, role: Role, name: str) -> None:
    user_model = get_user_model()
    user = user_model.objects.filter(email=email).first()
    if user is None:
        user_model.objects.create_user(email, DEMO_PASSWORD, role=role, name=name)
        return
    user.set_password(DEMO_PASSWORD)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])


# What each demo chain adds to ticket prices, and a promo code to try.
SALES = {
    "aurora": {
        "fee": 3000,  # a convenience fee of 30 rupees a ticket
        "taxes": [("GST", 1800, "tickets", True), ("GST on convenience fee", 1800, "fees", False)],
    },
    "bluebird": {
        "fee": 100,  # one euro a ticket
        "taxes": [("VAT", 900, "all", True)],
    },
}


def demo_chain_ensure(chain: DemoChain) -> Tenant:
    """The chain, onboarded if it is not there yet. A chain seeded before locales or
    storefront styles existed (still at the default) gets the demo's; a value a person
    changed stays."""
    if not Tenant.objects.filter(slug=chain.slug).exists():
        tenant_onboard(
            name=chain.name,
            slug=chain.slug,
            owner_email=f"owner@{chain.slug}.test",
            owner_password=DEMO_PASSWORD,
            owner_name=f"{chain.name} owner",
            currency=chain.currency,
            timezone=chain.timezone,
            locale=chain.locale,
            branding=Branding(
                display_name=chain.name,
                primary_colour=chain.primary_colour,
                accent_colour=chain.accent_colour,
                storefront_style=chain.storefront_style,
            ),
        )
    tenant = Tenant.objects.get(slug=chain.slug)
    defaults = {
        name: value
        for name, value in (("locale", chain.locale), ("storefront_style", chain.storefront_style))
        if getattr(tenant, name) == Tenant._meta.get_field(name).get_default()
    }
    if defaults:
        tenant = tenant_update(tenant, **defaults)
    return tenant


def _sales_settings(slug: str) -> None:
    """Test mode with the sandbox (this machine reaches no gateway), the chain's fee and
    taxes, the default cancellation policy and a welcome code. Leaves edits alone."""
    from venue_apps.orders.models import CheckoutSettings, PromoCode, TaxRate
    from venue_apps.orders.services import cancellation_policy
    from venue_apps.payments.models import PaymentSettings

    PaymentSettings.current()
    cancellation_policy()
    settings_row, created = CheckoutSettings.objects.get_or_create(pk=1)
    if created:
        settings_row.booking_fee_per_ticket = SALES[slug]["fee"]
        settings_row.save()
    if not TaxRate.objects.exists():
        for name, points, applies_to, inclusive in SALES[slug]["taxes"]:
            TaxRate.objects.create(
                name=name, basis_points=points, applies_to=applies_to, inclusive=inclusive
            )
    PromoCode.objects.get_or_create(
        code="WELCOME10",
        defaults={
            "kind": "percent",
            "value": 1000,
            "description": "10 % off for new customers",
            "max_uses_per_customer": 1,
        },
    )


class Command(BaseCommand):
    help = "Create the demo platform admin and the aurora and bluebird chains."

    def add_arguments(self, parser):
        parser.add_argument(
            "--print-logins", action="store_true", help="Only print the demo logins."
        )

    def handle(self, *args, **options):
        if options["print_logins"]:
            self._print_logins()
            return
        self._seed()
        self.stdout.write("Demo data ready; `manage.py seed_demo --print-logins` lists the logins.")

    def _seed(self) -> None:
        public_tenant_ensure()
        _ensure_user(PLATFORM_ADMIN, Role.PLATFORM_STAFF, "Platform admin")
        for chain in CHAINS:
            onboarded = not Tenant.objects.filter(slug=chain.slug).exists()
            tenant = demo_chain_ensure(chain)
            if onboarded:
                self.stdout.write(f"Onboarded {chain.slug}.")
            if logo_ensure(tenant):
                self.stdout.write(f"{chain.slug}: logo drawn.")
            with schema_context(tenant.schema_name):
                for role, local_part in ROLE_LOGINS:
                    _ensure_user(f"{local_part}@{chain.slug}.test", role, f"Demo {role.label}")
                _sales_settings(chain.slug)
                if not Venue.objects.exists():
                    started = time.perf_counter()
                    shows = PROGRAMMES[chain.slug]()
                    self.stdout.write(
                        f"{chain.slug}: {shows} shows in {time.perf_counter() - started:.1f} s."
                    )
                soon = coming_soon_ensure(chain.slug)
                if soon:
                    self.stdout.write(f"{chain.slug}: a title coming soon, {soon} shows.")
                posters = posters_ensure()
                if posters:
                    self.stdout.write(f"{chain.slug}: {posters} posters drawn.")

    def _print_logins(self) -> None:
        port = os.environ.get("PORT", "8000")
        apex = settings.PLATFORM_DOMAIN
        lines = [
            f"All demo logins use the password: {DEMO_PASSWORD}",
            f"  platform admin   {PLATFORM_ADMIN:<24} console http://{apex}:{port}/console/",
        ]
        for chain in CHAINS:
            host = f"{chain.slug}.{apex}:{port}"
            lines.append(
                f"  {chain.name} ({chain.currency}, {chain.timezone}): "
                f"API http://{host}/api/docs/  dashboard http://{host}/dashboard/"
            )
            for role, local_part in ROLE_LOGINS:
                lines.append(f"    {role.label:<14} {local_part}@{chain.slug}.test")
        self.stdout.write("\n".join(lines))
