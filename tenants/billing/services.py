"""The platform's own business: plans, each chain's subscription, and the monthly close
that turns each chain's ledger into an invoice.

Everything here runs in the public schema. A chain's figures are read in its own
schema by the function `settings.BILLING_USAGE_READER` names (tenants is the lowest
layer: it names the reader and never imports it), live money only, from the ledger.

The close, per chain and month: the month must have ended in the chain's own time zone;
one invoice per chain and month (a unique constraint: running it again, or twice at
once, issues nothing new); its number is the next of the issue year's
`InvoiceSequence`, taken under that row's lock in the transaction that issues it, so a
rollback gives the number back and a year's numbers have no gaps. Once issued the
invoice is frozen by the database (billing migration 0002).
"""

from __future__ import annotations

import logging
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone as django_timezone
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from tenants.billing.error_codes import BillingErrorCode
from tenants.billing.models import (
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    MonthUsage,
    Plan,
    PlanPrice,
    PlatformSettings,
    Subscription,
)
from tenants.error_codes import Conflict, DomainError
from tenants.models import PlatformAuditLog, Tenant
from tenants.money import money
from tenants.services import currency_clean, platform_audit

logger = logging.getLogger(__name__)

DEFAULT_PLAN_CODE = "standard"
BASIS_POINTS = 10_000
_PLAN_CODE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
# Far above any fee, far below what a bigint holds.
MAX_AMOUNT = 10**12
# The earliest any time zone starts a day (UTC+14): before then a month has ended
# nowhere, and a close of it is refused.
_EARLIEST_ZONE = timezone(timedelta(hours=14))


# --- plans ---------------------------------------------------------------------------------


