"""Reads of the chain's audit log, for the owners' activity log and the dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet

from venue_apps.audit.models import AuditEntry
from venue_apps.audit.services import AuditTarget, audit_target


def audit_entries(
    *,
    actor_id: int | None = None,
    kind: str | None = None,
    target: object | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Entries, newest first, filtered by who (`actor_id`), kind (an action or its
    prefix: `show` matches `show.created` and `show.cancelled`), target (a model
    instance or an `AuditTarget`) and time (`since` inclusive, `until` exclusive)."""
    entries = AuditEntry.objects.all()
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if kind:
        kind = kind.rstrip(".")
        entries = entries.filter(Q(action=kind) | Q(action__startswith=f"{kind}."))
    if target is not None:
        where = target if isinstance(target, AuditTarget) else audit_target(target)  # type: ignore[arg-type]
        entries = entries.filter(target_type=where.type, target_id=where.id)
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    if until is not None:
        entries = entries.filter(created_at__lt=until)
    return entries.order_by("-created_at", "-id")


def audit_history(targets: Iterable[object]) -> QuerySet[AuditEntry]:
    """Entries about any of `targets` (model instances or `AuditTarget`s), oldest
    first: an object's history together with its parts' (an order with its refunds
    and tickets, as the order page shows it)."""
    wanted = Q(pk__in=[])
    for target in targets:
        where = target if isinstance(target, AuditTarget) else audit_target(target)  # type: ignore[arg-type]
        wanted |= Q(target_type=where.type, target_id=where.id)
    return AuditEntry.objects.filter(wanted).order_by("created_at", "id")
