"""The chain's audit log: one append-only table of every change that matters.

Written only by `venue_apps.audit.services.audit_log`, in the transaction of the change
it records. The platform's own actions on chains are in `tenants.PlatformAuditLog`, in
`public`; this table lives in each chain's schema, beside the data it describes.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    """Who did what to which object, when, and the values before and after.

    The actor is kept as they were at the time (id, email, role) rather than as a
    foreign key: the row stays readable after the account is renamed, demoted or removed.
    No actor means the system (an import, a Celery task, a gateway's webhook).
    """

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    # A dotted name, the kind first: `show.cancelled`, `price_card.changed`,
    # `gateway.keys_changed`. Filtering by kind is a prefix match (`show.`).
    action = models.CharField(max_length=64)
    # What was changed: a model label (`shows.show`) or another stable name, its key as
    # text, and a label readable after the object is gone.
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    # Only the fields that changed; secrets appear as `REDACTED`, never as values.
    before = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    request_id = models.CharField(max_length=64, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_newest"),
            models.Index(fields=["actor_id", "-created_at"], name="audit_by_actor"),
            models.Index(
                fields=["target_type", "target_id", "-created_at"], name="audit_by_target"
            ),
            # `action LIKE 'show.%'` uses an index only with the pattern operator class
            # (the database's collation is not C).
            models.Index(
                fields=["action"], name="audit_action_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}".strip()
