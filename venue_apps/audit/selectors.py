"""Reads of the chain's audit log, for the owners' activity log and the dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q, QuerySet

from venue_apps.audit.models import AuditEntry
from venue_apps.audit.services import AuditTarget, audit_target

# How an account is named as a target (`audit_target` of a chain's User).
USER_TARGET = "accounts.user"


def _of_kind(kind: str) -> Q:
    kind = kind.rstrip(".")
    return Q(action=kind) | Q(action__startswith=f"{kind}.")


def audit_entries(
    *,
    actor_id: int | None = None,
    person_id: int | None = None,
    kind: str | None = None,
    kinds: Iterable[str] | None = None,
    changing: Iterable[str] = (),
    target: object | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Entries, newest first, filtered by who (`actor_id`), whom they concern
    (`person_id`: done by that account, or to it, as a failed sign-in is), kind (an
    action or its prefix: `show` matches `show.created` and `show.cancelled`), kinds
    (any of several, or any entry that changed one of the fields `changing`, as a
    show's `prices` in a `show.changed`: they are in its `before`), target (a model
    instance or an `AuditTarget`) and time (`since` inclusive, `until` exclusive)."""
    entries = AuditEntry.objects.all()
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if person_id is not None:
        entries = entries.filter(
            Q(actor_id=person_id) | Q(target_type=USER_TARGET, target_id=str(person_id))
        )
    if kind:
        entries = entries.filter(_of_kind(kind))
    if kinds is not None:
        wanted = Q(pk__in=[])
        for each in kinds:
            wanted |= _of_kind(each)
        for field in changing:
            wanted |= Q(before__has_key=field)
        entries = entries.filter(wanted)
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
