"""Onboard a chain from the command line: the same service the platform API calls."""

from __future__ import annotations

import os
import time

from django.core.management.base import BaseCommand, CommandError

from tenants.error_codes import DomainError
from tenants.models import Tenant
from tenants.services import Branding, public_tenant_ensure, tenant_onboard


class Command(BaseCommand):
    help = "Create a tenant: schema, <slug>.<PLATFORM_DOMAIN>, owner account and branding."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--owner-email", required=True)
        parser.add_argument(
            "--owner-password",
            help="Defaults to the OWNER_PASSWORD environment variable (keeps it out of "
            "shell history and process listings).",
        )
        parser.add_argument("--currency", required=True)
        parser.add_argument("--timezone", required=True)
        parser.add_argument(
            "--locale", default=None, help="BCP 47 tag for the storefront (en-IN); default en."
        )
        parser.add_argument("--display-name", default="")
        parser.add_argument("--primary-colour")
        parser.add_argument("--accent-colour")
        parser.add_argument(
            "--storefront-style",
            choices=Tenant.StorefrontStyle.values,
            default=None,
            help="The storefront's look: light (default), cinema (dark) or classic (serif).",
        )

    def handle(self, *args, **options):
        password = options["owner_password"] or os.environ.get("OWNER_PASSWORD")
        if not password:
            raise CommandError("Give --owner-password or set OWNER_PASSWORD.")
        public_tenant_ensure()
        started = time.perf_counter()
        try:
            tenant = tenant_onboard(
                name=options["name"],
                slug=options["slug"],
                owner_email=options["owner_email"],
                owner_password=password,
                currency=options["currency"],
                timezone=options["timezone"],
                locale=options["locale"],
                branding=Branding(
                    display_name=options["display_name"],
                    primary_colour=options["primary_colour"],
                    accent_colour=options["accent_colour"],
                    storefront_style=options["storefront_style"],
                ),
            )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.detail}") from error
        elapsed = time.perf_counter() - started
        domain = tenant.get_primary_domain()
        self.stdout.write(
            self.style.SUCCESS(f"Onboarded {tenant.slug} at {domain} in {elapsed * 1000:.0f} ms")
        )
