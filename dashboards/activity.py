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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils import timezone

from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.accounts.selectors import staff_accounts
from venue_apps.audit.models import AuditEntry
from venue_apps.audit.readable import Change, changes_of, sentence_of
from venue_apps.audit.selectors import audit_entries

PER_PAGE = 50
# Groups that also take entries of any kind changing these fields.
CHANGING: Mapping[str, tuple[str, ...]] = {"prices": ("prices",)}

# The kinds an owner filters by: a group of actions (exact names or `kind.` prefixes).
# Prices are also changed on a show itself (`show.changed` with `prices`): CHANGING.
KIND_GROUPS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "sign_ins": ("Sign-ins", ("sign_in.succeeded",)),
    "failed_sign_ins": (
        "Failed sign-ins and lockouts",
        ("sign_in.failed", "sign_in.locked_out"),
    ),
    "refunds": ("Refunds", ("order.refunded", "order.payment_returned", "refund")),
    "orders": ("Orders", ("order",)),
    "prices": ("Prices", ("price_card",)),
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
class Activity:
    entry: AuditEntry
    who: str
    sentence: str
    changes: list[Change]


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


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
            changing=CHANGING.get(filters.get("kind") or "", ()),
            since=_start_of(since) if since else None,
            until=_start_of(until + dt.timedelta(days=1)) if until else None,
        )
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    activities = []
    for entry in page.object_list:
        if entry.actor_id:
            who = names.get(entry.actor_id, entry.actor_email or "Someone")
        else:
            # No actor: a failed sign-in's person is not known; otherwise the system.
            who = "Unknown" if entry.action.startswith("sign_in.") else "The system"
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
