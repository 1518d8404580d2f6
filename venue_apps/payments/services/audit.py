"""Audit rows for changes of the chain's payment configuration (never with secrets)."""

from __future__ import annotations

from typing import Any

from venue_apps.payments.models import PaymentAuditLog


def payments_audit(action: str, *, actor: Any = None, **details: Any) -> PaymentAuditLog:
    return PaymentAuditLog.objects.create(
        action=action,
        actor_id=getattr(actor, "pk", None),
        actor_email=getattr(actor, "email", "") or "",
        details=details,
    )
