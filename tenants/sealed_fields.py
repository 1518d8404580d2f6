"""Every sealed column across the apps, and re-sealing them under the current key.

Apps register their sealed columns when they load (their `AppConfig.ready`), each with
the function that gives a row's sealing context (tenants.crypto binds a value to its
schema and purpose): the tenants app is the lowest layer and imports none of them.

Rotating `FIELD_ENCRYPTION_KEYS`: put a new key first and keep the old ones after it
(everything still opens), run `manage.py reseal_secrets` (every value sealed under an
older key is sealed again under the new one, in every chain), then drop the old keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction

from tenants.crypto import SealError, current_key_prefix, seal, unseal


@dataclass(frozen=True)
class SealedField:
    model: str  # "app_label.Model"
    field: str
    context: Callable[[Any], str]  # the row's sealing context, in the current schema


_registry: dict[tuple[str, str], SealedField] = {}


def sealed_field_register(model: str, field: str, *, context: Callable[[Any], str]) -> None:
    """Declare a column holding values sealed by tenants.crypto (idempotent)."""
    _registry[(model, field)] = SealedField(model, field, context)


def sealed_fields() -> list[SealedField]:
    return sorted(_registry.values(), key=lambda sealed: (sealed.model, sealed.field))


@dataclass
class ResealResult:
    """What one schema's pass did: values re-sealed, already current, and those that
    did not open (sealed under a key no longer configured, or tampered with), by row."""

    resealed: int = 0
    current: int = 0
    unopened: list[str] = field(default_factory=list)


def _reseal_row(sealed: SealedField, model: Any, pk: Any, *, write: bool) -> str:
    """One row in its own short transaction, locked: "resealed", "current" or "unopened"."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=pk).first()
        value = getattr(row, sealed.field, "") if row is not None else ""
        if not value or value.startswith(current_key_prefix()):
            return "current"  # gone, emptied or re-sealed since the candidates were read
        context = sealed.context(row)
        try:
            plain = unseal(value, context=context)
        except SealError:
            return "unopened"
        if write:
            model.objects.filter(pk=pk).update(**{sealed.field: seal(plain, context=context)})
        return "resealed"


def sealed_values_reseal(*, write: bool = True) -> ResealResult:
    """Seal again, under the current key, every value of the current schema sealed under
    an older one. Idempotent: values already under the current key are left alone.

    Each row is re-sealed in a transaction of its own, locked while it changes, so a
    pass over a busy chain never holds its payments or keys for long, and a value
    written meanwhile (sealed under the current key by then) is not overwritten.
    `write=False` only counts.
    """
    result = ResealResult()
    tables = set(connection.introspection.table_names())
    prefix = current_key_prefix()
    for sealed in sealed_fields():
        model = apps.get_model(sealed.model)
        if model._meta.db_table not in tables:  # an app this schema does not have
            continue
        values = model.objects.exclude(**{sealed.field: ""})
        result.current += values.filter(**{f"{sealed.field}__startswith": prefix}).count()
        candidates = values.exclude(**{f"{sealed.field}__startswith": prefix}).order_by("pk")
        for pk in candidates.values_list("pk", flat=True):
            outcome = _reseal_row(sealed, model, pk, write=write)
            if outcome == "resealed":
                result.resealed += 1
            elif outcome == "current":
                result.current += 1
            else:
                result.unopened.append(f"{sealed.model}.{sealed.field} #{pk}")
    return result
