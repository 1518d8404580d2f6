"""Demo data: the platform admin and two chains with one login per role; with `--e2e`,
also quickstep, the browser tests' small chain whose holds last 20 seconds.

Idempotent: running it again leaves existing chains and accounts as they are (and
resets the demo passwords, so the printed logins always work).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tenants.services import Branding, public_tenant_ensure, tenant_onboard, tenant_update
from ticketing_platform.demo_billing import demo_billing_ensure, demo_plans_ensure
from ticketing_platform.demo_programme import (
    aurora_programme,
    bluebird_programme,
    coming_soon_ensure,
    logo_ensure,
    posters_ensure,
    quickstep_programme,
    quickstep_shows_ensure,
)
from ticketing_platform.demo_sales import demo_sales_ensure
from venue_apps.accounts.models import Role
from venue_apps.tills.services import till_create
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
# The browser tests' chain (`--e2e`): small, quick to seed, holds that run out in seconds.
E2E_CHAIN = DemoChain(
    "quickstep",
    "Quickstep Cinema",
    "GBP",
    "Europe/London",
    "#0f766e",
    "#e11d48",
    "en-GB",
    Tenant.StorefrontStyle.LIGHT,
)
E2E_HOLD_TTL_SECONDS = 20
PROGRAMMES: dict[str, Callable[[], int]] = {
    "aurora": aurora_programme,
    "bluebird": bluebird_programme,
    "quickstep": quickstep_programme,
}
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


@dataclass(frozen=True)
class DemoTax:
    name: str
    basis_points: int
    applies_to: str  # tickets, fees or all
    inclusive: bool


@dataclass(frozen=True)
class DemoSales:
    """What a demo chain adds to ticket prices: a fee a ticket (minor units) and taxes."""

    fee_per_ticket: int
    taxes: tuple[DemoTax, ...]


SALES = {
    "aurora": DemoSales(
        3000,  # a convenience fee of 30 rupees a ticket
        (
            DemoTax("GST", 1800, "tickets", True),
            DemoTax("GST on convenience fee", 1800, "fees", False),
        ),
    ),
    "bluebird": DemoSales(100, (DemoTax("VAT", 900, "all", True),)),  # one euro a ticket
    "quickstep": DemoSales(100, (DemoTax("VAT", 2000, "all", True),)),  # one pound a ticket
}


def demo_chains(*, e2e: bool = False) -> tuple[DemoChain, ...]:
    """The chains a seed makes: the two demo chains, and quickstep with `--e2e`."""
    return (*CHAINS, E2E_CHAIN) if e2e else CHAINS


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


def _sales_settings(sales: DemoSales) -> None:
    """Test mode with the sandbox (this machine reaches no gateway), the chain's fee and
    taxes, the default cancellation policy and a welcome code. Leaves edits alone."""
    from venue_apps.orders.models import CheckoutSettings, PromoCode, TaxRate
    from venue_apps.orders.services import cancellation_policy
    from venue_apps.payments.models import PaymentSettings

    PaymentSettings.current()
    cancellation_policy()
    settings_row, created = CheckoutSettings.objects.get_or_create(pk=1)
    if created:
        settings_row.booking_fee_per_ticket = sales.fee_per_ticket
        settings_row.save()
    if not TaxRate.objects.exists():
        for tax in sales.taxes:
            TaxRate.objects.create(
                name=tax.name,
                basis_points=tax.basis_points,
                applies_to=tax.applies_to,
                inclusive=tax.inclusive,
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


def e2e_holds_shorten(tenant: Tenant) -> None:
    """Holds of 20 seconds at the browser tests' chain, so a test watches one run out.

    A deliberate exception: real chains get at least a minute (the model's
    MinValueValidator(60)), time for a customer to choose and pay. Quickstep's only
    customers are the browser tests, which must see a hold lapse without waiting
    minutes, so this queryset update skips the validator on purpose, for this test
    chain alone."""
    Tenant.objects.filter(pk=tenant.pk).update(hold_ttl_seconds=E2E_HOLD_TTL_SECONDS)


def tills_ensure() -> int:
    """Two tills at each venue that has none (the box office opens shifts at them)."""
    made = 0
    for venue in Venue.objects.filter(tills__isnull=True).order_by("pk"):
        for name in ("Box office 1", "Box office 2"):
            till_create(venue, name=name, actor=None)
            made += 1
    return made


def demo_chain_seed(chain: DemoChain, *, say: Callable[[str], None] = lambda line: None) -> Tenant:
    """One demo chain, whole: onboarded (or brought up to date), its logo, a login per
    role, sales settings, its programme the first time, then what every seed tops up
    (the title coming soon, posters, quickstep's next two days of shows and short
    holds), and a few paid orders once (not at quickstep). Idempotent; `say` hears what was made."""
    onboarded = not Tenant.objects.filter(slug=chain.slug).exists()
    tenant = demo_chain_ensure(chain)
    if onboarded:
        say(f"Onboarded {chain.slug}.")
    if logo_ensure(tenant):
        say(f"{chain.slug}: logo drawn.")
    with schema_context(tenant.schema_name):
        for role, local_part in ROLE_LOGINS:
            _ensure_user(f"{local_part}@{chain.slug}.test", role, f"Demo {role.label}")
        _sales_settings(SALES[chain.slug])
        if not Venue.objects.exists():
            started = time.perf_counter()
            shows = PROGRAMMES[chain.slug]()
            say(f"{chain.slug}: {shows} shows in {time.perf_counter() - started:.1f} s.")
        elif chain == E2E_CHAIN:
            more = quickstep_shows_ensure()
            if more:
                say(f"{chain.slug}: {more} more shows.")
        soon = coming_soon_ensure(chain.slug)
        if soon:
            say(f"{chain.slug}: a title coming soon, {soon} shows.")
        posters = posters_ensure()
        if posters:
            say(f"{chain.slug}: {posters} posters drawn.")
        # Not at the browser tests' chain, whose few seats the tests book.
        sold = 0 if chain == E2E_CHAIN else demo_sales_ensure(tenant, f"customer@{chain.slug}.test")
        if sold:
            say(f"{chain.slug}: {sold} paid demo orders.")
        tills = tills_ensure()
        if tills:
            say(f"{chain.slug}: {tills} tills.")
    if chain == E2E_CHAIN:
        e2e_holds_shorten(tenant)
        tenant.refresh_from_db()
    return tenant


class Command(BaseCommand):
    help = (
        "Create the demo platform admin and the aurora and bluebird chains "
        "(with --e2e, also the browser tests' chain, quickstep)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--print-logins", action="store_true", help="Only print the demo logins."
        )
        parser.add_argument(
            "--e2e",
            action="store_true",
            help="Also the browser tests' chain, quickstep (holds of 20 seconds).",
        )

    def handle(self, *args, **options):
        if options["print_logins"]:
            self._print_logins()
            return
        public_tenant_ensure()
        _ensure_user(PLATFORM_ADMIN, Role.PLATFORM_STAFF, "Platform admin")
        plans = demo_plans_ensure()
        if plans:
            self.stdout.write(f"{plans} demo plans.")
        for chain in demo_chains(e2e=options["e2e"]):
            tenant = demo_chain_seed(chain, say=self.stdout.write)
            invoices = demo_billing_ensure(tenant)
            if invoices:
                self.stdout.write(f"{chain.slug}: {invoices} invoices of past months.")
        self.stdout.write("Demo data ready; `manage.py seed_demo --print-logins` lists the logins.")

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
