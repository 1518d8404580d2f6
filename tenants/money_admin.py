"""Money on the dashboards: shown in the currency's units, typed in units, stored in
minor units.

`MoneyFieldsAdmin` (for a ModelAdmin or an inline) names the model's minor-unit fields
(`money_fields`). Wherever the admin lists them (`list_display`, `readonly_fields`,
`fields`) they are shown as `₹760.00`; where a form edits them, the field takes units
(`760.00`) and the model gets minor units (76000). The currency is the object's own
(`currency`, or its order's), else the chain's.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection

from tenants.money import currency_exponent, minor_to_units, money, units_to_minor


def chain_currency() -> str:
    """The currency of the chain whose schema the connection is on."""
    return str(getattr(getattr(connection, "tenant", None), "currency", "") or "USD")


def currency_of(obj: Any) -> str:
    for holder in (obj, getattr(obj, "order", None)):
        currency = getattr(holder, "currency", None) if holder is not None else None
        if isinstance(currency, str) and currency:
            return currency
    return chain_currency()


class MinorUnitsField(forms.DecimalField):
    """An amount typed in units (`760.00`), cleaned to minor units (76000)."""

    def __init__(self, *, currency: str, **kwargs: Any) -> None:
        self.currency = currency
        kwargs.setdefault("decimal_places", currency_exponent(currency))
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_digits", 12)
        kwargs.pop("max_value", None)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        # Labels say what is typed: "amount (INR)".
        self.label = f"{self.label or ''} ({currency})".strip()

    def prepare_value(self, value: Any) -> Any:
        # Stored values (ints) are shown in units; what was typed is shown as typed.
        if isinstance(value, int) and not isinstance(value, bool):
            return minor_to_units(value, self.currency)
        return value

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        units = super().clean(value)
        if units is None:
            return None
        try:
            return units_to_minor(units, self.currency)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from error

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            typed = self.clean(data)
        except ValidationError:
            return True
        return (initial if initial not in ("", None) else None) != typed


def _shown_in_units(name: str, label: str) -> Any:
    @admin.display(description=label, ordering=name)
    def shown(self: Any, obj: Any) -> str:
        value = getattr(obj, name, None)
        return "-" if value is None else money(value, currency_of(obj))

    shown.__name__ = f"{name}_in_units"
    return shown


class MoneyFieldsAdmin:
    """See the module's docstring. `money_fields` are the minor-unit fields' names."""

    money_fields: Sequence[str] = ()
    model: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = cls.__dict__.get("money_fields")
        if not names:
            return
        model = cls.__dict__.get("model") or getattr(cls, "model", None)
        for name in names:
            label = name.replace("_", " ")
            if model is not None:
                label = str(model._meta.get_field(name).verbose_name)
            setattr(cls, f"{name}_in_units", _shown_in_units(name, label))

    def _in_units(self, names: Sequence[Any]) -> list[Any]:
        return [
            f"{name}_in_units" if isinstance(name, str) and name in self.money_fields else name
            for name in names
        ]

    def get_list_display(self, request: Any) -> Any:
        return self._in_units(super().get_list_display(request))  # type: ignore[misc]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return self._in_units(super().get_readonly_fields(request, obj))  # type: ignore[misc]

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        readonly = set(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        # A page that only shows (no change permission) shows every field read-only.
        view_only = not self.has_change_permission(request, obj)  # type: ignore[attr-defined]
        return [
            f"{name}_in_units"
            if name in self.money_fields and (name in readonly or view_only)
            else name
            for name in fields
        ]

    def get_exclude(self, request: Any, obj: Any = None) -> Any:
        # The stored field is not on the form where its units stand in for it.
        excluded = list(super().get_exclude(request, obj) or [])  # type: ignore[misc]
        shown = set(super().get_readonly_fields(request, obj)) & set(self.money_fields)  # type: ignore[misc]
        return [*excluded, *sorted(shown)] or None

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name in self.money_fields:
            currency = chain_currency()
            help_text = str(db_field.help_text or "")
            if not help_text or "minor units" in help_text.lower():
                help_text = f"In {currency}, e.g. 760.00."
            return MinorUnitsField(
                currency=currency,
                label=str(db_field.verbose_name),
                required=not db_field.blank,
                help_text=help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
