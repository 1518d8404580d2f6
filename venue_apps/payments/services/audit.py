"""Audit rows for changes of the chain's payment configuration (never with secrets).

A thin wrapper over the chain's one audit log (`venue_apps.audit.audit_log`), kept so
that its callers need not change while payments is being reorganised; they may call
`audit_log` directly instead. The old action names map onto dotted ones:
`payment_settings_changed` is `payment_settings.changed` (old and new values as before
and after), `gateway_keys_set` is `gateway.keys_changed` on the gateway's test or live
keys (secrets only as "changed or not", never as values).
"""

from __future__ import annotations

from typing import Any

from venue_apps.audit.models import AuditEntry
from venue_apps.audit.services import AuditTarget, audit_log

_PROVIDER_NAMES = {"stripe": "Stripe", "razorpay": "Razorpay"}


def payments_audit(action: str, *, actor: Any = None, **details: Any) -> AuditEntry | None:
    if action == "payment_settings_changed":
        return audit_log(
            actor,
            "payment_settings.changed",
            AuditTarget("payments.paymentsettings", "1", "Payment settings"),
            details.pop("old", {}),
            details.pop("new", {}),
            **details,
        )
    if action == "gateway_keys_set":
        provider, mode = details.pop("provider", ""), details.pop("mode", "")
        name = _PROVIDER_NAMES.get(provider, provider)
        return audit_log(
            actor,
            "gateway.keys_changed",
            AuditTarget("payments.gateway", f"{provider}:{mode}", f"{name} {mode} keys"),
            after={
                "public_key": details.pop("public_key", ""),
                "is_active": details.pop("is_active", True),
            },
            **details,
        )
    return audit_log(actor, f"payments.{action}", **details)
