"""Seal every stored secret again under the current FIELD_ENCRYPTION_KEYS key, in every
chain (suspended ones included) and in the public schema (platform staff's
authenticator apps).

Rotation: put the new key first in FIELD_ENCRYPTION_KEYS and keep the old ones after
it, deploy, run this command, then remove the old keys. Running it again re-seals
nothing. `--check` only counts, and fails while anything is left under an old key, so
it says when the old keys may go.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from tenants.crypto import current_key_id
from tenants.models import Tenant
from tenants.sealed_fields import sealed_values_reseal


class Command(BaseCommand):
    help = "Re-seal stored secrets under the current FIELD_ENCRYPTION_KEYS key, in every chain."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; fail when a value is still sealed under an older key.",
        )

    def handle(self, *args, **options):
        write = not options["check"]
        pending = 0
        unopened: list[str] = []
        for schema in Tenant.objects.order_by("schema_name").values_list("schema_name", flat=True):
            with schema_context(schema):
                result = sealed_values_reseal(write=write)
            pending += result.resealed
            unopened += [f"{schema}: {row}" for row in result.unopened]
            verb = "re-sealed" if write else "under an older key"
            self.stdout.write(
                f"{schema}: {result.resealed} {verb}, {result.current} current, "
                f"{len(result.unopened)} not opened"
            )
        self.stdout.write(f"Current key: {current_key_id()}.")
        if unopened:
            raise CommandError(
                "These values did not open with any configured key (sealed under a key "
                "no longer in FIELD_ENCRYPTION_KEYS, or altered); they were left as they "
                "are:\n  " + "\n  ".join(unopened)
            )
        if not write and pending:
            raise CommandError(f"{pending} values are still sealed under an older key.")
