"""Onboarding and lifecycle of tenants. Every function here runs in the public schema.

Onboarding is one call: validate, then in one transaction create the tenant row, its
domain, its schema (cloned from a migrated template schema, which is much faster than
replaying every migration), its owner account and the audit row. PostgreSQL's DDL is
transactional, so a failure at any step leaves no half-made tenant behind.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import validate_email
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils.module_loading import import_string
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_context, schema_exists

from tenants.error_codes import Conflict, DomainError, TenantErrorCode
from tenants.models import LOCALE_PATTERN, SLUG_PATTERN, Domain, PlatformAuditLog, Tenant
from tenants.schemas import use_public_schema
from tenants.selectors import SALES_MODELS, host_cache, tenant_has_sales
from tenants.validators import currency_canonical, timezone_canonical

_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_LOCALE = re.compile(LOCALE_PATTERN)
# Transaction-level advisory lock key for building the template schema. Advisory keys
# are per database, and this one guards a database-wide object, so it is a constant.
_TEMPLATE_LOCK_KEY = 0x7E4A_7E4A
_template_checked = threading.Event()


@dataclass(frozen=True)
class Branding:
    display_name: str = ""
    primary_colour: str | None = None
    accent_colour: str | None = None
    # One of Tenant.StorefrontStyle ("light" when not given).
    storefront_style: str | None = None


def schema_name_for(slug: str) -> str:
    """PostgreSQL schema names cannot hold dashes; slugs (host labels) can."""
    return slug.replace("-", "_")


def public_tenant_ensure() -> Tenant:
    """Create the platform's own tenant row for the public schema and the apex domain.

    Idempotent: every deployment and the test set-up call it.
    """
    with transaction.atomic():
        tenant, _ = Tenant.objects.get_or_create(
            schema_name=settings.PUBLIC_SCHEMA_NAME,
            defaults={
                "name": "Platform",
                "slug": "public",
                "currency": "USD",
                "timezone": "UTC",
            },
        )
        Domain.objects.get_or_create(
            domain=settings.PLATFORM_DOMAIN, defaults={"tenant": tenant, "is_primary": True}
        )
    return tenant


def _template_needs_migrations() -> bool:
    with schema_context(settings.TENANT_BASE_SCHEMA):
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def template_schema_ensure(*, force_check: bool = False) -> str:
    """Make sure the template schema exists and carries every migration; return its name.

    Checked once per process (a deployment that adds migrations starts new processes);
    concurrent callers serialise on an advisory lock so the schema is built once.
    """
    template = settings.TENANT_BASE_SCHEMA
    if _template_checked.is_set() and not force_check:
        return template
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_TEMPLATE_LOCK_KEY])
        if not schema_exists(template):
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE SCHEMA "{template}"')
            _migrate_template(template)
        elif _template_needs_migrations():
            _migrate_template(template)
        # The clone function is (re)defined once per process, not once per tenant.
        CloneSchema()._create_clone_schema_function()
    use_public_schema()
    _template_checked.set()
    return template


def _migrate_template(template: str) -> None:
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=template,
        interactive=False,
        verbosity=0,
    )


def locale_clean(locale: str) -> str:
    """A BCP 47 tag in its canonical case (`EN-in` -> `en-IN`, `sr-latn-rs` ->
    `sr-Latn-RS`), or DomainError `locale_invalid`. Underscores (`en_IN`, as POSIX
    locales write them) are accepted and turned into dashes."""
    parts = (locale or "").strip().replace("_", "-").split("-")
    canonical = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            canonical.append(part.title())  # script
        else:
            canonical.append(part.upper())  # region
    tag = "-".join(canonical)
    if len(tag) > 16 or not _LOCALE.match(tag):
        raise DomainError(
            TenantErrorCode.LOCALE_INVALID,
            f"{locale!r} is not a language tag like en, en-IN or hi-IN (BCP 47).",
        )
    return tag


def storefront_style_clean(style: str) -> str:
    """One of Tenant.StorefrontStyle's values (`light`, `cinema`, `classic`), or
    DomainError `storefront_style_invalid`."""
    cleaned = (style or "").strip().lower()
    if cleaned not in Tenant.StorefrontStyle.values:
        choices = ", ".join(Tenant.StorefrontStyle.values)
        raise DomainError(
            TenantErrorCode.STOREFRONT_STYLE_INVALID,
            f"{style!r} is not a storefront style; choose one of {choices}.",
        )
    return cleaned


def currency_clean(currency: str) -> str:
    """The ISO 4217 code of a currency money is paid in, in capitals (`eur` -> `EUR`),
    or DomainError `currency_invalid` (`ZZZ`, the test code `XTS`, gold `XAU`: see
    tenants.validators)."""
    code = currency_canonical(currency)
    if code is None:
        raise DomainError(
            TenantErrorCode.CURRENCY_INVALID,
            f"{currency!r} is not an ISO 4217 currency code like INR or EUR.",
        )
    return code


def timezone_clean(timezone: str) -> str:
    """A zone of the IANA time zone database in its own spelling (`asia/kolkata` ->
    `Asia/Kolkata`), or DomainError `timezone_invalid` (`Mars/Olympus`; `localtime`,
    which is whatever the server's own zone is)."""
    zone = timezone_canonical(timezone)
    if zone is None:
        raise DomainError(
            TenantErrorCode.TIMEZONE_INVALID,
            f"{timezone!r} is not an IANA time zone like Asia/Kolkata or Europe/Dublin.",
        )
    return zone


def name_clean(name: str) -> str:
    """The chain's name without surrounding spaces (1 to 120 characters), or DomainError
    `name_invalid`."""
    cleaned = (name or "").strip()
    if not cleaned or len(cleaned) > 120:
        raise DomainError(
            TenantErrorCode.NAME_INVALID, "The chain needs a name of 1 to 120 characters."
        )
    return cleaned


def display_name_clean(display_name: str) -> str:
    """The brand shown to customers (blank: the chain's name is shown), at most 120
    characters, or DomainError `name_invalid`."""
    cleaned = (display_name or "").strip()
    if len(cleaned) > 120:
        raise DomainError(
            TenantErrorCode.NAME_INVALID, "The display name is at most 120 characters."
        )
    return cleaned


def colour_clean(colour: str) -> str:
    """A colour like `#1a2b3c`, or DomainError `colour_invalid`."""
    if not isinstance(colour, str) or not _HEX_COLOUR.match(colour):
        raise DomainError(TenantErrorCode.COLOUR_INVALID, f"{colour!r} is not like #1a2b3c.")
    return colour


def _whole_number_clean(field: str, label: str, code: TenantErrorCode) -> Callable[[Any], int]:
    """A cleaner for a whole-number setting, in the bounds its model field declares."""

    def clean(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise DomainError(code, f"{label} must be a whole number.")
        try:
            Tenant._meta.get_field(field).run_validators(value)
        except ValidationError as error:
            raise DomainError(code, f"{label}: {' '.join(error.messages)}") from error
        return value

    return clean


# What tenant_update may change, each with the function that checks a new value.
SETTING_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": name_clean,
    "display_name": display_name_clean,
    "currency": currency_clean,
    "timezone": timezone_clean,
    "locale": locale_clean,
    "storefront_style": storefront_style_clean,
    "primary_colour": colour_clean,
    "accent_colour": colour_clean,
    "hold_ttl_seconds": _whole_number_clean(
        "hold_ttl_seconds", "The hold time (seconds)", TenantErrorCode.HOLD_LIMIT_INVALID
    ),
    "hold_max_seats": _whole_number_clean(
        "hold_max_seats", "The seats in one hold", TenantErrorCode.HOLD_LIMIT_INVALID
    ),
    "holds_per_customer": _whole_number_clean(
        "holds_per_customer", "The holds per customer", TenantErrorCode.HOLD_LIMIT_INVALID
    ),
    "platform_fee_per_ticket": _whole_number_clean(
        "platform_fee_per_ticket",
        "The platform fee per ticket (minor units)",
        TenantErrorCode.PLATFORM_FEE_INVALID,
    ),
    "platform_fee_basis_points": _whole_number_clean(
        "platform_fee_basis_points",
        "The platform fee share (basis points)",
        TenantErrorCode.PLATFORM_FEE_INVALID,
    ),
}


def tenant_setting_clean(field: str, value: Any) -> Any:
    """A new value for one of the chain's settings (a key of SETTING_CLEANERS), in the
    form it is stored in, or the DomainError `tenant_update` would raise for it."""
    return SETTING_CLEANERS[field](value)


def slug_clean(slug: str) -> str:
    """A chain's slug (its host label) in lower case, or DomainError `slug_invalid`
    (not 3 to 40 letters, digits and single dashes starting with a letter) or
    `slug_reserved` (a name the platform keeps, RESERVED_TENANT_SLUGS). Whether a chain
    has it already is not checked here."""
    slug = (slug or "").strip().lower()
    if not re.match(SLUG_PATTERN, slug) or "--" in slug:
        raise DomainError(
            TenantErrorCode.SLUG_INVALID,
            "The slug must be 3 to 40 characters: lower-case letters, digits and single "
            "dashes, starting with a letter.",
        )
    if slug in settings.RESERVED_TENANT_SLUGS or slug.startswith("pg-"):
        raise DomainError(TenantErrorCode.SLUG_RESERVED, f"The slug {slug!r} is reserved.")
    return slug


def _validated(
    *,
    name: str,
    slug: str,
    currency: str,
    timezone: str,
    branding: Branding,
    locale: str | None = None,
) -> dict[str, Any]:
    slug = slug_clean(slug)
    currency = currency_clean(currency)
    timezone = timezone_clean(timezone)
    for colour in (branding.primary_colour, branding.accent_colour):
        if colour is not None:
            colour_clean(colour)
    name = name_clean(name)
    values: dict[str, Any] = {
        "name": name,
        "slug": slug,
        "schema_name": schema_name_for(slug),
        "currency": currency,
        "timezone": timezone,
        "display_name": display_name_clean(branding.display_name or name),
    }
    if locale:
        values["locale"] = locale_clean(locale)
    if branding.primary_colour:
        values["primary_colour"] = branding.primary_colour
    if branding.accent_colour:
        values["accent_colour"] = branding.accent_colour
    if branding.storefront_style is not None:
        values["storefront_style"] = storefront_style_clean(branding.storefront_style)
    return values


def owner_clean(email: str, password: str | None) -> str:
    """The owner's email in lower case, or DomainError `owner_invalid` for an email that
    is not one or a password the password validators refuse (None: a password checked
    before, kept as its hash, is not checked again)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
        if password is not None:
            # The owner does not exist yet; validate against a throwaway instance so the
            # similarity validator can compare the password with the email.
            validate_password(password, user=get_user_model()(email=email))
    except ValidationError as error:
        raise DomainError(TenantErrorCode.OWNER_INVALID, " ".join(error.messages)) from error
    return email


def platform_audit(
    tenant: Tenant,
    action: PlatformAuditLog.Action,
    *,
    actor: Any = None,
    old: dict | None = None,
    new: dict | None = None,
) -> None:
    """One row of the platform's audit log. `actor` is the staff member or owner who did
    it, or None when the platform's own schedule did (a monthly close, a retried charge).
    Called inside the transaction of the change it records."""
    PlatformAuditLog.objects.create(
        tenant=tenant,
        action=action,
        actor_id=getattr(actor, "pk", None),
        actor_email=getattr(actor, "email", "") or "",
        old_values=old or {},
        new_values=new or {},
    )


def tenant_onboard(
    *,
    name: str,
    slug: str,
    owner_email: str,
    owner_password: str = "",
    currency: str,
    timezone: str,
    branding: Branding | None = None,
    # A self sign-up keeps only the hash of the password it checked (billing.SignUp).
    owner_password_hash: str = "",
    locale: str | None = None,
    owner_name: str = "",
    plan: str | None = None,
    actor: Any = None,
) -> Tenant:
    """Create a working tenant: row, schema, `<slug>.<PLATFORM_DOMAIN>`, owner, branding
    (with its storefront style; "light" when not given), locale (a BCP 47 tag; "en"
    when not given) and its subscription to `plan` (a plan's code; the platform's
    default plan when not given), through settings.TENANT_SUBSCRIBE.

    Raises DomainError (400) for invalid input (a plan that does not exist or has no
    price in the chain's currency among it) and Conflict (409) when the slug or its
    domain is taken. Nothing is left behind on failure.
    """
    values = _validated(
        name=name,
        slug=slug,
        currency=currency,
        timezone=timezone,
        branding=branding or Branding(),
        locale=locale,
    )
    if bool(owner_password) == bool(owner_password_hash):
        raise DomainError(
            TenantErrorCode.OWNER_INVALID, "Give the owner's password or its hash, not both."
        )
    owner_email = owner_clean(owner_email, owner_password or None)
    host = f"{values['slug']}.{settings.PLATFORM_DOMAIN}"
    taken = Conflict(
        TenantErrorCode.SLUG_TAKEN, f"A chain with the slug {values['slug']!r} exists."
    )
    if Tenant.objects.filter(slug=values["slug"]).exists():
        raise taken
    template = template_schema_ensure()

    use_public_schema()
    try:
        with transaction.atomic():
            tenant = Tenant.objects.create(**values)
            Domain.objects.create(domain=host, tenant=tenant, is_primary=True)
            # Before the schema is made: a plan that cannot be had is refused cheaply.
            subscribed = import_string(settings.TENANT_SUBSCRIBE)(tenant, plan=plan)
            # Structure and rows (the migration history, content types, permissions) of
            # the template; its migrations are known to be current, so there is nothing
            # to replay or fake afterwards.
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT clone_schema(%s, %s, 'DATA')", [template, tenant.schema_name]
                )
            with schema_context(tenant.schema_name):
                owner = get_user_model().objects.create_user(
                    owner_email, owner_password or None, name=owner_name.strip(), role="owner"
                )
                if owner_password_hash:
                    owner.password = owner_password_hash
                    owner.save(update_fields=["password"])
                for step in settings.TENANT_ONBOARDING_STEPS:
                    import_string(step)()
            platform_audit(
                tenant,
                PlatformAuditLog.Action.TENANT_ONBOARDED,
                actor=actor,
                new={
                    "slug": tenant.slug,
                    "domain": host,
                    "owner": owner_email,
                    "locale": tenant.locale,
                    "storefront_style": tenant.storefront_style,
                    **subscribed,
                },
            )
    except (IntegrityError, ValidationError) as error:
        # A concurrent onboarding of the same slug won the unique index (IntegrityError)
        # or django-tenants' case-insensitive schema check (ValidationError).
        raise taken from error
    finally:
        use_public_schema()
    return tenant


@transaction.atomic
def tenant_set_status(
    tenant: Tenant, *, status: str, reason: str = "", actor: Any = None
) -> Tenant:
    """Suspend or resume a tenant. A suspended tenant's hosts answer 403 at once."""
    if status not in Tenant.Status.values:
        raise DomainError(
            TenantErrorCode.STATUS_INVALID, "The status must be 'active' or 'suspended'."
        )
    if tenant.is_public:
        raise DomainError(
            TenantErrorCode.STATUS_INVALID, "The platform itself cannot be suspended."
        )
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if tenant.status == status:
        return tenant
    old = {"status": tenant.status, "reason": tenant.status_reason}
    tenant.status = status
    tenant.status_reason = reason.strip()[:255] if status == Tenant.Status.SUSPENDED else ""
    tenant.save(update_fields=["status", "status_reason", "updated_at"])
    action = (
        PlatformAuditLog.Action.TENANT_SUSPENDED
        if status == Tenant.Status.SUSPENDED
        else PlatformAuditLog.Action.TENANT_RESUMED
    )
    platform_audit(
        tenant,
        action,
        actor=actor,
        old=old,
        new={"status": tenant.status, "reason": tenant.status_reason},
    )
    transaction.on_commit(host_cache.clear)
    return tenant


def _sales_lock(tenant: Tenant) -> None:
    """Refuse a change of currency (Conflict `currency_locked`) once the chain has sold
    anything; otherwise keep new orders and ledger entries out of its schema until this
    transaction ends, so that none is written in the old currency after the check."""
    tables = ", ".join(
        connection.ops.quote_name(apps.get_model(label)._meta.db_table) for label in SALES_MODELS
    )
    try:
        with (
            transaction.atomic(),
            schema_context(tenant.schema_name),
            connection.cursor() as cursor,
        ):
            # Orders being written now are waited for, but not for long.
            cursor.execute("SET LOCAL lock_timeout = '5s'")
            cursor.execute(f"LOCK TABLE {tables} IN SHARE MODE")
    except OperationalError as error:  # the lock timed out: the chain is selling now
        raise Conflict(
            TenantErrorCode.CURRENCY_LOCKED,
            f"{tenant.name} is taking orders in {tenant.currency} right now, so its "
            "currency can no longer change.",
        ) from error
    if tenant_has_sales(tenant):
        raise Conflict(
            TenantErrorCode.CURRENCY_LOCKED,
            f"{tenant.name} has orders or payments in {tenant.currency}, so its currency "
            "can no longer change.",
        )


@transaction.atomic
def tenant_update(
    tenant: Tenant,
    *,
    name: str | None = None,
    display_name: str | None = None,
    currency: str | None = None,
    timezone: str | None = None,
    locale: str | None = None,
    storefront_style: str | None = None,
    primary_colour: str | None = None,
    accent_colour: str | None = None,
    hold_ttl_seconds: int | None = None,
    hold_max_seats: int | None = None,
    holds_per_customer: int | None = None,
    platform_fee_per_ticket: int | None = None,
    platform_fee_basis_points: int | None = None,
    actor: Any = None,
) -> Tenant:
    """Change settings of a chain that platform staff own (None leaves one as it is):
    one audit row with the old and new values of what changed, and hosts resolve to the
    new values at once in this process.

    Every value is checked before anything is written (`tenant_setting_clean`):
    DomainError with the setting's code (`currency_invalid`, `timezone_invalid`,
    `locale_invalid`, `hold_limit_invalid`, ...), and Conflict `currency_locked` for a
    new currency once the chain has sold anything (its orders and ledger are in the old
    one). Unchanged values write nothing."""
    if tenant.is_public:
        raise DomainError(
            TenantErrorCode.STATUS_INVALID, "The platform itself has no storefront settings."
        )
    given = {
        "name": name,
        "display_name": display_name,
        "currency": currency,
        "timezone": timezone,
        "locale": locale,
        "storefront_style": storefront_style,
        "primary_colour": primary_colour,
        "accent_colour": accent_colour,
        "hold_ttl_seconds": hold_ttl_seconds,
        "hold_max_seats": hold_max_seats,
        "holds_per_customer": holds_per_customer,
        "platform_fee_per_ticket": platform_fee_per_ticket,
        "platform_fee_basis_points": platform_fee_basis_points,
    }
    changes = {
        field: tenant_setting_clean(field, value)
        for field, value in given.items()
        if value is not None
    }
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    changed = {key: value for key, value in changes.items() if getattr(tenant, key) != value}
    if not changed:
        return tenant
    if "currency" in changed:
        _sales_lock(tenant)
    old = {key: getattr(tenant, key) for key in changed}
    for key, value in changed.items():
        setattr(tenant, key, value)
    tenant.save(update_fields=[*changed, "updated_at"])
    platform_audit(
        tenant, PlatformAuditLog.Action.TENANT_UPDATED, actor=actor, old=old, new=changed
    )
    # Requests resolve their host to a Tenant kept in memory for a few seconds.
    transaction.on_commit(host_cache.clear)
    return tenant


@transaction.atomic
def tenant_logo_set(tenant: Tenant, *, image: bytes, filename: str, actor: Any = None) -> Tenant:
    """Store a logo image for the chain (under `tenants/<schema>/branding/`, see
    `tenants.models.tenant_logo_path`), replacing the reference to any earlier one;
    audited with the old and new file names."""
    from django.core.files.base import ContentFile

    if tenant.is_public:
        raise DomainError(TenantErrorCode.STATUS_INVALID, "The platform itself has no logo.")
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    old = tenant.logo.name or ""
    tenant.logo.save(filename, ContentFile(image), save=False)
    tenant.save(update_fields=["logo", "updated_at"])
    platform_audit(
        tenant,
        PlatformAuditLog.Action.TENANT_UPDATED,
        actor=actor,
        old={"logo": old},
        new={"logo": tenant.logo.name},
    )
    transaction.on_commit(host_cache.clear)
    return tenant


@transaction.atomic
def tenant_logo_clear(tenant: Tenant, *, actor: Any = None) -> Tenant:
    """Take the chain's logo off its storefront, e-tickets and emails (the generated
    initial is shown instead); audited with the old file name. The file itself stays,
    as every stored file does, for the audit trail."""
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    old = tenant.logo.name or ""
    if not old:
        return tenant
    tenant.logo = None
    tenant.save(update_fields=["logo", "updated_at"])
    platform_audit(
        tenant,
        PlatformAuditLog.Action.TENANT_UPDATED,
        actor=actor,
        old={"logo": old},
        new={"logo": ""},
    )
    transaction.on_commit(host_cache.clear)
    return tenant


def domain_add(tenant: Tenant, *, domain: str, actor: Any = None) -> Domain:
    """Attach a custom host name (e.g. `tickets.aurora-cinemas.in`) to a tenant."""
    host = (domain or "").strip().lower().rstrip(".")
    if not _HOSTNAME.match(host):
        raise DomainError(TenantErrorCode.DOMAIN_INVALID, f"{domain!r} is not a host name.")
    if host == settings.PLATFORM_DOMAIN:
        raise Conflict(TenantErrorCode.DOMAIN_TAKEN, "That is the platform's own domain.")
    try:
        with transaction.atomic():
            created = Domain.objects.create(domain=host, tenant=tenant, is_primary=False)
            platform_audit(
                tenant, PlatformAuditLog.Action.DOMAIN_ADDED, actor=actor, new={"domain": host}
            )
            transaction.on_commit(host_cache.clear)
    except IntegrityError as error:
        raise Conflict(TenantErrorCode.DOMAIN_TAKEN, f"{host} already serves a chain.") from error
    return created
