"""Migrate everything a deployment needs, in order, in one command.

1. the public schema (`migrate_schemas --shared`);
2. the platform's own tenant row and apex domain (`PLATFORM_DOMAIN`);
3. the template schema new tenants are cloned from, so onboarding right after a
   deployment clones current tables;
4. every tenant schema (`migrate_schemas --tenant`, in parallel with
   `--executor=multiprocessing` when there are many).
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.services import public_tenant_ensure, template_schema_ensure


class Command(BaseCommand):
    help = "Migrate public, the tenant template and every tenant schema; ensure the apex domain."

    def add_arguments(self, parser):
        parser.add_argument(
            "--executor",
            default="standard",
            choices=["standard", "multiprocessing"],
            help="django-tenants executor for the tenant schemas.",
        )

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        public_tenant_ensure()
        template = template_schema_ensure(force_check=True)
        self.stdout.write(f"Template schema {template} is current.")
        call_command(
            "migrate_schemas",
            tenant=True,
            executor=options["executor"],
            interactive=False,
            verbosity=verbosity,
        )
