"""Chains that sign up themselves on the apex domain, and the approval gate on going live.

A sign-up is checked as onboarding checks a chain (tenants.services' cleaners: the slug's
pattern and reserved names, the currency, the time zone, the password validators) and
kept as a `SignUp` row with the password hashed and a digest of a random token; the
token itself goes out only in the email. Following the link (once, within
`LINK_HOURS`) onboards the chain in one transaction: schema, domain, the owner with the
hashed password, the subscription on the chosen plan with its trial. The chain starts in
test mode, as every new chain does.

When the platform's settings require it, a signed-up chain waits for platform staff
before it may go live (`live_allowed`); chains that staff onboarded never wait.

The sign-up form carries a signed timestamp (`form_token`): a form sent less than
`FORM_MIN_SECONDS` after it was shown was not filled in by a person, and one older than
a day is stale. Together with a honeypot field (checked by the API view) this keeps
simple bots out without a CAPTCHA, which would need a third-party service.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone as django_timezone

from tenants.billing.models import Plan, PlanPrice, PlatformSettings, SignUp
from tenants.error_codes import Conflict, DomainError, NotFound, TenantErrorCode
from tenants.models import PlatformAuditLog, Tenant
from tenants.money import money
from tenants.queue import task_enqueue_on_commit
from tenants.schemas import use_public_schema
from tenants.services import (
    currency_clean,
    name_clean,
    owner_clean,
    platform_audit,
    slug_clean,
    template_schema_ensure,
    tenant_onboard,
    timezone_clean,
)

# How long the emailed link works.
LINK_HOURS = 48
# The sign-up form: sent sooner than this after it was shown, no person filled it in;
# older than FORM_MAX_SECONDS, it is stale (the page is shown again with a fresh one).
FORM_MIN_SECONDS = 3
FORM_MAX_SECONDS = 24 * 3600
_FORM_SALT = "tenants.billing.signups.form"


class SignUpErrorCode(StrEnum):
    SIGNUPS_CLOSED = "signups_closed"
    EMAIL_INVALID = "email_invalid"
    PASSWORD_INVALID = "password_invalid"  # noqa: S105 (a code, not a password)
    PLAN_INVALID = "plan_invalid"
    FORM_TOO_FAST = "form_too_fast"
    FORM_EXPIRED = "form_expired"
    FORM_INVALID = "form_invalid"
    LINK_INVALID = "signup_link_invalid"
    LINK_EXPIRED = "signup_link_expired"
    APPROVAL_NOT_WAITING = "approval_not_waiting"
    APPROVAL_REQUIRED = "approval_required"


# Which field of the form each refusal is about (the page shows it beside that field).
FIELD_OF_CODE: dict[str, str] = {
    TenantErrorCode.NAME_INVALID: "name",
    TenantErrorCode.SLUG_INVALID: "slug",
    TenantErrorCode.SLUG_RESERVED: "slug",
    TenantErrorCode.SLUG_TAKEN: "slug",
    SignUpErrorCode.EMAIL_INVALID: "email",
    SignUpErrorCode.PASSWORD_INVALID: "password",
    TenantErrorCode.CURRENCY_INVALID: "currency",
    TenantErrorCode.TIMEZONE_INVALID: "timezone",
    SignUpErrorCode.PLAN_INVALID: "plan",
}


def platform_settings() -> PlatformSettings:
    """The platform's switches (row 1), or their defaults while nobody saved them."""
    return PlatformSettings.objects.filter(pk=1).first() or PlatformSettings(pk=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link_deadline() -> Any:
    return django_timezone.now() - timedelta(hours=LINK_HOURS)


def _slug_taken(slug: str) -> bool:
    """A chain has the slug, or a sign-up whose link still works asked for it."""
    return (
        Tenant.objects.filter(slug=slug).exists()
        or SignUp.objects.filter(
            slug=slug, status=SignUp.Status.PENDING, created_at__gte=_link_deadline()
        ).exists()
    )


def slug_availability(slug: str) -> tuple[bool, str]:
    """Whether a chain may sign up with `slug`: `(True, "")`, or `(False, reason)` with
    reason `invalid`, `reserved` or `taken` (by a chain or a pending sign-up)."""
    try:
        cleaned = slug_clean(slug)
    except DomainError as error:
        return False, "reserved" if error.code == TenantErrorCode.SLUG_RESERVED else "invalid"
    if _slug_taken(cleaned):
        return False, "taken"
    return True, ""


def public_plans() -> list[Plan]:
    """The plans offered on the sign-up page, with their prices."""
    return list(Plan.objects.filter(public=True, active=True).prefetch_related("prices"))


def signup_options() -> dict[str, Any]:
    """What the sign-up page offers: the public plans with their prices in each currency
    (minor units and as text), the currencies they are priced in, the time zones, and the
    plan selected first."""
    plans = public_plans()
    currencies = sorted({price.currency for plan in plans for price in plan.prices.all()})
    default = platform_settings().default_plan_id
    return {
        "plans": [
            {
                "code": plan.code,
                "name": plan.name,
                "description": plan.description,
                "trial_days": plan.trial_days,
                "basis_points": plan.basis_points,
                "prices": [
                    {
                        "currency": price.currency,
                        "monthly_fee": price.monthly_fee,
                        "per_ticket": price.per_ticket,
                        "monthly_fee_text": money(price.monthly_fee, price.currency),
                        "per_ticket_text": money(price.per_ticket, price.currency),
                    }
                    for price in plan.prices.all()
                ],
            }
            for plan in plans
        ],
        "currencies": currencies,
        "timezones": sorted(
            zone for zone in zoneinfo.available_timezones() if "/" in zone and "Etc/" not in zone
        ),
        "default_plan": next((plan.code for plan in plans if plan.pk == default), None)
        or (plans[0].code if plans else None),
    }


def form_token() -> str:
    """A signed timestamp for the sign-up form, checked by `form_token_check`."""
    return signing.dumps(time.time(), salt=_FORM_SALT)


def form_token_check(token: str) -> None:
    """DomainError `form_too_fast` (sent within FORM_MIN_SECONDS of being shown: no
    person types that fast), `form_expired` (older than a day) or `form_invalid`."""
    try:
        shown = float(signing.loads(token or "", salt=_FORM_SALT, max_age=FORM_MAX_SECONDS))
    except signing.SignatureExpired as error:
        raise DomainError(
            SignUpErrorCode.FORM_EXPIRED, "This form is too old: reload the page and send it again."
        ) from error
    except (signing.BadSignature, TypeError, ValueError) as error:
        raise DomainError(
            SignUpErrorCode.FORM_INVALID, "Reload the page and send the form again."
        ) from error
    if time.time() - shown < FORM_MIN_SECONDS:
        raise DomainError(
            SignUpErrorCode.FORM_TOO_FAST,
            "That was quicker than a person types: wait a moment and send it again.",
        )


@dataclass(frozen=True)
class SignUpValues:
    name: str
    slug: str
    owner_email: str
    currency: str
    timezone: str
    plan: Plan


def _values_clean(
    *,
    name: str,
    slug: str,
    owner_email: str,
    password: str,
    currency: str,
    timezone: str,
    plan: str,
) -> SignUpValues:
    """Every field checked as onboarding checks it; all refusals at once, keyed by field
    (`extra["errors"]`), the first one's code and detail on the error itself."""
    errors: dict[str, dict[str, str]] = {}
    cleaned: dict[str, Any] = {}

    def check(field: str, clean: Any) -> None:
        try:
            cleaned[field] = clean()
        except DomainError as error:
            errors[FIELD_OF_CODE.get(error.code, field)] = {
                "code": error.code,
                "detail": error.detail,
            }

    def slug_free() -> str:
        value = slug_clean(slug)
        if _slug_taken(value):
            raise Conflict(
                TenantErrorCode.SLUG_TAKEN, f"{value}.{settings.PLATFORM_DOMAIN} is taken."
            )
        return value

    def email_clean() -> str:
        value = (owner_email or "").strip().lower()
        try:
            validate_email(value)
        except ValidationError as error:
            raise DomainError(
                SignUpErrorCode.EMAIL_INVALID, "That is not an email address."
            ) from error
        return value

    def password_clean() -> None:
        try:
            owner_clean(owner_email, password or "")
        except DomainError as error:
            raise DomainError(SignUpErrorCode.PASSWORD_INVALID, error.detail) from error

    check("name", lambda: name_clean(name))
    check("slug", slug_free)
    check("email", email_clean)
    if "email" in cleaned:
        check("password", password_clean)
    check("currency", lambda: currency_clean(currency))
    check("timezone", lambda: timezone_clean(timezone))

    def plan_clean() -> Plan:
        found = Plan.objects.filter(code=plan or "", public=True, active=True).first()
        if found is None:
            raise DomainError(SignUpErrorCode.PLAN_INVALID, "Choose one of the plans offered.")
        if (
            "currency" in cleaned
            and not PlanPrice.objects.filter(plan=found, currency=cleaned["currency"]).exists()
        ):
            raise DomainError(
                SignUpErrorCode.PLAN_INVALID,
                f"The {found.name} plan is not offered in {cleaned['currency']}.",
            )
        return found

    check("plan", plan_clean)
    if errors:
        first = next(iter(errors.values()))
        status = 409 if first["code"] == TenantErrorCode.SLUG_TAKEN else 400
        raise DomainError(
            first["code"], first["detail"], status_code=status, extra={"errors": errors}
        )
    return SignUpValues(
        name=cleaned["name"],
        slug=cleaned["slug"],
        owner_email=cleaned["email"],
        currency=cleaned["currency"],
        timezone=cleaned["timezone"],
        plan=cleaned["plan"],
    )


def verification_link(token: str) -> str:
    """`http://<apex>/signup/verify/<token>/`, at the port the site serves on outside
    production (SITE_URL_TEMPLATE, as every email's links)."""
    host = settings.SITE_URL_TEMPLATE.format(host=settings.PLATFORM_DOMAIN)
    return f"{host}/signup/verify/{token}/"


def _pending_slug_release(slug: str, owner_email: str) -> None:
    """A pending sign-up whose link has run out no longer holds its slug; the same person
    asking again for the same slug replaces their own earlier sign-up."""
    try:
        slug = slug_clean(slug)
    except DomainError:
        return  # refused with its reason by the checks that follow
    pending = SignUp.objects.filter(slug=slug, status=SignUp.Status.PENDING)
    pending.filter(created_at__lt=_link_deadline()).update(status=SignUp.Status.EXPIRED)
    email = (owner_email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return
    pending.filter(owner_email=email).update(status=SignUp.Status.EXPIRED)


def signup_request(
    *,
    name: str,
    slug: str,
    owner_email: str,
    password: str,
    currency: str,
    timezone: str,
    plan: str,
    client_address: str | None = None,
) -> SignUp:
    """Keep a sign-up and email its link (after commit). Nothing of the chain is made
    until the link is followed.

    DomainError for a refused field (its code: `slug_invalid`, `slug_reserved`,
    `name_invalid`, `email_invalid`, `password_invalid`, `currency_invalid`,
    `timezone_invalid`, `plan_invalid`; with every field's refusal in
    `extra["errors"]`), 409 `slug_taken` for a slug a chain or another pending sign-up
    has, 403 `signups_closed` when the platform takes none. Whether the email already
    owns a chain changes nothing: one person may run several chains.
    """
    if not platform_settings().signups_open:
        raise DomainError(
            SignUpErrorCode.SIGNUPS_CLOSED,
            "The platform is not taking sign-ups right now.",
            status_code=403,
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        _pending_slug_release(slug, owner_email)
        values = _values_clean(
            name=name,
            slug=slug,
            owner_email=owner_email,
            password=password,
            currency=currency,
            timezone=timezone,
            plan=plan,
        )
        try:
            with transaction.atomic():
                signup = SignUp.objects.create(
                    name=values.name,
                    slug=values.slug,
                    owner_email=values.owner_email,
                    password_hash=make_password(password),
                    currency=values.currency,
                    timezone=values.timezone,
                    plan=values.plan,
                    token_digest=_digest(token),
                    client_address=client_address,
                )
        except IntegrityError as error:  # another sign-up took the slug meanwhile
            taken = f"{values.slug}.{settings.PLATFORM_DOMAIN} is taken."
            raise Conflict(
                TenantErrorCode.SLUG_TAKEN,
                taken,
                extra={"errors": {"slug": {"code": TenantErrorCode.SLUG_TAKEN, "detail": taken}}},
            ) from error
        task_enqueue_on_commit("tenants.billing.signup_tasks.signup_email_send", signup.pk, token)
    return signup


def signup_email(signup_id: int, token: str) -> str:
    """The verification email of one sign-up (the Celery task's body). Returns what
    happened, for the logs."""
    signup = SignUp.objects.filter(pk=signup_id, status=SignUp.Status.PENDING).first()
    if signup is None or signup.token_digest != _digest(token):
        return "missing"
    link = verification_link(token)
    body = (
        f"Hello,\n\nSomeone (we hope you) asked to open {signup.name} on our ticketing "
        f"platform, at {signup.slug}.{settings.PLATFORM_DOMAIN}.\n\n"
        f"Confirm your email address to create it:\n\n{link}\n\n"
        f"The link works once, for {LINK_HOURS} hours. If you did not ask for this, "
        "ignore this email: nothing is created without it.\n"
    )
    send_mail(f"Confirm your email to open {signup.name}", body, None, [signup.owner_email])
    return "sent"


@dataclass(frozen=True)
class Verified:
    signup: SignUp
    # True when the link had been followed before: the chain exists already.
    already: bool


def signup_for_link(token: str) -> Verified:
    """What the emailed link is for, changing nothing (the page a GET shows: a mail
    scanner that follows links must not create the chain). Raises what
    `signup_verify` raises for an unknown or expired link; `already=True` when the
    chain exists."""
    signup = SignUp.objects.select_related("plan").filter(token_digest=_digest(token or "")).first()
    if signup is None:
        raise NotFound(SignUpErrorCode.LINK_INVALID, "This link is not one we sent.")
    if signup.status == SignUp.Status.VERIFIED:
        return Verified(signup=signup, already=True)
    if signup.status == SignUp.Status.EXPIRED or signup.created_at < _link_deadline():
        raise DomainError(
            SignUpErrorCode.LINK_EXPIRED,
            f"This link has run out (a link works for {LINK_HOURS} hours, and only the "
            "newest one you asked for): sign up again.",
            status_code=410,
        )
    return Verified(signup=signup, already=False)


def signup_verify(token: str) -> Verified:
    """Follow the emailed link: onboard the chain (schema, domain, owner with the hashed
    password, subscription on the plan with its trial; test mode), mark the sign-up
    verified and audit `signup_verified`, all in one transaction. A second click
    answers `already=True` and changes nothing.

    NotFound `signup_link_invalid` for a token that was never sent, DomainError 410
    `signup_link_expired` after LINK_HOURS (the sign-up is then expired and its slug
    free again); the onboarding's own refusals (409 `slug_taken`) leave it pending.
    """
    digest = _digest(token or "")
    if not SignUp.objects.filter(token_digest=digest).exists():
        raise NotFound(SignUpErrorCode.LINK_INVALID, "This link is not one we sent.")
    # Made (or checked) outside the transaction below: building it runs migrations.
    template_schema_ensure()
    use_public_schema()
    expired = False
    with transaction.atomic():
        signup = SignUp.objects.select_for_update().select_related("plan").get(token_digest=digest)
        if signup.status == SignUp.Status.VERIFIED:
            return Verified(signup=signup, already=True)
        if signup.status == SignUp.Status.EXPIRED or signup.created_at < _link_deadline():
            if signup.status != SignUp.Status.EXPIRED:
                signup.status = SignUp.Status.EXPIRED
                signup.save(update_fields=["status"])
            expired = True
        else:
            tenant = tenant_onboard(
                name=signup.name,
                slug=signup.slug,
                owner_email=signup.owner_email,
                owner_password_hash=signup.password_hash,
                currency=signup.currency,
                timezone=signup.timezone,
                plan=signup.plan.code,
            )
            signup.tenant = tenant
            signup.status = SignUp.Status.VERIFIED
            signup.verified_at = django_timezone.now()
            signup.approval = (
                SignUp.Approval.WAITING
                if platform_settings().signup_requires_approval
                else SignUp.Approval.NOT_REQUIRED
            )
            signup.save(update_fields=["tenant", "status", "verified_at", "approval"])
            platform_audit(
                tenant,
                PlatformAuditLog.Action.SIGNUP_VERIFIED,
                new={
                    "slug": tenant.slug,
                    "owner": signup.owner_email,
                    "plan": signup.plan.code,
                    "approval": signup.approval,
                },
            )
    if expired:
        raise DomainError(
            SignUpErrorCode.LINK_EXPIRED,
            f"This link has run out (a link works for {LINK_HOURS} hours, and only the "
            "newest one you asked for): sign up again.",
            status_code=410,
        )
    return Verified(signup=signup, already=False)


def _decide(
    signup: SignUp, *, actor: Any, approval: str, note: str, allowed_from: set[str]
) -> SignUp:
    with transaction.atomic():
        signup = SignUp.objects.select_for_update().get(pk=signup.pk)
        if signup.tenant_id is None or signup.approval not in allowed_from:
            raise Conflict(
                SignUpErrorCode.APPROVAL_NOT_WAITING,
                f"{signup.name} is not waiting for approval ({signup.get_approval_display()}).",
            )
        old = {"approval": signup.approval, "note": signup.approval_note}
        signup.approval = approval
        signup.approval_note = (note or "").strip()[:255]
        signup.decided_at = django_timezone.now()
        signup.decided_by = getattr(actor, "email", "") or ""
        signup.save(update_fields=["approval", "approval_note", "decided_at", "decided_by"])
        action = (
            PlatformAuditLog.Action.LIVE_APPROVED
            if approval == SignUp.Approval.APPROVED
            else PlatformAuditLog.Action.LIVE_REFUSED
        )
        assert signup.tenant is not None
        platform_audit(
            signup.tenant,
            action,
            actor=actor,
            old=old,
            new={"approval": signup.approval, "note": signup.approval_note},
        )
    return signup


def signup_approve(signup: SignUp, *, actor: Any) -> SignUp:
    """Let a signed-up chain go live (from waiting, or after a refusal); audited
    `live_approved`. Conflict `approval_not_waiting` otherwise."""
    return _decide(
        signup,
        actor=actor,
        approval=SignUp.Approval.APPROVED,
        note="",
        allowed_from={SignUp.Approval.WAITING, SignUp.Approval.REFUSED},
    )


def signup_refuse(signup: SignUp, *, actor: Any, note: str = "") -> SignUp:
    """Keep a waiting chain in test mode, with the reason for its owner; audited
    `live_refused`. Conflict `approval_not_waiting` otherwise."""
    return _decide(
        signup,
        actor=actor,
        approval=SignUp.Approval.REFUSED,
        note=note,
        allowed_from={SignUp.Approval.WAITING},
    )


def live_approval(tenant: Tenant) -> str:
    """The chain's approval (a SignUp.Approval value): `not_required` for chains that did
    not sign up themselves."""
    approval = SignUp.objects.filter(tenant=tenant).values_list("approval", flat=True).first()
    return approval or SignUp.Approval.NOT_REQUIRED


def live_allowed(tenant: Tenant) -> bool:
    """Whether the chain may go live: it did not sign up itself, or approval was not
    required when it did, or platform staff approved it."""
    return live_approval(tenant) in (SignUp.Approval.NOT_REQUIRED, SignUp.Approval.APPROVED)
