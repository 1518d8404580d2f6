"""The apex domain's sign-up pages: the form (`/signup/`) and the page the emailed link
opens (`/signup/verify/<token>/`), which creates the chain.

The form is server-rendered with everything it offers (plans and their prices, currencies,
time zones, the signed form timestamp); `frontend/src/signup/signup.ts` adds the live
subdomain check, the prices in the chosen currency, per-field errors and the sending
(to `POST /api/platform/signups/`). No inline script: the pages keep the strict CSP.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dashboards.charts import entry_assets
from tenants.billing import signups
from tenants.billing.models import SignUp
from tenants.error_codes import DomainError

ENTRY = "src/signup/signup.ts"
# Offered first when the browser's own zone is not known (signup.ts picks that one).
DEFAULT_TIMEZONE = "UTC"


def _plan_cards(options: dict[str, Any], currency: str) -> list[dict[str, Any]]:
    cards = []
    for plan in options["plans"]:
        price = next((p for p in plan["prices"] if p["currency"] == currency), None)
        # 100 basis points = 1% of the month's net sales.
        share = f"{plan['basis_points'] / 100:g}%" if plan["basis_points"] else ""
        cards.append({**plan, "price": price, "share": share})
    return cards


@never_cache
def signup_page(request: HttpRequest) -> HttpResponse:
    options = signups.signup_options()
    currency = options["currencies"][0] if options["currencies"] else ""
    context = {
        "options": options,
        "currency": currency,
        "timezones": [DEFAULT_TIMEZONE, *options["timezones"]],
        "timezone": DEFAULT_TIMEZONE,
        "cards": _plan_cards(options, currency),
        "form_token": signups.form_token(),
        "domain": settings.PLATFORM_DOMAIN,
        "open": signups.platform_settings().signups_open,
        "assets": entry_assets(request, ENTRY),
        # What signup.ts needs and the HTML does not carry.
        "page_data": {
            "plans": options["plans"],
            "domain": settings.PLATFORM_DOMAIN,
        },
    }
    return render(request, "signup/signup.html", context)


def _dashboard_url(signup: SignUp) -> str:
    host = f"{signup.slug}.{settings.PLATFORM_DOMAIN}"
    return settings.SITE_URL_TEMPLATE.format(host=host) + "/dashboard/"


@never_cache
@require_http_methods(["GET", "POST"])
def signup_verify_page(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. Opening it (GET) changes nothing and asks the owner to confirm:
    mail scanners open links too, and must not create chains. Confirming (POST) creates
    the chain (once) and the page says where its dashboard is; a link used before says
    so, an old or unknown one says what to do."""
    try:
        if request.method == "POST":
            verified = signups.signup_verify(token)
        else:
            verified = signups.signup_for_link(token)
            if not verified.already:
                context = {
                    "signup": verified.signup,
                    "confirm": True,
                    "domain": settings.PLATFORM_DOMAIN,
                }
                context["assets"] = entry_assets(request, ENTRY)
                return render(request, "signup/verify.html", context)
    except DomainError as refusal:
        context = {"refusal": refusal, "assets": entry_assets(request, ENTRY)}
        return render(request, "signup/verify.html", context, status=refusal.status_code)
    signup = verified.signup
    context = {
        "signup": signup,
        "already": verified.already,
        "dashboard_url": _dashboard_url(signup),
        "waiting": signup.approval == SignUp.Approval.WAITING,
        "assets": entry_assets(request, ENTRY),
    }
    return render(request, "signup/verify.html", context)
