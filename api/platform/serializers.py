from __future__ import annotations

from rest_framework import serializers

from tenants.models import Domain, Tenant
from tenants.selectors import tenant_primary_domain


class OnboardInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.CharField(max_length=40)
    owner_email = serializers.EmailField(max_length=254)
    owner_password = serializers.CharField(max_length=128, trim_whitespace=False)
    owner_name = serializers.CharField(max_length=150, required=False, default="")
    currency = serializers.CharField(
        max_length=8, help_text="ISO 4217 code of a currency money is paid in (INR, EUR)."
    )
    # Checked by the service against the IANA database (any case; stored in its own).
    timezone = serializers.CharField(
        max_length=64, help_text="IANA time zone (Asia/Kolkata, Europe/Dublin)."
    )
    display_name = serializers.CharField(max_length=120, required=False, default="")
    primary_colour = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)
    accent_colour = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)
    locale = serializers.CharField(
        max_length=35,
        required=False,
        help_text="BCP 47 language tag for the storefront (en-IN, en-IE, hi-IN); default en.",
    )
    storefront_style = serializers.ChoiceField(
        choices=Tenant.StorefrontStyle.choices,
        required=False,
        help_text="The storefront's look: light (default), cinema (dark) or classic (serif).",
    )
    plan = serializers.CharField(
        max_length=40, required=False, help_text="A plan's code; the default plan when left out."
    )


# What a PATCH may change besides `status`; at least one of them or the status.
SETTINGS = ("locale", "storefront_style", "currency", "timezone")


class TenantChangeInput(serializers.Serializer):
    """Suspend or resume (`status`, with a `reason`), and/or change the `locale`, the
    `storefront_style`, the `currency` (refused with 409 `currency_locked` once the
    chain has sold anything) and the `timezone`, and/or move the chain to another
    `plan` from the first day of its next month."""

    status = serializers.ChoiceField(choices=Tenant.Status.choices, required=False)
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    locale = serializers.CharField(max_length=35, required=False)
    storefront_style = serializers.ChoiceField(
        choices=Tenant.StorefrontStyle.choices, required=False
    )
    currency = serializers.CharField(
        max_length=8,
        required=False,
        help_text="ISO 4217 code; only while the chain has no orders or payments.",
    )
    timezone = serializers.CharField(max_length=64, required=False, help_text="IANA time zone.")
    plan = serializers.CharField(
        max_length=40,
        required=False,
        help_text="A plan's code: the chain moves to it from the first day of next month.",
    )

    def validate(self, attrs):
        if not any(name in attrs for name in ("status", "plan", *SETTINGS)):
            raise serializers.ValidationError(
                "Give a `status`, a `plan`, a `locale`, a `storefront_style`, a `currency` "
                "or a `timezone` to change.",
                code="nothing_to_change",
            )
        return attrs


class DomainInput(serializers.Serializer):
    domain = serializers.CharField(max_length=253)


class DomainOutput(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["domain", "is_primary", "created_at"]


class TenantOutput(serializers.ModelSerializer):
    domain = serializers.SerializerMethodField()
    domains = DomainOutput(many=True, read_only=True)
    plan = serializers.SerializerMethodField(help_text="The plan's code.")
    next_plan = serializers.SerializerMethodField(
        help_text="The plan from the first day of next month, when a change waits."
    )

    class Meta:
        model = Tenant
        fields = [
            "slug",
            "name",
            "schema_name",
            "status",
            "status_reason",
            "domain",
            "domains",
            "currency",
            "timezone",
            "locale",
            "display_name",
            "primary_colour",
            "accent_colour",
            "storefront_style",
            "plan",
            "next_plan",
            "created_at",
        ]

    def get_domain(self, tenant: Tenant) -> str | None:
        return tenant_primary_domain(tenant)

    def get_plan(self, tenant: Tenant) -> str | None:
        subscription = getattr(tenant, "subscription", None)  # none: RelatedObjectDoesNotExist
        return subscription.plan.code if subscription else None

    def get_next_plan(self, tenant: Tenant) -> str | None:
        subscription = getattr(tenant, "subscription", None)
        return subscription.next_plan.code if subscription and subscription.next_plan else None
