"""Reconciliation: ask the gateways about what they have not told us.

Webhooks get lost (an outage, a misconfigured endpoint, a suspended chain's host
answering 403). Every few minutes:

- payments still pending after `PENDING_TOO_LONG` are looked up at their gateway and
  the answer is applied like any webhook (exactly once, by its own event id);
- attempts we gave up on (declined, replaced, abandoned) that the gateway has not
  confirmed closed are closed there and asked about once more: a customer may have paid
  one anyway, and that money must still end as tickets or a refund;
- attempts that never reached the gateway fail; refunds decided but not sent are sent.

Each pass takes at most `BATCH` of each, in turns: the payments asked about longest ago
(or never) first, the refunds sent fewest times first. Attempts the gateway keeps open
for days, or refunds pending there for days, are asked about again and again; in turns,
they never keep a newer payment or a refund never sent from being reached.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from tenants.error_codes import NotFound
from tenants.queue import task_named
from venue_apps.orders.models import Order
from venue_apps.payments.models import COUNTER_PROVIDERS, Payment, Refund
from venue_apps.payments.providers.base import EventKind, ProviderError, ProviderRefused
from venue_apps.payments.services.attempts import payment_gateway_close
from venue_apps.payments.services.events import event_apply
from venue_apps.payments.services.gateways import provider_for_payment
from venue_apps.payments.services.refunds import REFUND_EXECUTE_TASK

logger = logging.getLogger(__name__)
PENDING_TOO_LONG = timedelta(minutes=15)
ABANDONED_AFTER = timedelta(hours=1)
# How long an attempt we gave up on is still asked about if its gateway never says it
# is closed (Razorpay orders take payments until they are paid).
ASK_FOR = timedelta(days=3)
REFUND_RESEND_AFTER = timedelta(minutes=10)
BATCH = 200


def payments_reconcile(*, now=None) -> dict[str, int]:
    """One pass over this schema's stale payments and refunds; returns what it did."""
    now = now or timezone.now()
    done = {"asked": 0, "changed": 0, "closed": 0, "refunds_resent": 0, "errors": 0}
    stale = Payment.objects.filter(created_at__lte=now - PENDING_TOO_LONG).filter(
        Q(status=Payment.Status.PENDING)
        | Q(
            status__in=[Payment.Status.FAILED, Payment.Status.CANCELLED],
            gateway_closed=False,
            created_at__gte=now - ASK_FOR,
        )
        & ~Q(gateway_reference="")
    )
    batch = stale.select_related("order").order_by(
        F("reconciled_at").asc(nulls_first=True), "created_at"
    )[:BATCH]
    for payment in batch:
        # Marked first, so that even an attempt whose gateway fails goes to the back.
        Payment.objects.filter(pk=payment.pk).update(reconciled_at=now)
        if not payment.gateway_reference:
            Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
                status=Payment.Status.FAILED, failure_code="never_prepared", gateway_closed=True
            )
            done["changed"] += 1
            continue
        try:
            done["asked"] += 1
            if payment.status != Payment.Status.PENDING:
                outcome = payment_gateway_close(payment.pk)
                done["closed"] += 1
                done["changed"] += bool(outcome and outcome.result == "processed")
                continue
            provider = provider_for_payment(payment)
            event = provider.fetch(payment)
            if event.kind != EventKind.IGNORED:
                outcome = event_apply(payment.provider, event, provider=provider)
                done["changed"] += outcome.result == "processed"
                continue
            ended = payment.order.status != Order.Status.PENDING or payment.order.expires_at <= now
            if ended and payment.created_at <= now - ABANDONED_AFTER:
                Payment.objects.filter(pk=payment.pk, status=Payment.Status.PENDING).update(
                    status=Payment.Status.CANCELLED, failure_code="abandoned"
                )
                payment_gateway_close(payment.pk)
                done["closed"] += 1
        except (ProviderError, ProviderRefused, NotFound) as error:
            logger.warning("reconcile %s: %s", payment.pk, error)
            done["errors"] += 1
    resend = (
        Refund.objects.filter(
            status=Refund.Status.PENDING, created_at__lte=now - REFUND_RESEND_AFTER
        )
        # Counter refunds are paid out by a cashier, not sent.
        .exclude(payment__provider__in=COUNTER_PROVIDERS)
        .order_by("attempts", "created_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    for refund_id in resend:
        try:
            task_named(REFUND_EXECUTE_TASK).apply_async(args=[str(refund_id)])
            done["refunds_resent"] += 1
        except Exception:  # the broker is down: the next pass sends it
            logger.exception("could not queue refund %s", refund_id)
    return done
