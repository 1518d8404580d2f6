from __future__ import annotations

import zoneinfo

from rest_framework import serializers

from tenants.models import Domain, Tenant
from tenants.selectors import tenant_primary_domain


class OnboardInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.CharField(max_length=40)
    owner_email = serializers.EmailField(max_length=254)
    owner_password = serializers.CharField(max_length=128, trim_whitespace=False)
    owner_name = serializers.CharField(max_length=150, required=False, default="")
    currency = serializers.CharField(max_length=8)
    timezone = serializers.ChoiceField(choices=sorted(zoneinfo.available_timezones()))
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


# What a PATCH may change; at least one of them.
CHANGEABLE = ("status", "locale", "storefront_style")


class TenantChangeInput(serializers.Serializer):
    """Suspend or resume (`status`, with a `reason`), and/or change the `locale` and
    the `storefront_style`."""

    status = serializers.ChoiceField(choices=Tenant.Status.choices, required=False)
    reason = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    locale = serializers.CharField(max_length=35, required=False)
    storefront_style = serializers.ChoiceField(
        choices=Tenant.StorefrontStyle.choices, required=False
    )

    def validate(self, attrs):
        if not any(name in attrs for name in CHANGEABLE):
            raise serializers.ValidationError(
                "Give a `status`, a `locale` or a `storefront_style` to change.",
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
            "created_at",
        ]

    def get_domain(self, tenant: Tenant) -> str | None:
        return tenant_primary_domain(tenant)
