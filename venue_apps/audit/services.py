"""`audit_log`: the one call that records a change in the chain's audit log.

Every service that changes money, prices, the programme, staff, keys or settings calls
it once, inside its own transaction, so the row commits or rolls back with the change
(as pretix's `log_action` and Zulip's `RealmAuditLog` rows do):

    before = audit_snapshot(card, PRICE_CARD_FIELDS)
    ...change the card...
    audit_log(actor, "price_card.changed", card, before, audit_snapshot(card, ...))

Given both `before` and `after`, only the fields that differ are kept. Values are
stored as JSON (model instances by their key, files by their name). Secrets never
reach the table: a field named like one (`password`, `secret_key`, `webhook_secret`,
`token`, `..._sealed`, ...) or listed in `redact=` is stored as `REDACTED`, so the log
still says that it changed but never what it was.

This app is the bottom layer: every domain app may import it; it imports none of
theirs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile

from tenants.request_ids import current_request_id
from tenants.schemas import in_public_schema
from venue_apps.audit.models import AuditEntry

REDACTED = "[redacted]"
# Field names whose values are secrets wherever they appear (at any depth).
_SECRET_NAME = re.compile(
    r"(^|_)(password|secret|secret_key|webhook_secret|client_secret|token|private_key|"
    r"otp_key|key_sealed|sealed)$"
)
# `show.cancelled`, `price_card.changed`, `gateway.keys_changed`: kind first.
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class AuditTarget:
    """What a change was made to, when it is not one model instance (for example a
    gateway's live keys: `AuditTarget("payments.gateway", "stripe:live", "Stripe live")`)."""

    type: str
    id: str = ""
    label: str = ""


def audit_target(target: models.Model | AuditTarget | None) -> AuditTarget:
    """The stored form of a target: a model instance becomes its label, key and name."""
    if target is None:
        return AuditTarget("")
    if isinstance(target, AuditTarget):
        return target
    return AuditTarget(
        type=target._meta.label_lower,
        id="" if target.pk is None else str(target.pk),
        label=str(target)[:200],
    )


def _plain(value: Any) -> Any:
    """A value as JSON can hold it: instances by key, files by name, sets sorted."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((_plain(item) for item in value), key=repr)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def audit_snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of an instance as JSON-ready values (foreign keys by their id),
    to pass as `before` or `after`."""
    snapshot = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            snapshot[name] = getattr(instance, field.attname)
        else:
            snapshot[name] = _plain(getattr(instance, name))
    return snapshot


def audit_diff(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose values differ, from each side. A field on one side only
    is shown as None on the other."""
    old, new = _plain(before), _plain(after)
    changed = [key for key in {**old, **new} if old.get(key) != new.get(key)]
    return {key: old.get(key) for key in changed}, {key: new.get(key) for key in changed}


def _redacted(value: Any, names: Collection[str]) -> Any:
    if isinstance(value, dict):
        return {
            key: REDACTED
            if (key in names or _SECRET_NAME.search(key)) and item not in (None, "")
            else _redacted(item, names)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redacted(item, names) for item in value]
    return value


def _stored(value: Any, names: Collection[str]) -> Any:
    # Through JSON now, so the row returned holds what a later read of it will.
    return json.loads(json.dumps(_redacted(_plain(value), names), cls=DjangoJSONEncoder))


def audit_log(
    actor: Any,
    action: str,
    target: models.Model | AuditTarget | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    *,
    redact: Collection[str] = (),
    address: str | None = None,
    **details: Any,
) -> AuditEntry | None:
    """Record one change in the chain's audit log, in the caller's transaction.

    `actor` is the user who made the change (kept as their id, email and role at the
    time), or None for the system. `action` is a dotted name, kind first
    (`show.cancelled`); `target` a model instance or an `AuditTarget`. With both
    `before` and `after`, only the fields that changed are stored, and when none did
    (and there are no details) nothing is written and None returned. `redact` names
    further fields whose values are never stored; `details` is any other context
    (JSON-ready; secrets by name are redacted there too). The request's id is taken
    from the request being served; its address, when the caller has it, is `address`.

    In the `public` schema there is no chain and no chain audit log (platform staff
    are audited in `tenants.PlatformAuditLog`): nothing is written, None is returned.
    """
    if not _ACTION.fullmatch(action):
        raise ValueError(f"Audit actions are dotted lower-case names, not {action!r}.")
    if in_public_schema():
        return None
    if before is not None and after is not None:
        before, after = audit_diff(before, after)
        if not (before or after or details):
            return None  # saved as it was: nothing changed, nothing to record
    where = audit_target(target)
    actor_id = getattr(actor, "pk", None)
    return AuditEntry.objects.create(
        actor_id=actor_id,
        actor_email=(getattr(actor, "email", "") or "") if actor_id else "",
        actor_role=str(getattr(actor, "role", "") or "") if actor_id else "",
        action=action,
        target_type=where.type[:64],
        target_id=where.id[:64],
        target_label=where.label[:200],
        before=_stored(before or {}, redact),
        after=_stored(after or {}, redact),
        details=_stored(details, redact),
        request_id=current_request_id()[:64],
        address=address or None,
    )
