"""Reads of the sale's own records."""

from __future__ import annotations

from tenants.error_codes import NotFound
from venue_apps.sales.error_codes import SaleErrorCode
from venue_apps.sales.models import ShowCancellation


def show_cancellation_latest(show_id: int) -> ShowCancellation:
    """The show's latest cancellation run; 404 when it was never cancelled this way."""
    run = ShowCancellation.objects.filter(show_id=show_id).order_by("-created_at", "-id").first()
    if run is None:
        raise NotFound(SaleErrorCode.CANCELLATION_NOT_FOUND, "This show was never cancelled.")
    return run