def _whole(value: Any, label: str, *, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DomainError(BillingErrorCode.PLAN_INVALID, f"{label} must be a whole number ≥ 0.")
    if maximum is not None and value > maximum:
        raise DomainError(BillingErrorCode.PLAN_INVALID, f"{label} is at most {maximum}.")
    return value


def _prices_clean(prices: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """`{currency: {monthly_fee, per_ticket}}` in minor units, checked."""
    if not isinstance(prices, Mapping):
        raise DomainError(BillingErrorCode.PLAN_INVALID, "Prices are given per currency.")
    cleaned: dict[str, dict[str, int]] = {}
    for currency, price in prices.items():
        if not isinstance(price, Mapping):
            raise DomainError(
                BillingErrorCode.PLAN_INVALID, f"The {currency} price needs its fees."
            )
        cleaned[currency_clean(currency)] = {
            "monthly_fee": _whole(
                price.get("monthly_fee", 0), "The monthly fee", maximum=MAX_AMOUNT
            ),
            "per_ticket": _whole(
                price.get("per_ticket", 0), "The fee per ticket", maximum=2_147_483_647
            ),
        }
    return cleaned


def _plan_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name or len(name) > 80:
            raise DomainError(BillingErrorCode.PLAN_INVALID, "A plan needs a name (≤ 80).")
        cleaned["name"] = name
    if "description" in values:
        description = (values["description"] or "").strip()
        if len(description) > 255:
            raise DomainError(BillingErrorCode.PLAN_INVALID, "The description is ≤ 255.")
        cleaned["description"] = description
    if "basis_points" in values:
        cleaned["basis_points"] = _whole(
            values["basis_points"], "The share of net sales (basis points)", maximum=2_000
        )
    if "trial_days" in values:
        cleaned["trial_days"] = _whole(values["trial_days"], "The trial (days)", maximum=365)
    for flag in ("public", "active"):
        if flag in values:
            cleaned[flag] = bool(values[flag])
    return cleaned


def _plan_snapshot(plan: Plan) -> dict[str, Any]:
    return {
        "plan": plan.code,
        "name": plan.name,
        "basis_points": plan.basis_points,
        "trial_days": plan.trial_days,
        "public": plan.public,
        "active": plan.active,
        "prices": {
            price.currency: {"monthly_fee": price.monthly_fee, "per_ticket": price.per_ticket}
            for price in plan.prices.order_by("currency")
        },
    }


def _platform_tenant() -> Tenant:
    return Tenant.objects.get(schema_name=settings.PUBLIC_SCHEMA_NAME)


@transaction.atomic
def plan_create(
    *,
    code: str,
    name: str,
    prices: Mapping[str, Mapping[str, Any]],
    basis_points: int = 0,
    trial_days: int = 0,
    description: str = "",
    public: bool = True,
    active: bool = True,
    actor: Any = None,
) -> Plan:
    """A new plan with its prices per currency (`{"INR": {"monthly_fee": 0,
    "per_ticket": 500}}`, minor units). DomainError `plan_invalid` for a bad value,
    Conflict `plan_taken` for a code in use. Audited as `plan_changed` on the
    platform's own row (a plan belongs to no chain)."""
    code = (code or "").strip().lower()
    if not _PLAN_CODE.match(code):
        raise DomainError(
            BillingErrorCode.PLAN_INVALID,
            "The code is 2 to 40 lower-case letters, digits and dashes, starting with a letter.",
        )
    values = _plan_values(
        {
            "name": name,
            "description": description,
            "basis_points": basis_points,
            "trial_days": trial_days,
            "public": public,
            "active": active,
        }
    )
    cleaned = _prices_clean(prices)
    if not cleaned:
        raise DomainError(BillingErrorCode.PLAN_INVALID, "A plan needs a price in a currency.")
    if Plan.objects.filter(code=code).exists():
        raise Conflict(BillingErrorCode.PLAN_TAKEN, f"A plan with the code {code!r} exists.")
    try:
        with transaction.atomic():
            plan = Plan.objects.create(code=code, **values)
    except IntegrityError as error:
        raise Conflict(
            BillingErrorCode.PLAN_TAKEN, f"A plan with the code {code!r} exists."
        ) from error
    PlanPrice.objects.bulk_create(
        PlanPrice(plan=plan, currency=currency, **price) for currency, price in cleaned.items()
    )
    platform_audit(
        _platform_tenant(),
        PlatformAuditLog.Action.PLAN_CHANGED,
        actor=actor,
        new=_plan_snapshot(plan),
    )
    return plan


@transaction.atomic
def plan_update(
    plan: Plan,
    *,
    name: str | None = None,
    description: str | None = None,
    basis_points: int | None = None,
    trial_days: int | None = None,
    public: bool | None = None,
    active: bool | None = None,
    prices: Mapping[str, Mapping[str, Any]] | None = None,
    actor: Any = None,
) -> Plan:
    """Change a plan (None leaves a value as it is). `prices` sets the fees of the
    currencies it names and leaves the others. A change applies to the chains on the
    plan from the next monthly close (invoices already issued keep what they say).
    Audited as `plan_changed` on the platform's own row, with old and new values."""
    given = {
        "name": name,
        "description": description,
        "basis_points": basis_points,
        "trial_days": trial_days,
        "public": public,
        "active": active,
    }
    values = _plan_values({key: value for key, value in given.items() if value is not None})
    cleaned = _prices_clean(prices) if prices is not None else {}
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    old = _plan_snapshot(plan)
    for key, value in values.items():
        setattr(plan, key, value)
    if values:
        plan.save(update_fields=list(values))
    for currency, price in cleaned.items():
        PlanPrice.objects.update_or_create(plan=plan, currency=currency, defaults=price)
    new = _plan_snapshot(plan)
    if new != old:
        platform_audit(
            _platform_tenant(), PlatformAuditLog.Action.PLAN_CHANGED, actor=actor, old=old, new=new
        )
    return plan


def plan_resolve(plan: Plan | str | None) -> Plan:
    """A plan by code (or itself); None is the platform's default plan (the platform
    settings' one, else `standard`). DomainError `plan_not_found` (400) for an unknown
    or retired code."""
    if isinstance(plan, Plan):
        return plan
    if plan is None:
        chosen = (
            PlatformSettings.objects.filter(pk=1, default_plan__active=True)
            .values_list("default_plan", flat=True)
            .first()
        )
        found = Plan.objects.filter(pk=chosen).first() if chosen else None
        found = found or Plan.objects.filter(code=DEFAULT_PLAN_CODE).first()
        if found is None:
            raise DomainError(BillingErrorCode.PLAN_NOT_FOUND, "There is no default plan.")
        return found
    found = Plan.objects.filter(code=str(plan).strip().lower(), active=True).first()
    if found is None:
        raise DomainError(BillingErrorCode.PLAN_NOT_FOUND, f"There is no plan {plan!r}.")
    return found


def plan_price(plan: Plan, currency: str) -> PlanPrice:
    """The plan's fees in `currency`; DomainError `plan_currency_missing` (400) when it
    has none."""
    price = PlanPrice.objects.filter(plan=plan, currency=currency).first()
    if price is None:
        raise DomainError(
            BillingErrorCode.PLAN_CURRENCY_MISSING,
            f"The plan {plan.code!r} has no price in {currency}.",
        )
    return price


def _fees_copy(tenant: Tenant, plan: Plan, *, actor: Any = None) -> None:
    """The plan's fee per ticket and share onto the chain, where the sale-time accrual
    of platform fees reads them (audited as `tenant_updated` when they change)."""
    price = plan_price(plan, tenant.currency)
    fees = {
        "platform_fee_per_ticket": price.per_ticket,
        "platform_fee_basis_points": plan.basis_points,
    }
    old = {key: getattr(tenant, key) for key in fees}
    if old == fees:
        return
    Tenant.objects.filter(pk=tenant.pk).update(**fees, updated_at=django_timezone.now())
    for key, value in fees.items():
        setattr(tenant, key, value)
    platform_audit(tenant, PlatformAuditLog.Action.TENANT_UPDATED, actor=actor, old=old, new=fees)


# --- subscriptions ---------------------------------------------------------------------------


def chain_today(tenant: Tenant) -> date:
    return django_timezone.localdate(timezone=zoneinfo.ZoneInfo(tenant.timezone))


def _subscribe(
    tenant: Tenant, plan: Plan | str | None, starts_on: date | None
) -> tuple[Subscription, dict[str, Any]]:
    """The subscription and the chain's fees from the plan; what was set, for the
    caller's audit row."""
    chosen = plan_resolve(plan)
    price = plan_price(chosen, tenant.currency)
    if Subscription.objects.filter(tenant=tenant).exists():
        raise Conflict(BillingErrorCode.PLAN_INVALID, f"{tenant.name} is already on a plan.")
    starts_on = starts_on or chain_today(tenant)
    subscription = Subscription.objects.create(
        tenant=tenant,
        plan=chosen,
        starts_on=starts_on,
        trial_ends_on=(
            starts_on + timedelta(days=chosen.trial_days - 1) if chosen.trial_days else None
        ),
    )
    fees = {
        "platform_fee_per_ticket": price.per_ticket,
        "platform_fee_basis_points": chosen.basis_points,
    }
    Tenant.objects.filter(pk=tenant.pk).update(**fees)
    for key, value in fees.items():
        setattr(tenant, key, value)
    values = {
        "plan": chosen.code,
        "starts_on": starts_on.isoformat(),
        "trial_ends_on": (
            subscription.trial_ends_on.isoformat() if subscription.trial_ends_on else None
        ),
        **fees,
    }
    return subscription, values


@transaction.atomic
def subscription_start(
    tenant: Tenant,
    plan: Plan | str | None = None,
    starts_on: date | None = None,
    *,
    actor: Any = None,
) -> Subscription:
    """Put a chain on a plan from `starts_on` (today in the chain's zone when not
    given), with the plan's trial (`trial_ends_on`, its last free day). The plan
    defaults to the platform's default plan. DomainError (400) `plan_not_found`, or
    `plan_currency_missing` when the plan has no price in the chain's currency;
    Conflict `plan_invalid` for a chain already on a plan. The chain's fee per ticket
    and share (the sale-time accrual's) are set from the plan. Audited as
    `plan_changed`."""
    subscription, values = _subscribe(tenant, plan, starts_on)
    platform_audit(tenant, PlatformAuditLog.Action.PLAN_CHANGED, actor=actor, new=values)
    return subscription


def tenant_subscribe(tenant: Tenant, *, plan: str | None = None) -> dict[str, Any]:
    """Onboarding's step (settings.TENANT_SUBSCRIBE, called by `tenant_onboard` in its
    transaction, before the schema is made): the new chain on `plan` or the default,
    from today. Returns what was set, which the onboarding's audit row records."""
    return _subscribe(tenant, plan, None)[1]


@transaction.atomic
def plan_change(tenant: Tenant, plan: Plan | str, actor: Any = None) -> Subscription:
    """Move a chain to `plan` from the first day of its next month (the monthly close
    applies it); asking for the plan it is on cancels a change that was waiting. A
    chain with no subscription yet starts on the plan now. DomainError (400)
    `plan_not_found` / `plan_currency_missing`. Audited as `plan_changed`."""
    chosen = plan_resolve(plan)
    plan_price(chosen, tenant.currency)
    subscription = Subscription.objects.select_for_update().filter(tenant=tenant).first()
    if subscription is None:
        return subscription_start(tenant, chosen, actor=actor)
    old = {
        "plan": subscription.plan.code,
        "next_plan": subscription.next_plan.code if subscription.next_plan else None,
    }
    subscription.next_plan = None if chosen.pk == subscription.plan_id else chosen
    new = {
        "plan": subscription.plan.code,
        "next_plan": subscription.next_plan.code if subscription.next_plan else None,
    }
    if new != old:
        subscription.save(update_fields=["next_plan", "updated_at"])
        platform_audit(tenant, PlatformAuditLog.Action.PLAN_CHANGED, actor=actor, old=old, new=new)
    return subscription


def _plan_roll(subscription_id: int) -> None:
    """After the close of a chain's last ended month: its waiting plan becomes its plan,
    and the plan's fees are copied onto the chain (the platform's schedule did it)."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(of=("self",))
            .select_related("tenant", "plan", "next_plan")
            .get(pk=subscription_id)
        )
        tenant = subscription.tenant
        if subscription.next_plan is not None:
            old = {"plan": subscription.plan.code, "next_plan": subscription.next_plan.code}
            subscription.plan, subscription.next_plan = subscription.next_plan, None
            subscription.save(update_fields=["plan", "next_plan", "updated_at"])
            platform_audit(
                tenant,
                PlatformAuditLog.Action.PLAN_CHANGED,
                old=old,
                new={"plan": subscription.plan.code, "next_plan": None},
            )
        try:
            _fees_copy(tenant, subscription.plan)
        except DomainError:
            logger.warning("plan %s has no %s price", subscription.plan.code, tenant.currency)


# --- a chain's month ---------------------------------------------------------------------


def month_first(day: date) -> date:
    return day.replace(day=1)


def month_next(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_bounds(tenant: Tenant, month: date) -> tuple[datetime, datetime]:
    """The month's first and next month's first instant in the chain's zone."""
    zone = zoneinfo.ZoneInfo(tenant.timezone)
    return (
        datetime.combine(month, time(), tzinfo=zone),
        datetime.combine(month_next(month), time(), tzinfo=zone),
    )


def usage_read(tenant: Tenant, month: date) -> dict[str, Any]:
    """The chain's billed figures of `month` (its own zone), from its ledger:
    `{currency, tickets, gross, refunded}` (settings.BILLING_USAGE_READER)."""
    start, end = month_bounds(tenant, month)
    reader = import_string(settings.BILLING_USAGE_READER)
    with schema_context(tenant.schema_name):
        usage = dict(reader(start, end))
    return usage


def month_usage_store(tenant: Tenant, month: date, usage: Mapping[str, Any]) -> MonthUsage:
    row, _ = MonthUsage.objects.update_or_create(
        tenant=tenant,
        month=month,
        defaults={
            "currency": usage.get("currency") or tenant.currency,
            "tickets": usage["tickets"],
            "gross": usage["gross"],
            "refunded": usage["refunded"],
        },
    )
    return row


def month_usage_refresh(tenant: Tenant, month: date | None = None) -> MonthUsage:
    """The console's copy of a chain's month (its current month by default)."""
    month = month_first(month or chain_today(tenant))
    return month_usage_store(tenant, month, usage_read(tenant, month))


def month_usage_refresh_all() -> int:
    """Every chain's current month, for the console; a chain that fails is logged and
    the others go on. Returns how many were refreshed."""
    done = 0
    for tenant in Tenant.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("pk"):
        try:
            month_usage_refresh(tenant)
        except Exception:
            logger.exception("month usage of %s not refreshed", tenant.slug)
            continue
        done += 1
    return done


# --- the invoice ---------------------------------------------------------------------------


def _days(first: date, last: date) -> int:
    return max((last - first).days + 1, 0)


def _prorated(fee: int, days: int, month_days: int) -> int:
    return (fee * days * 2 + month_days) // (2 * month_days)


def invoice_lines(
    *,
    month: date,
    plan_name: str,
    basis_points: int,
    monthly_fee: int,
    per_ticket: int,
    currency: str,
    usage: Mapping[str, Any],
    starts_on: date,
    trial_ends_on: date | None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The lines of a chain's invoice for `month` and what they were built from.

    - the monthly fee, prorated by days when the subscription started in the month;
    - the days of a free trial in the month, waived on a line of their own;
    - the fee per ticket, on the tickets sold less those refunded in full;
    - the plan's share (basis points) of net live sales, gross less refunds.
    A month whose refunds (of earlier sales) pass its sales bills no negative count or
    share: those lines are 0.
    """
    last = month_next(month) - timedelta(days=1)
    month_days = last.day
    first = max(starts_on, month)
    subscribed = _days(first, last)
    trial = _days(first, min(trial_ends_on, last)) if trial_ends_on else 0
    label = f"{month:%B %Y}"
    fee = _prorated(monthly_fee, subscribed, month_days)
    if subscribed == month_days:
        fee_text = f"Monthly fee, {plan_name} plan, {label}"
    else:
        fee_text = (
            f"Monthly fee, {plan_name} plan, {subscribed} of {month_days} days "
            f"({first.day} to {last.day} {label})"
        )
    lines = [{"description": fee_text, "quantity": 1, "unit_amount": fee, "amount": fee}]
    if trial:
        waived = fee - _prorated(monthly_fee, subscribed - trial, month_days)
        trial_last = first + timedelta(days=trial - 1)
        lines.append(
            {
                "description": (
                    f"Free trial to {trial_last.day} {trial_last:%B %Y}: the monthly fee of "
                    f"{trial} days waived"
                ),
                "quantity": 1,
                "unit_amount": -waived,
                "amount": -waived,
            }
        )
    tickets = max(int(usage["tickets"]), 0)
    lines.append(
        {
            "description": (
                f"Fee per ticket, {money(per_ticket, currency, symbol=False)} each "
                "(live tickets sold less those refunded in full)"
            ),
            "quantity": tickets,
            "unit_amount": per_ticket,
            "amount": tickets * per_ticket,
        }
    )
    gross, refunded = int(usage["gross"]), int(usage["refunded"])
    net = max(gross - refunded, 0)
    share = (net * basis_points + BASIS_POINTS // 2) // BASIS_POINTS
    lines.append(
        {
            "description": (
                f"{basis_points / 100:.2f}% of net live sales: "
                f"{money(gross, currency, symbol=False)} gross less "
                f"{money(refunded, currency, symbol=False)} refunded = "
                f"{money(net, currency, symbol=False)}"
            ),
            "quantity": 1,
            "unit_amount": share,
            "amount": share,
        }
    )
    basis = {
        "tickets": int(usage["tickets"]),
        "gross": gross,
        "refunded": refunded,
        "net": gross - refunded,
        "month_days": month_days,
        "days_billed": subscribed,
        "trial_days": trial,
        "monthly_fee": monthly_fee,
        "per_ticket": per_ticket,
        "basis_points": basis_points,
    }
    return lines, basis


def _number_take(year: int) -> str:
    """The next number of `year`, under its sequence row's lock (held to commit)."""
    InvoiceSequence.objects.bulk_create([InvoiceSequence(year=year)], ignore_conflicts=True)
    sequence = InvoiceSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{year}-{sequence.last:06d}"


def invoice_issue(
    subscription: Subscription, month: date, *, actor: Any = None
) -> tuple[Invoice, bool]:
    """The chain's invoice for `month`, issued now unless it exists: (invoice, issued).

    In one transaction: the year's sequence locked (so concurrent closes queue here and
    the second finds the first's invoice), the ledger read, the lines, the number, the
    month's usage copy and the audit row. A zero total is issued paid ("nothing to
    pay"); any other is open, to be charged at once (`next_attempt_at`)."""
    tenant = subscription.tenant
    now = django_timezone.now()
    try:
        with transaction.atomic():
            number = _number_take(django_timezone.localdate(now).year)
            existing = Invoice.objects.filter(tenant=tenant, month=month).first()
            if existing is not None:
                transaction.set_rollback(True)
                return existing, False
            plan = subscription.plan
            price = plan_price(plan, tenant.currency)
            usage = usage_read(tenant, month)
            lines, basis = invoice_lines(
                month=month,
                plan_name=plan.name,
                basis_points=plan.basis_points,
                monthly_fee=price.monthly_fee,
                per_ticket=price.per_ticket,
                currency=tenant.currency,
                usage=usage,
                starts_on=subscription.starts_on,
                trial_ends_on=subscription.trial_ends_on,
            )
            total = sum(line["amount"] for line in lines)
            paid = total <= 0
            invoice = Invoice.objects.create(
                number=number,
                tenant=tenant,
                month=month,
                currency=tenant.currency,
                total=total,
                plan_code=plan.code,
                plan_name=plan.name,
                usage=basis,
                issued_at=now,
                due_on=chain_today(tenant),
                status=Invoice.Status.PAID if paid else Invoice.Status.OPEN,
                paid_at=now if paid else None,
                payment_reference="nothing to pay" if paid else "",
                next_attempt_at=None if paid else now,
            )
            InvoiceLine.objects.bulk_create(
                InvoiceLine(invoice=invoice, position=position, **line)
                for position, line in enumerate(lines, start=1)
            )
            month_usage_store(tenant, month, usage)
            platform_audit(
                tenant,
                PlatformAuditLog.Action.INVOICE_ISSUED,
                actor=actor,
                new={
                    "number": invoice.number,
                    "month": f"{month:%Y-%m}",
                    "currency": invoice.currency,
                    "total": invoice.total,
                    "status": invoice.status,
                },
            )
            return invoice, True
    except IntegrityError:
        # Issued by another close between our check and our insert.
        return Invoice.objects.get(tenant=tenant, month=month), False


@dataclass
class CloseResult:
    month: date
    issued: list[Invoice] = field(default_factory=list)
    existing: list[Invoice] = field(default_factory=list)
    # Chains whose month has not ended yet in their zone, and chains that failed.
    waiting: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def month_parse(value: str) -> date:
    """`YYYY-MM` as the month's first day; DomainError `month_invalid`."""
    try:
        parsed = datetime.strptime(value or "", "%Y-%m")
    except (TypeError, ValueError) as error:
        raise DomainError(BillingErrorCode.MONTH_INVALID, "The month is YYYY-MM.") from error
    if not 2000 <= parsed.year <= 2999:
        raise DomainError(BillingErrorCode.MONTH_INVALID, "The month is YYYY-MM, from 2000.")
    return parsed.date()


def month_close(month: date, actor: Any = None, *, tenant: Tenant | None = None) -> CloseResult:
    """Issue every subscribed chain's invoice for `month` whose month has ended in its
    own zone (the others wait, and a later run issues theirs); then, for a chain whose
    closed month is the last that ended, apply its waiting plan change. `tenant`
    closes that chain only. DomainError `month_not_ended` (400) when the month has
    ended nowhere yet. Idempotent."""
    month = month_first(month)
    following = month_next(month)
    now = django_timezone.now()
    if now < datetime.combine(following, time(), tzinfo=_EARLIEST_ZONE):
        raise DomainError(
            BillingErrorCode.MONTH_NOT_ENDED,
            f"{month:%B %Y} has not ended yet: it can be closed from "
            f"{following.day} {following:%B %Y}.",
        )
    result = CloseResult(month=month)
    subscriptions = (
        Subscription.objects.select_related("tenant", "plan")
        .exclude(tenant__schema_name=settings.PUBLIC_SCHEMA_NAME)
        .filter(starts_on__lt=following)
        .order_by("tenant__slug")
    )
    if tenant is not None:
        subscriptions = subscriptions.filter(tenant=tenant)
    for subscription in subscriptions:
        chain = subscription.tenant
        if now < month_bounds(chain, month)[1]:
            result.waiting.append(chain.slug)
            continue
        try:
            invoice, issued = invoice_issue(subscription, month, actor=actor)
        except DomainError as error:
            logger.error("no invoice for %s %s: %s", chain.slug, month, error.detail)
            result.failed[chain.slug] = error.detail
            continue
        (result.issued if issued else result.existing).append(invoice)
        if month_first(chain_today(chain)) == following:
            _plan_roll(subscription.pk)
    return result


def month_close_due(actor: Any = None) -> CloseResult:
    """The beat's close: the month before the current one (UTC), which each chain
    closes once its own zone has left it; run hourly on days 1 and 2 of the month."""
    today = django_timezone.now().astimezone(UTC).date()
    return month_close(month_first(month_first(today) - timedelta(days=1)), actor=actor)
