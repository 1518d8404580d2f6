"""How an audit entry reads to an owner: a sentence per action ("Priya refunded order
ABC123 (₹760.00)"), and what changed, field by field, before and after, with money in
the currency's units, times in the active time zone (the dashboard's: the chain's) and
secrets only as "not shown". The activity log and the order page's history use it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

from tenants.money import money
from venue_apps.audit.models import AuditEntry
from venue_apps.audit.services import REDACTED

# Fields holding minor units, wherever they appear in before, after or details.
_MONEY_FIELD = re.compile(r"(^|_)(amount|total|price|prices|refunded|fee|float|cash)$")
_SECRET_FIELD = re.compile(r"(password|secret|token|private_key|sealed|otp)")


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def _label(name: str) -> str:
    return name.replace("_", " ")


def _shown(value: Any, currency: str, *, as_money: bool = False) -> str:
    """One value as an owner reads it."""
    if value is None or value == "":
        return "—"
    if value == REDACTED:
        return "(secret, not shown)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and as_money:
        return money(value, currency)
    if isinstance(value, dict):
        return "; ".join(
            f"{_label(str(key))}: {_shown(item, currency, as_money=as_money)}"
            for key, item in value.items()
        )
    if isinstance(value, list):
        return ", ".join(_shown(item, currency, as_money=as_money) for item in value) or "—"
    if isinstance(value, str) and (moment := _moment(value)) is not None:
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
    return str(value)


def _moment(text: str) -> dt.datetime | None:
    if len(text) < 19 or text[4:5] != "-" or "T" not in text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    return moment if moment is not None and timezone.is_aware(moment) else None


def _price_rules(rules: Any, currency: str) -> str:
    # A price card's rules: [category, amount, weekdays, starts_at, ends_at, priority].
    if not isinstance(rules, list):
        return _shown(rules, currency)
    shown = []
    for rule in rules:
        if isinstance(rule, list) and len(rule) >= 2 and isinstance(rule[1], int):
            extra = [_shown(part, currency) for part in rule[2:] if part not in (None, "", [])]
            when = f" ({', '.join(extra)})" if extra else ""
            shown.append(f"{rule[0]} {money(rule[1], currency)}{when}")
        else:
            shown.append(_shown(rule, currency))
    return "; ".join(shown) or "—"


def field_value(name: str, value: Any, currency: str) -> str:
    if _SECRET_FIELD.search(name) and value not in (None, ""):
        return "(secret, not shown)"
    if name == "rules":
        return _price_rules(value, currency)
    return _shown(value, currency, as_money=bool(_MONEY_FIELD.search(name)))


def changes_of(entry: AuditEntry, currency: str) -> list[Change]:
    """Field by field, before → after (a field on one side only is "—" on the other)."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    return [
        Change(
            _label(name),
            field_value(name, before.get(name), currency),
            field_value(name, after.get(name), currency),
        )
        for name in {**before, **after}
    ]


def _refund_total(details: Mapping[str, Any]) -> int | None:
    if isinstance(details.get("amount"), int):
        return details["amount"]
    refunded = details.get("refunded")
    if isinstance(refunded, dict) and all(isinstance(each, int) for each in refunded.values()):
        return sum(refunded.values())
    return None


def _reference(entry: AuditEntry) -> str:
    # An order's label is "order ABC123 (paid)": the reference is what staff quote.
    label = entry.target_label
    if entry.target_type == "orders.order" and label.startswith("order "):
        return label.split(" ")[1]
    return label


def sentence_of(entry: AuditEntry, who: str, currency: str) -> str:
    """What happened, as a sentence."""
    action, label, details = entry.action, entry.target_label, entry.details or {}
    after = entry.after if isinstance(entry.after, dict) else {}
    before = entry.before if isinstance(entry.before, dict) else {}
    address = f" from {entry.address}" if entry.address else ""
    kind, _, verb = action.partition(".")
    if action == "sign_in.succeeded":
        where = "the dashboard" if details.get("dashboard") else "the app (API)"
        factor = " with two-factor" if details.get("second_factor") else ""
        return f"{who} signed in to {where}{factor}{address}"
    if action == "sign_in.failed":
        why = "a wrong code" if details.get("step") == "second_factor" else "a wrong password"
        return f"Failed sign-in as {label}{address} ({why})"
    if action == "sign_in.locked_out":
        return f"{label} was locked out{address} after too many failed sign-ins"
    if kind == "order":
        reference = _reference(entry)
        if verb == "refunded":
            total = _refund_total(details)
            paid_in = str(details.get("currency") or currency)
            amount = f" ({money(total, paid_in)})" if total is not None else ""
            return f"{who} refunded order {reference}{amount}"
        return f"{who}: order {reference} {_label(verb)}"
    if action == "staff.created":
        role = after.get("role")
        return f"{who} added {label} as staff" + (f" ({_label(role)})" if role else "")
    if action == "staff.role_changed":
        return (
            f"{who} changed the role of {label} from {_label(str(before.get('role')))} "
            f"to {_label(str(after.get('role')))}"
        )
    if action == "gateway.keys_changed":
        return f"{who} changed the {label}"
    if action == "payment_settings.changed":
        return f"{who} changed the payment settings"
    if action == "two_factor.reset":
        return f"{who} reset two-factor sign-in of {label}"
    if action == "signing_key.revoked":
        return f"{who} stopped trusting ticket signing key {label} (tickets re-issued)"
    if action == "signing_key.created":
        return f"{who} made a new ticket signing key {label}"
    what = f"{_label(kind)} {label}".strip()
    return f"{who} {_label(verb)} {what}"


def details_of(entry: AuditEntry, currency: str) -> str:
    """The entry's details (context beyond before and after) as one line."""
    details = entry.details if isinstance(entry.details, dict) else {}
    return "; ".join(
        f"{_label(name)}: {field_value(name, value, currency)}" for name, value in details.items()
    )
