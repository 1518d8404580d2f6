"""The new chain's checklist on its dashboard home: the five things between signing up
and selling real tickets, each ticked from the chain's own data and linking to the page
that does it. Once every step is done the checklist is no longer shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from tenants.billing.models import SignUp
from tenants.billing.signups import live_approval
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.catalog.models import Title
from venue_apps.payments.models import GatewayAccount, PaymentSettings, Provider
from venue_apps.shows.models import Show
from venue_apps.venues.models import Seat, Venue


@dataclass(frozen=True)
class Step:
    key: str  # data-step: venue, title, show, keys, live
    label: str
    done: bool
    url: str
    note: str = ""


def checklist(tenant: Any, site_name: str, user: Any) -> list[Step] | None:
    """The steps, or None once all are done. The payment steps link only for those who
    may open the keys and settings (the owner)."""
    has_venue = Venue.objects.exists()
    live = PaymentSettings.current().mode == PaymentSettings.Mode.LIVE
    waiting = not live and live_approval(tenant) in (
        SignUp.Approval.WAITING,
        SignUp.Approval.REFUSED,
    )

    def url(name: str) -> str:
        return reverse(f"{site_name}:{name}")

    owner = has_capability(user, Capability.MANAGE_PAYMENT_KEYS)

    steps = [
        Step(
            "venue",
            "Add a venue and its seat map",
            Seat.objects.exists(),
            url("venues_auditorium_add" if has_venue else "venues_venue_add"),
        ),
        Step("title", "Add a film or event", Title.objects.exists(), url("catalog_title_add")),
        Step("show", "Put on a show", Show.objects.exists(), url("shows_show_add")),
        Step(
            "keys",
            "Add your Stripe or Razorpay keys",
            GatewayAccount.objects.filter(
                is_active=True, provider__in=[Provider.STRIPE, Provider.RAZORPAY]
            ).exists(),
            url("payments_gatewayaccount_add") if owner else "",
        ),
        Step(
            "live",
            "Go live: take real payments",
            live,
            url("payments_paymentsettings_changelist") if owner else "",
            "Waiting for platform approval" if waiting else "",
        ),
    ]
    if all(step.done for step in steps):
        return None
    return steps
