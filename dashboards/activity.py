"""The owners' activity log (`/dashboard/activity/`): the chain's audit log as sentences.

Each entry reads as who did what ("Priya refunded order ABC123 (₹760.00)"), when (in
the chain's time zone, the dashboard's format), and what changed, field by field,
before and after: money in the currency's units, times in the chain's zone, secrets
only as "changed". Filters: the person (who did it, or whom it concerned: a failed
sign-in has no actor but names the account), the kind (groups of actions below) and a
range of days in the chain's zone. Owners only (`Capability.READ_AUDIT_LOG`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime

from tenants.money import money
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.accounts.selectors import staff_accounts
from venue_apps.audit.models import AuditEntry
from venue_apps.audit.selectors import audit_entries
from venue_apps.audit.services import REDACTED

PER_PAGE = 50

# The kinds an owner filters by: a group of actions (exact names or `kind.` prefixes).
KIND_GROUPS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "sign_ins": ("Sign-ins", ("sign_in.succeeded",)),
    "failed_sign_ins": (
        "Failed sign-ins and lockouts",
        ("sign_in.failed", "sign_in.locked_out"),
    ),
    "refunds": ("Refunds", ("order.refunded", "order.payment_returned", "refund")),
    "orders": ("Orders", ("order",)),
    "prices": ("Prices", ("price_card", "show.prices_changed")),
    "payment_keys": ("Payment keys and settings", ("gateway", "payment_settings", "payments")),
    "signing_keys": ("Ticket signing keys", ("signing_key",)),
    "staff": ("Staff and two-factor sign-in", ("staff", "two_factor")),
    "sign_in_settings": ("Sign-in settings", ("oauth_client", "account_settings")),
    "shows": ("Shows", ("show",)),
    "programme": (
        "Venues, auditoriums and titles",
        ("venue", "auditorium", "seat_category", "title", "showcase"),
    ),
    "sales_terms": (
        "Promo codes, fees, taxes and the policy",
        ("promo_code", "checkout_settings", "tax_rate", "cancellation_policy"),
    ),
    "tickets": ("Tickets", ("ticket",)),
}

# Fields holding minor units, wherever they appear in before, after or details.
_MONEY_FIELD = re.compile(r"(^|_)(amount|total|price|prices|refunded|fee|float|cash)$")
_SECRET_FIELD = re.compile(r"(password|secret|token|private_key|sealed|otp)")
_FIRST_DAY, _LAST_DAY = dt.date(2000, 1, 1), dt.date(2999, 12, 31)


class ActivityFilters(forms.Form):
    person = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        required=False,
        choices=[("", "Every kind"), *((key, label) for key, (label, _) in KIND_GROUPS.items())],
    )
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Everyone"), *people]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in ("since", "until"):
            day = cleaned.get(name)
            if day is not None and not _FIRST_DAY <= day <= _LAST_DAY:
                self.add_error(name, "Choose a day between 2000 and 2999.")
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The last day comes after the first.")
        return cleaned


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Activity:
    entry: AuditEntry
    who: str
    sentence: str
    changes: list[Change]


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


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


def _people() -> tuple[list[tuple[int, str]], dict[int, str]]:
    accounts = list(staff_accounts())
    names = {account.pk: account.name or account.email for account in accounts}
    choices = [
        (account.pk, f"{account.name} ({account.email})" if account.name else account.email)
        for account in accounts
    ]
    return choices, names


def activity_page(request, *, site) -> TemplateResponse:
    if not has_capability(request.user, Capability.READ_AUDIT_LOG):
        raise PermissionDenied
    request.current_app = site.name
    tenant = getattr(request, "tenant", None)
    currency = getattr(tenant, "currency", "") or "USD"
    choices, names = _people()
    form = ActivityFilters(request.GET or None, people=choices)
    status = 200
    entries = AuditEntry.objects.none()
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        filters = form.cleaned_data if form.is_bound else {}
        group = KIND_GROUPS.get(filters.get("kind") or "")
        since, until = filters.get("since"), filters.get("until")
        entries = audit_entries(
            person_id=filters.get("person"),
            kinds=group[1] if group else None,
            since=_start_of(since) if since else None,
            until=_start_of(until + dt.timedelta(days=1)) if until else None,
        )
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    activities = []
    for entry in page.object_list:
        who = (
            names.get(entry.actor_id, entry.actor_email or "Someone")
            if entry.actor_id
            else "The system"
        )
        activities.append(
            Activity(entry, who, sentence_of(entry, who, currency), changes_of(entry, currency))
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **site.each_context(request),
        "title": "Activity log",
        "form": form,
        "page": page,
        "activities": activities,
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "dashboards/activity.html", context, status=status)
