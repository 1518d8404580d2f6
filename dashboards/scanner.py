"""The door scanner page in the chain dashboard: paste, type (most door scanners type
the code and press Enter) or point a camera at a QR code, and see the verdict large and
coloured. Scans go through the same service as `POST /api/v1/checkin/`.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from api.tickets.views import CheckInInput, checkin_body
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.tickets.services import ticket_check_in
from venue_apps.venues.models import Venue


def _allowed(request: HttpRequest) -> None:
    if not has_capability(request.user, Capability.CHECK_IN):
        raise PermissionDenied


def scan_page(request: HttpRequest, *, site) -> HttpResponse:
    _allowed(request)
    return render(
        request,
        "dashboards/scan.html",
        {
            **site.each_context(request),
            "title": "Scan tickets",
            # Door staff have nothing else here; the page gets the whole width.
            "is_nav_sidebar_enabled": has_capability(request.user, Capability.BROWSE_DASHBOARD),
            "venues": Venue.objects.filter(is_active=True).order_by("name"),
        },
    )


@require_POST
def scan_check(request: HttpRequest) -> JsonResponse:
    _allowed(request)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = None
    form = CheckInInput(data=data if isinstance(data, dict) else {})
    if not form.is_valid():
        return JsonResponse(
            {"admitted": False, "code": "malformed", "detail": "Send a ticket code."}, status=400
        )
    values = form.validated_data
    verdict = ticket_check_in(
        values["qr"], scanner=request.user, venue_id=values.get("venue"), gate=values["gate"]
    )
    return JsonResponse(checkin_body(verdict), status=verdict.status)
