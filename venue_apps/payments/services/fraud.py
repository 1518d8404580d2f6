"""Fraud checks before a payment is accepted. Every decision is logged with its reason.

Two stages:
- `attempt`: before a customer may start paying: velocity per customer and (generously,
  because a cinema's Wi-Fi or a mobile carrier puts many customers behind one address)
  per address, and a block after repeated failures.
- `capture`: before captured (or authorized) money is accepted for an order: amount
  and currency must match the order exactly, and one card (or UPI address) may not pay
  more than so many times an hour, nor after repeated failures.

A refused capture is not lost money: the caller refunds it (or never captures it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from tenants.error_codes import DomainError
from venue_apps.payments.models import FraudDecision, Payment, PaymentSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str
    detail: str = ""
    retry_after: int | None = None


class PaymentRefused(DomainError):
    """A payment attempt the fraud checks refused (429 with Retry-After, or 403)."""

    def __init__(self, verdict: Verdict):
        status = 429 if verdict.retry_after else 403
        super().__init__(verdict.reason, verdict.detail, status_code=status)
        self.retry_after = verdict.retry_after


def _log(stage: str, verdict: Verdict, **subject: Any) -> None:
    FraudDecision.objects.create(
        stage=stage,
        verdict=FraudDecision.Verdict.ALLOW if verdict.allowed else FraudDecision.Verdict.DENY,
        reason=verdict.reason,
        detail=verdict.detail[:255],
        **subject,
    )
    logger.info("fraud %s %s: %s", stage, "allow" if verdict.allowed else "deny", verdict.reason)


def _attempt_verdict(
    limits: PaymentSettings, *, customer_id: int | None, address: str | None
) -> Verdict:
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    block_from = now - timedelta(minutes=limits.block_minutes)
    recent = Payment.objects.filter(created_at__gte=hour_ago)
    if customer_id is not None:
        failures = Payment.objects.filter(
            customer_id=customer_id, status=Payment.Status.FAILED, updated_at__gte=block_from
        )
        if failures.count() >= limits.failures_before_block:
            last = failures.order_by("-updated_at").values_list("updated_at", flat=True).first()
            last = last or now
            wait = int((last + timedelta(minutes=limits.block_minutes) - now).total_seconds())
            return Verdict(
                False,
                "too_many_failures",
                f"{limits.failures_before_block} payments failed; try again in "
                f"{max(1, wait // 60)} minutes.",
                retry_after=max(1, wait),
            )
        if recent.filter(customer_id=customer_id).count() >= limits.attempts_per_customer_hour:
            return Verdict(
                False,
                "customer_velocity",
                f"At most {limits.attempts_per_customer_hour} payment attempts an hour.",
                retry_after=3600,
            )
    if address and recent.filter(client_address=address).count() >= (
        limits.attempts_per_address_hour
    ):
        return Verdict(
            False,
            "address_velocity",
            "Too many payments from this network; try again later.",
            retry_after=600,
        )
    return Verdict(True, "within_limits")


def attempt_check(*, customer_id: int | None, address: str | None, order: Any = None) -> None:
    """Refuse a payment attempt (PaymentRefused) when a limit is reached; log either way."""
    limits = PaymentSettings.current()
    verdict = _attempt_verdict(limits, customer_id=customer_id, address=address)
    _log("attempt", verdict, customer_id=customer_id, client_address=address, order=order)
    if not verdict.allowed:
        raise PaymentRefused(verdict)


def capture_check(
    payment: Payment, *, amount: int | None, currency: str, fingerprint: str
) -> Verdict:
    """May this money be accepted for the payment's order? Logged either way."""
    limits = PaymentSettings.current()
    verdict = Verdict(True, "matches_order")
    if amount != payment.amount or currency.upper() != payment.currency.upper():
        verdict = Verdict(
            False,
            "amount_mismatch",
            f"Got {amount} {currency}, the order is {payment.amount} {payment.currency}.",
        )
    elif fingerprint:
        now = timezone.now()
        same_card = Payment.objects.filter(card_fingerprint=fingerprint).exclude(pk=payment.pk)
        failed = same_card.filter(
            status=Payment.Status.FAILED,
            updated_at__gte=now - timedelta(minutes=limits.block_minutes),
        ).count()
        used = same_card.filter(
            Q(captured_at__gte=now - timedelta(hours=1)),
            status__in=[
                Payment.Status.SUCCEEDED,
                Payment.Status.PARTIALLY_REFUNDED,
                Payment.Status.REFUNDED,
            ],
        ).count()
        if failed >= limits.failures_before_block:
            verdict = Verdict(False, "card_blocked", f"This card failed {failed} times lately.")
        elif used >= limits.payments_per_card_hour:
            verdict = Verdict(
                False, "card_velocity", f"This card paid {used} times in the last hour."
            )
    _log(
        "capture",
        verdict,
        payment=payment,
        order_id=payment.order_id,
        customer_id=payment.customer_id,
        client_address=payment.client_address,
        card_fingerprint=fingerprint,
    )
    return verdict
