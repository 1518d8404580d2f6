"""What the dashboard's pages with charts share: the charts' script (the Vite build's
`src/dashboard/charts.ts`, its CSS with it), chart data for its `json_script` tags, and
money in the currency's units."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django_vite.core.asset_loader import DjangoViteAssetLoader
from django_vite.core.exceptions import (
    DjangoViteAssetNotFoundError,
    DjangoViteConfigNotFoundError,
    DjangoViteManifestError,
)

from venue_apps.orders.selectors import currency_exponent

logger = logging.getLogger(__name__)
ENTRY = "src/dashboard/charts.ts"


def entry_assets(request: HttpRequest, entry: str) -> SafeString:
    """The <script> and <link> tags of one entry of the Vite build, with the response's
    CSP nonce; nothing when the frontend is not built (the page stands without it)."""
    try:
        tags = DjangoViteAssetLoader.instance().generate_vite_asset(
            entry, nonce=getattr(request, "csp_nonce", "")
        )
    except (DjangoViteAssetNotFoundError, DjangoViteManifestError, DjangoViteConfigNotFoundError):
        logger.warning("the frontend build has no %s: the page goes without it", entry)
        return mark_safe("")
    return mark_safe(tags)  # noqa: S308 (django-vite's own tags)


def charts_assets(request: HttpRequest) -> SafeString:
    """The charts' tags (`entry_assets`): the pages' tables and figures stand without."""
    return entry_assets(request, ENTRY)


def units(amount: int, currency: str) -> Decimal:
    """Minor units as a number of the currency's units (12500 INR → 125.00)."""
    exponent = currency_exponent(currency)
    return Decimal(amount).scaleb(-exponent).quantize(Decimal(1).scaleb(-exponent))


def chart_data(
    *,
    kind: str,
    labels: list[str],
    datasets: list[dict[str, Any]],
    colour: str,
    currency: str | None = None,
    stacked: bool = False,
    horizontal: bool = False,
    percent: bool = False,
) -> dict[str, Any]:
    """The shape `charts.ts` draws: a Chart.js type, labels, datasets of plain numbers
    (money in units, as floats: the chart only draws them), the chain's colour, and how
    to label the value axis (a currency, or percent)."""
    return {
        "type": kind,
        "labels": labels,
        "datasets": datasets,
        "colour": colour,
        "currency": currency,
        "stacked": stacked,
        "horizontal": horizontal,
        "percent": percent,
    }
