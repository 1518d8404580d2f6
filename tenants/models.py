"""Tenants (cinema and theatre chains), their domains, and the platform's audit log.

All of this lives in the public schema. Nothing here may hold a chain's business data:
that stays in the chain's own schema, so a Citus cluster can place each schema on one
node and the public schema stays small enough to share with every node.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from tenants.validators import validate_currency, validate_timezone

SLUG_PATTERN = r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$"
HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1a2b3c.")
# A BCP 47 language tag in its canonical case: language, then an optional script and
# region ("en", "en-IN", "hi-IN", "sr-Latn-RS", "es-419"). Variants and extensions are
# left out on purpose: browsers' Intl and the storefront's i18n library need no more.
LOCALE_PATTERN = r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$"
LOCALE = RegexValidator(LOCALE_PATTERN, "Use a BCP 47 tag like en-IN or hi-IN.")


def tenant_logo_path(tenant: Tenant, filename: str) -> str:
    # Files are keyed by schema like every other store outside PostgreSQL.
    return f"tenants/{tenant.schema_name}/branding/{filename}"


class Tenant(TenantMixin):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    class StorefrontStyle(models.TextChoices):
        """The storefront's look, beyond the chain's two colours: a light page; a dark
        auditorium for cinemas; serif type on warm paper for theatres."""

        LIGHT = "light", "Light"
        CINEMA = "cinema", "Cinema (dark)"
        CLASSIC = "classic", "Classic (serif, warm paper)"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=40, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=255, blank=True)
    # A currency money is paid in (ISO 4217) and a zone of the IANA database; both are
    # checked against maintained lists (tenants.validators), not only their shape.
    currency = models.CharField(max_length=3, validators=[validate_currency])
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    # How the storefront formats dates, numbers and money, and the language its pages
    # are written in (`<html lang>`): a BCP 47 tag such as en-IN, en-IE or hi-IN.
    locale = models.CharField(max_length=16, default="en", validators=[LOCALE])

    # Branding shown on the chain's storefront, e-tickets and emails.
    display_name = models.CharField(max_length=120, blank=True)
    logo = models.ImageField(upload_to=tenant_logo_path, blank=True)
    primary_colour = models.CharField(max_length=7, default="#1f2937", validators=[HEX_COLOUR])
    accent_colour = models.CharField(max_length=7, default="#f59e0b", validators=[HEX_COLOUR])
    # Served in the shell (`<html data-style>` and `#chain-config`), so the page never
    # shows one look and then another while its script starts.
    storefront_style = models.CharField(
        max_length=16, choices=StorefrontStyle.choices, default=StorefrontStyle.LIGHT
    )

    # Seat holds: how long a hold lasts, and limits that stop hoarding.
    hold_ttl_seconds = models.PositiveIntegerField(
        default=600, validators=[MinValueValidator(60), MaxValueValidator(3600)]
    )
    hold_max_seats = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    holds_per_customer = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )

    # What the platform charges the chain for each ticket it sells (billed monthly):
    # a fixed amount plus a share of the ticket's total, in the chain's minor units.
    platform_fee_per_ticket = models.PositiveIntegerField(default=0)
    platform_fee_basis_points = models.PositiveIntegerField(
        default=100, validators=[MaxValueValidator(2_000)]
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Onboarding creates the schema itself (inside its own transaction), never save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "suspended"]),
                name="tenant_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(storefront_style__in=["light", "cinema", "classic"]),
                name="tenant_storefront_style_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.schema_name == settings.PUBLIC_SCHEMA_NAME

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def brand_name(self) -> str:
        return self.display_name or self.name


class Domain(DomainMixin):
    """A host name that serves one tenant: `<slug>.<PLATFORM_DOMAIN>` or a custom one."""

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.domain


class PlatformAuditLog(models.Model):
    """Append-only record of what platform staff did to tenants (who, what, before, after)."""

    class Action(models.TextChoices):
        TENANT_ONBOARDED = "tenant_onboarded"
        TENANT_SUSPENDED = "tenant_suspended"
        TENANT_RESUMED = "tenant_resumed"
        TENANT_UPDATED = "tenant_updated"
        DOMAIN_ADDED = "domain_added"
        # The platform's business (tenants/billing): actor empty when the schedule did it.
        PLAN_CHANGED = "plan_changed"
        INVOICE_ISSUED = "invoice_issued"
        CHARGE_FAILED = "charge_failed"
        INVOICE_PAID = "invoice_paid"
        INVOICE_VOIDED = "invoice_voided"
        DUNNING_EMAILED = "dunning_emailed"
        SIGNUP_VERIFIED = "signup_verified"
        LIVE_APPROVED = "live_approved"
        LIVE_REFUSED = "live_refused"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="audit_log")
    action = models.CharField(max_length=32, choices=Action.choices)
    # Platform staff live in the public user table; a user id rather than a foreign key
    # keeps the log intact if the account is later removed.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    old_values = models.JSONField(default=dict, blank=True)
    new_values = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.tenant_id}"
