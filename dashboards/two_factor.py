"""Two-factor sign-in from the dashboards: staff who never use the API enrol their
authenticator app here (scan the QR code, type the first code), and turn it off with a
current code. The same services as `/api/v1/auth/2fa/`; confirming also marks this
session as having given the second factor, so the page does not lock its user out, and
shows the ten recovery codes once (new ones can be made with a current code).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django_otp import login as otp_login

from tenants.error_codes import DomainError
from venue_apps.accounts import selectors
from venue_apps.accounts.services import two_factor


def two_factor_page(request: HttpRequest, *, site) -> HttpResponse:
    user = request.user
    here = reverse(f"{site.name}:two-factor")
    context = {**site.each_context(request), "title": "Two-factor sign-in"}
    action = request.POST.get("action") if request.method == "POST" else None
    code = (request.POST.get("code") or "").strip()
    try:
        if action == "setup":
            tenant = getattr(request, "tenant", None)
            secret, _, svg = two_factor.totp_enrolment_start(
                user, issuer=tenant.brand_name if tenant else ""
            )
            context.update(enrolling=True, secret=secret, qr_svg=svg)
        elif action == "confirm":
            device, codes = two_factor.totp_confirm(user, code=code)
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is on. Sign-ins now ask for a code.")
            # Shown on this answer only (never stored in the clear), so not a redirect.
            context["recovery_codes"] = codes
        elif action == "recovery-codes":
            context["recovery_codes"] = two_factor.recovery_codes_regenerate(user, code=code)
            messages.success(request, "New recovery codes: the old ones no longer work.")
        elif action == "disable":
            two_factor.totp_disable(user, code=code)
            messages.success(request, "Two-factor sign-in is off.")
            return HttpResponseRedirect(here)
    except DomainError as refusal:
        context["error"] = refusal.detail
        context["enrolling"] = action == "confirm"
    context["enabled"] = selectors.totp_device(user) is not None
    context["required"] = selectors.two_factor_required(user)
    context["codes_left"] = selectors.recovery_codes_left(user)
    status = 400 if "error" in context else 200
    return render(request, "dashboards/two_factor.html", context, status=status)
