"""The box office screen in the chain dashboard: a page of the dashboard (its header,
the chain's branding, its sign-in) that loads the React screen (`src/backoffice/main.tsx`
of the Vite build, through django-vite as the storefront's shell does) and hands it what
it needs before its first API call as JSON (`#box-office-config`): the chain's currency,
digits and zone, the venues, the CSRF token for the API's session sign-in, and who is
selling. Everything else the screen asks `/api/v1` for, with the dashboard's session.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django_vite.core.exceptions import (
    DjangoViteAssetNotFoundError,
    DjangoViteConfigNotFoundError,
    DjangoViteManifestError,
)

from api.storefront.views import API_ROOT, brand_css, csp_additions, not_built, storefront_built
from tenants.models import Tenant
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.orders.selectors import currency_exponent
from venue_apps.venues.models import Venue

logger = logging.getLogger(__name__)

ENTRY = "src/backoffice/main.tsx"


def box_office_config(request: HttpRequest, tenant: Tenant) -> dict[str, Any]:
    """What the screen needs of the chain and the cashier before its first API call."""
    user = request.user
    return {
        "name": tenant.brand_name,
        "logo": tenant.logo.url if tenant.logo else None,
        "primary_colour": tenant.primary_colour,
        "accent_colour": tenant.accent_colour,
        "currency": tenant.currency,
        # The server's minor-unit exponent: amounts are integers of it.
        "currency_digits": currency_exponent(tenant.currency),
        "locale": tenant.locale,
        "timezone": tenant.timezone,
        "hold_max_seats": tenant.hold_max_seats,
        "api": API_ROOT,
        "csrf_token": get_token(request),
        "venues": [
            {"id": venue.pk, "name": venue.name, "timezone": venue.timezone}
            for venue in Venue.objects.filter(is_active=True).order_by("name")
        ],
        "user": {
            "name": user.name or user.email,  # type: ignore[union-attr]
            "email": user.email,  # type: ignore[union-attr]
            "role": user.role,  # type: ignore[union-attr]
        },
    }


def box_office_page(request: HttpRequest, *, site) -> HttpResponse:
    if not has_capability(request.user, Capability.SELL_AT_BOX_OFFICE):
        raise PermissionDenied
    if not storefront_built():
        return not_built()
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    response = TemplateResponse(
        request,
        "dashboards/box_office.html",
        {
            **site.each_context(request),
            "title": "Box office",
            # The screen wants the whole width; the dashboard's menu is one link away.
            "is_nav_sidebar_enabled": False,
            "brand_css": brand_css(tenant),
            "config": box_office_config(request, tenant),
            "entry": ENTRY,
        },
    )
    try:
        response.render()
    except (DjangoViteAssetNotFoundError, DjangoViteManifestError, DjangoViteConfigNotFoundError):
        logger.exception("the frontend build's manifest has no %s", ENTRY)
        return not_built()
    response._csp_update = csp_additions([])  # type: ignore[attr-defined]
    return response
