"""Changing the chain's payment mode, default gateway and fraud limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from tenants.billing.signups import live_allowed, live_approval
from tenants.error_codes import DomainError
from tenants.selectors import tenant_current
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import PaymentSettings
from venue_apps.payments.services.audit import payments_audit
from venue_apps.payments.services.gateways import providers_usable
from venue_apps.payments.services.handoff import sale_handler

_EDITABLE = PaymentSettings.EDITABLE_FIELDS


def going_live_check() -> None:
    """DomainError 403 `approval_required` while a chain that signed up itself waits for
    platform staff's approval (or was refused it) before it may take real money."""
    tenant = tenant_current()
    if not live_allowed(tenant):
        refused = live_approval(tenant) == "refused"
        raise DomainError(
            PaymentErrorCode.APPROVAL_REQUIRED,
            "The platform has not approved this chain for live payments"
            + (" (it was refused; contact the platform)." if refused else " yet."),
            status_code=403,
        )


@transaction.atomic
def payment_settings_update(*, values: Mapping[str, Any], actor: Any = None) -> PaymentSettings:
    """Change the settings. Going live needs the platform's approval where it is
    required (`going_live_check`) and a gateway with live keys; the default
    gateway must be one the chain can take payments with in that mode."""
    row = PaymentSettings.objects.select_for_update().get(pk=PaymentSettings.current().pk)
    old = {name: getattr(row, name) for name in _EDITABLE}
    for name in _EDITABLE:
        if name in values:
            setattr(row, name, values[name])
    live = row.mode == PaymentSettings.Mode.LIVE
    if live and old["mode"] != PaymentSettings.Mode.LIVE:
        going_live_check()
    usable = providers_usable(live=live)
    if live and not usable:
        raise DomainError(
            PaymentErrorCode.PROVIDER_UNAVAILABLE, "Going live needs live Stripe or Razorpay keys."
        )
    if row.default_provider not in usable:
        raise DomainError(
            PaymentErrorCode.PROVIDER_UNAVAILABLE,
            f"{row.default_provider} cannot take payments in {row.mode} mode.",
        )
    row.save()
    if live and old["mode"] != PaymentSettings.Mode.LIVE:
        # No test ticket may get anyone into a real show: the sale voids the chain's
        # test-mode orders after this commits.
        sale_handler().chain_went_live()
    new = {name: getattr(row, name) for name in _EDITABLE}
    payments_audit(
        "payment_settings_changed",
        actor=actor,
        old={k: v for k, v in old.items() if new[k] != v},
        new={k: v for k, v in new.items() if old[k] != v},
    )
    return row
