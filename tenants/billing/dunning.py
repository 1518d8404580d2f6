"""Charging chains for their invoices, dunning, and suspension for not paying.

An issued invoice is `open` with `next_attempt_at = issued_at`. Every 15 minutes
`dunning_run` charges each open or failed invoice whose `next_attempt_at` has come. The
first failure sets `first_failed_at`; the charge is then retried on days 1, 3 and 7
after it (`RETRY_DAYS`), and the chain's owners are emailed after every failure with
the amount, the reason, and the next try or the suspension date. When an invoice is
still unpaid `PlatformSettings.grace_days` (14) after its first failure, the chain is
suspended with reason `unpaid`: its storefront and API answer 403, its data is kept,
and its owner may still sign in and pay (`tenants.billing.access`).

Paying (a charge that succeeds, the owner's "pay now", staff marking it paid with a
reference) or voiding the invoice resumes the chain at once, if it was suspended as
unpaid and owes no other overdue invoice. A chain staff suspended for another reason
is never resumed here.

Locking: each change takes the invoice's row (`tenants.locking.lock_objects`), then the
chain's row (in `tenant_set_status`). A charge holds the invoice's lock while the
payment account answers, so two "pay now" at once charge once: the second finds the row
locked (409 `charge_in_progress`) or the invoice paid (409 `invoice_not_unpaid`).
Every step writes a `PlatformAuditLog` row in its transaction; emails go after commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from tenants.billing.access import UNPAID_REASON, suspended_for_unpaid
from tenants.billing.gateway import (
    ChargeResult,
    SandboxGateway,
    SavedCard,
    StripeGateway,
    platform_gateway,
)
from tenants.billing.mail import billing_email_send
from tenants.billing.models import ChargeAttempt, Invoice, PlatformSettings, Subscription
from tenants.error_codes import Conflict, DomainError
from tenants.locking import lock_objects
from tenants.models import Domain, PlatformAuditLog, Tenant
from tenants.money import money
from tenants.services import platform_audit, tenant_set_status

logger = logging.getLogger(__name__)

# Days after the first failed charge on which it is tried again.
RETRY_DAYS = (1, 3, 7)
BILLING_PATH = "/dashboard/billing/"
_LOCK_NOT_AVAILABLE = "55P03"


class DunningErrorCode(StrEnum):
    INVOICE_NOT_UNPAID = "invoice_not_unpaid"
    CHARGE_IN_PROGRESS = "charge_in_progress"
    CHARGE_FAILED = "charge_failed"
    REFERENCE_REQUIRED = "reference_required"
    REASON_REQUIRED = "reason_required"


@dataclass(frozen=True)
class DunningReport:
    charged: list[str]
    paid: list[str]
    failed: list[str]
    suspended: list[str]


def grace_days() -> int:
    row = PlatformSettings.objects.filter(pk=1).first()
    return row.grace_days if row else PlatformSettings._meta.get_field("grace_days").default


def next_attempt_after(first_failed_at: datetime, now: datetime) -> datetime | None:
    """The first retry day (1, 3, 7 after the first failure) still to come, or None."""
    for days in RETRY_DAYS:
        when = first_failed_at + timedelta(days=days)
        if when > now:
            return when
    return None


def suspension_due_at(invoice: Invoice) -> datetime | None:
    """When the chain is suspended if this invoice is still unpaid."""
    if not invoice.is_unpaid or invoice.first_failed_at is None:
        return None
    return invoice.first_failed_at + timedelta(days=grace_days())


def _actor_email(actor: Any) -> str:
    return (getattr(actor, "email", "") or "")[:254]


def _lock_unavailable(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE


def _invoice_locked(invoice: Invoice, *, nowait: bool = False) -> Invoice:
    [rows] = lock_objects(Invoice.objects.filter(pk=invoice.pk), nowait=nowait)
    return rows[0]


def _unpaid_or_conflict(invoice: Invoice) -> None:
    if not invoice.is_unpaid:
        raise Conflict(
            DunningErrorCode.INVOICE_NOT_UNPAID,
            f"Invoice {invoice.number} is {invoice.get_status_display().lower()}.",
        )


def _overdue_unpaid(tenant_id: int, now: datetime) -> Q:
    return Q(
        tenant_id=tenant_id,
        status__in=(Invoice.Status.OPEN, Invoice.Status.FAILED),
        first_failed_at__lte=now - timedelta(days=grace_days()),
    )


def _resume_if_paid_up(tenant_id: int, *, actor: Any) -> bool:
    """Resume a chain suspended as unpaid that owes no other overdue invoice (inside the
    caller's transaction). Never resumes a chain suspended for another reason."""
    tenant = Tenant.objects.get(pk=tenant_id)
    if not suspended_for_unpaid(tenant):
        return False
    if Invoice.objects.filter(_overdue_unpaid(tenant_id, timezone.now())).exists():
        return False
    tenant_set_status(tenant, status=Tenant.Status.ACTIVE, actor=actor)
    return True


def _settled(invoice: Invoice, *, reference: str, actor: Any, how: str) -> Invoice:
    old = {"status": invoice.status}
    invoice.status = Invoice.Status.PAID
    invoice.paid_at = timezone.now()
    invoice.payment_reference = reference[:120]
    invoice.next_attempt_at = None
    invoice.save(update_fields=["status", "paid_at", "payment_reference", "next_attempt_at"])
    platform_audit(
        invoice.tenant,
        PlatformAuditLog.Action.INVOICE_PAID,
        actor=actor,
        old=old,
        new={
            "invoice": invoice.number,
            "status": invoice.status,
            "reference": invoice.payment_reference,
            "how": how,
            "total": invoice.total,
            "currency": invoice.currency,
        },
    )
    _resume_if_paid_up(invoice.tenant_id, actor=actor)
    return invoice


def invoice_charge(
    invoice: Invoice, *, requested_by: Any = None, due_by: datetime | None = None
) -> ChargeAttempt:
    """Charge an open or failed invoice to the chain's saved card now, and record the
    attempt. `requested_by` is the owner or staff member who asked (None: the dunning
    schedule, which passes `due_by`: the charge is skipped when, under the lock, the
    next attempt is no longer due by then). Returns the attempt, succeeded or failed: a
    decline is recorded, never raised. Conflict when the invoice is not unpaid, not due,
    or another charge of it is under way."""
    try:
        with transaction.atomic():
            invoice = _invoice_locked(invoice, nowait=True)
            _unpaid_or_conflict(invoice)
            if due_by is not None and (
                invoice.next_attempt_at is None or invoice.next_attempt_at > due_by
            ):
                raise Conflict(
                    DunningErrorCode.CHARGE_IN_PROGRESS,
                    f"Invoice {invoice.number} was charged meanwhile; it is not due now.",
                )
            return _charge_locked(invoice, requested_by=requested_by)
    except OperationalError as error:
        if _lock_unavailable(error):
            raise Conflict(
                DunningErrorCode.CHARGE_IN_PROGRESS,
                f"Invoice {invoice.number} is being charged; try again in a moment.",
            ) from error
        raise


def _charge_locked(invoice: Invoice, *, requested_by: Any) -> ChargeAttempt:
    number = invoice.attempts + 1
    subscription = Subscription.objects.filter(tenant_id=invoice.tenant_id).first()
    gateway = platform_gateway()
    if invoice.total <= 0:
        result = ChargeResult(True, reference="nothing-to-charge")
    elif subscription is None or not subscription.gateway_payment_method:
        result = ChargeResult(
            False, failure_code="no_card", failure_message="No card is saved for the chain."
        )
    else:
        result = gateway.charge(
            customer=subscription.gateway_customer,
            payment_method=subscription.gateway_payment_method,
            amount=invoice.total,
            currency=invoice.currency,
            idempotency_key=f"platform-invoice-{invoice.number}-attempt-{number}",
            description=f"Invoice {invoice.number}",
            metadata={"invoice": invoice.number, "tenant": invoice.tenant.slug},
        )
    attempt = ChargeAttempt.objects.create(
        invoice=invoice,
        number=number,
        provider=gateway.name,
        outcome=(
            ChargeAttempt.Outcome.SUCCEEDED if result.succeeded else ChargeAttempt.Outcome.FAILED
        ),
        gateway_reference=result.reference[:120],
        failure_code=result.failure_code[:64],
        failure_message=result.failure_message[:255],
        requested_by=_actor_email(requested_by),
    )
    invoice.attempts = number
    invoice.save(update_fields=["attempts"])
    if result.succeeded:
        _settled(invoice, reference=result.reference, actor=requested_by, how="card")
    else:
        _failed(invoice, attempt, actor=requested_by)
    return attempt


def _failed(invoice: Invoice, attempt: ChargeAttempt, *, actor: Any) -> None:
    now = timezone.now()
    old = {
        "status": invoice.status,
        "next_attempt_at": invoice.next_attempt_at.isoformat() if invoice.next_attempt_at else None,
    }
    invoice.status = Invoice.Status.FAILED
    invoice.first_failed_at = invoice.first_failed_at or now
    invoice.next_attempt_at = next_attempt_after(invoice.first_failed_at, now)
    invoice.save(update_fields=["status", "first_failed_at", "next_attempt_at"])
    platform_audit(
        invoice.tenant,
        PlatformAuditLog.Action.CHARGE_FAILED,
        actor=actor,
        old=old,
        new={
            "invoice": invoice.number,
            "attempt": attempt.number,
            "code": attempt.failure_code,
            "message": attempt.failure_message,
            "next_attempt_at": (
                invoice.next_attempt_at.isoformat() if invoice.next_attempt_at else None
            ),
        },
    )
    _owners_emailed(invoice, attempt)


def billing_page_url(tenant: Tenant) -> str:
    domain = (
        Domain.objects.filter(tenant=tenant, is_primary=True)
        .values_list("domain", flat=True)
        .first()
        or f"{tenant.slug}.{settings.PLATFORM_DOMAIN}"
    )
    return settings.SITE_URL_TEMPLATE.format(host=domain) + BILLING_PATH


def owner_emails_of(tenant: Tenant) -> list[str]:
    """The chain's active owners (read in its schema through BILLING_OWNER_EMAILS)."""
    with schema_context(tenant.schema_name):
        return list(import_string(settings.BILLING_OWNER_EMAILS)())


def _owners_emailed(invoice: Invoice, attempt: ChargeAttempt) -> None:
    tenant = invoice.tenant
    recipients = owner_emails_of(tenant)
    if not recipients:
        logger.warning("dunning: chain %s has no active owner to email", tenant.slug)
        return
    amount = money(invoice.total, invoice.currency)
    suspend_at = suspension_due_at(invoice)
    day = "%d %B %Y %H:%M UTC"
    if invoice.next_attempt_at:
        next_step = f"We will try your card again on {invoice.next_attempt_at:{day}}."
    else:
        next_step = "We will not try your card again."
    subject = f"{tenant.brand_name}: payment of invoice {invoice.number} failed"
    body = (
        f"Hello,\n\nWe could not charge {amount} for invoice {invoice.number} "
        f"({invoice.month:%B %Y}) of {tenant.brand_name}.\n\n"
        f"Reason: {attempt.failure_message or attempt.failure_code}\n\n"
        f"{next_step}\n"
        + (
            f"Unless it is paid by {suspend_at:{day}}, {tenant.brand_name}'s storefront "
            "will be suspended (your data is kept, and paying resumes it at once).\n\n"
            if suspend_at
            else "\n"
        )
        + f"Pay now or change your card on your dashboard's billing page:\n"
        f"{billing_page_url(tenant)}\n"
    )
    platform_audit(
        tenant,
        PlatformAuditLog.Action.DUNNING_EMAILED,
        new={
            "invoice": invoice.number,
            "attempt": attempt.number,
            "to": recipients,
            "next_attempt_at": (
                invoice.next_attempt_at.isoformat() if invoice.next_attempt_at else None
            ),
            "suspension_at": suspend_at.isoformat() if suspend_at else None,
        },
    )
    transaction.on_commit(lambda: billing_email_send.delay(subject, body, recipients))


def invoice_mark_paid(invoice: Invoice, *, reference: str, actor: Any) -> Invoice:
    """Platform staff record a payment made outside the card (a bank transfer): the
    reference they give is required and kept. Resumes the chain if it may be."""
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(
            DunningErrorCode.REFERENCE_REQUIRED, "Give the payment's reference (a bank transfer's)."
        )
    with transaction.atomic():
        invoice = _invoice_locked(invoice)
        _unpaid_or_conflict(invoice)
        return _settled(invoice, reference=reference, actor=actor, how="marked_paid")


def invoice_void(invoice: Invoice, *, reason: str, actor: Any) -> Invoice:
    """Platform staff cancel an unpaid invoice (it is no longer owed). Resumes the
    chain if it was suspended as unpaid for it alone."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(DunningErrorCode.REASON_REQUIRED, "Say why the invoice is void.")
    with transaction.atomic():
        invoice = _invoice_locked(invoice)
        _unpaid_or_conflict(invoice)
        old = {"status": invoice.status}
        invoice.status = Invoice.Status.VOID
        invoice.voided_reason = reason[:255]
        invoice.next_attempt_at = None
        invoice.save(update_fields=["status", "voided_reason", "next_attempt_at"])
        platform_audit(
            invoice.tenant,
            PlatformAuditLog.Action.INVOICE_VOIDED,
            actor=actor,
            old=old,
            new={"invoice": invoice.number, "status": invoice.status, "reason": reason[:255]},
        )
        _resume_if_paid_up(invoice.tenant_id, actor=actor)
    return invoice


def subscription_card_setup_begin(
    subscription: Subscription, *, email: str, success_url: str, cancel_url: str
) -> str:
    """Start saving a card at the platform's Stripe account: the chain's Stripe customer
    is made (and kept) if it has none, and the URL of Stripe's page is returned."""
    gateway = platform_gateway()
    if not isinstance(gateway, StripeGateway):
        raise DomainError("card_setup_failed", "Cards are saved on the billing page's form.")
    tenant = subscription.tenant
    setup = gateway.card_setup_start(
        customer=subscription.gateway_customer,
        tenant_slug=tenant.slug,
        tenant_name=tenant.brand_name,
        email=email,
        success_url=success_url,
        cancel_url=cancel_url,
    )
    if setup.customer != subscription.gateway_customer:
        Subscription.objects.filter(pk=subscription.pk).update(gateway_customer=setup.customer)
    return setup.redirect_url


def subscription_card_setup_finish(
    subscription: Subscription, *, session_id: str, actor: Any
) -> Subscription:
    """The owner is back from Stripe's page: keep the card they saved there."""
    gateway = platform_gateway()
    if not isinstance(gateway, StripeGateway):
        raise DomainError("card_setup_failed", "Cards are saved on the billing page's form.")
    card = gateway.card_setup_finish(
        session_id, customer=subscription.gateway_customer, tenant_slug=subscription.tenant.slug
    )
    return subscription_card_save(subscription, card=card, actor=actor)


def subscription_sandbox_card_save(
    subscription: Subscription, *, number: str, actor: Any
) -> Subscription:
    """The demo's sandbox: a test card number becomes a sandbox id and a label (the
    number itself is not kept)."""
    gateway = platform_gateway()
    if not isinstance(gateway, SandboxGateway):
        raise DomainError("card_setup_failed", "Cards are saved at the payment service's page.")
    return subscription_card_save(subscription, card=gateway.card_save(number), actor=actor)


@transaction.atomic
def subscription_card_save(
    subscription: Subscription, *, card: SavedCard, actor: Any
) -> Subscription:
    """Keep the chain's card (ids and label only) for its invoices' charges."""
    subscription.refresh_from_db()
    old = {"card": subscription.card_label}
    subscription.gateway_customer = card.customer
    subscription.gateway_payment_method = card.payment_method
    subscription.card_label = card.label
    subscription.save(
        update_fields=["gateway_customer", "gateway_payment_method", "card_label", "updated_at"]
    )
    platform_audit(
        subscription.tenant,
        PlatformAuditLog.Action.TENANT_UPDATED,
        actor=actor,
        old=old,
        new={"card": card.label},
    )
    return subscription


def chains_to_suspend(now: datetime) -> list[Tenant]:
    """Active chains with an invoice unpaid for longer than the grace period."""
    overdue = Invoice.objects.filter(
        status__in=(Invoice.Status.OPEN, Invoice.Status.FAILED),
        first_failed_at__lte=now - timedelta(days=grace_days()),
    ).values("tenant_id")
    return list(Tenant.objects.filter(pk__in=overdue, status=Tenant.Status.ACTIVE).order_by("pk"))


def _suspend_for_unpaid(tenant: Tenant, now: datetime) -> bool:
    """Suspend the chain as unpaid, unless its overdue invoices were settled meanwhile
    (they are locked first, so a payment in flight is waited for)."""
    with transaction.atomic():
        overdue = lock_objects(Invoice.objects.filter(_overdue_unpaid(tenant.pk, now)))[0]
        if not overdue:
            return False
        tenant_set_status(tenant, status=Tenant.Status.SUSPENDED, reason=UNPAID_REASON)
    return True


def dunning_run(now: datetime | None = None) -> DunningReport:
    """Charge every invoice that is due, then suspend the chains past their grace.

    Each invoice is charged in its own transaction (one chain's card never holds up
    another's); an invoice being charged by its owner right now is left for the next
    run."""
    now = now or timezone.now()
    due = list(
        Invoice.objects.filter(
            status__in=(Invoice.Status.OPEN, Invoice.Status.FAILED), next_attempt_at__lte=now
        )
        .select_related("tenant")
        .order_by("next_attempt_at", "pk")
    )
    charged, paid, failed, suspended = [], [], [], []
    for invoice in due:
        try:
            attempt = invoice_charge(invoice, due_by=now)
        except Conflict:
            continue
        charged.append(invoice.number)
        if attempt.outcome == ChargeAttempt.Outcome.SUCCEEDED:
            paid.append(invoice.number)
        else:
            failed.append(invoice.number)
    for tenant in chains_to_suspend(now):
        if _suspend_for_unpaid(tenant, now):
            suspended.append(tenant.slug)
    if charged or suspended:
        logger.info(
            "dunning: %d charged (%d paid, %d failed), %d chains suspended",
            len(charged),
            len(paid),
            len(failed),
            len(suspended),
        )
    return DunningReport(charged=charged, paid=paid, failed=failed, suspended=suspended)


def overdue_notice(tenant: Tenant) -> tuple[Invoice, datetime | None] | None:
    """The chain's earliest invoice whose charge failed and is still unpaid, with the
    moment the chain is suspended unless it is paid (for the dashboard's banner)."""
    invoice = (
        Invoice.objects.filter(tenant=tenant, status=Invoice.Status.FAILED)
        .order_by("first_failed_at", "pk")
        .first()
    )
    if invoice is None:
        return None
    return invoice, suspension_due_at(invoice)
