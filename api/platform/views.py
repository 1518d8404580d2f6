"""The platform API on the apex domain: staff sign-in and tenant onboarding/lifecycle."""

from __future__ import annotations

from django_tenants.utils import schema_context
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views

from api.accounts import views as account_views
from api.permissions import HasCapability
from api.platform.serializers import (
    SETTINGS,
    DomainInput,
    DomainOutput,
    OnboardInput,
    TenantChangeInput,
    TenantOutput,
)
from tenants import selectors, services
from tenants.billing.services import plan_change
from venue_apps.accounts.capabilities import Capability
from venue_apps.payments.selectors import usage_by_month


class PlatformTokenView(account_views.TokenObtainView):
    """`{email, password, otp?}` of platform staff → `{access, refresh}` for the platform
    API (rate limited and locked out like a chain's sign-in)."""

    # The chain's view: the same sign-in service, which lets only platform staff in here.


class PlatformTokenRefreshView(jwt_views.TokenRefreshView):
    pass


class PlatformLogoutView(account_views.LogoutView):
    """Revoke a refresh token (`{refresh}`); its session's access tokens stop at once."""


# Two factors for platform staff, the accounts with the most power: the chains' own
# endpoints, admitting platform staff on the apex domain instead.
class PlatformTwoFactorView(account_views.TwoFactorView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM


class PlatformTwoFactorSetupView(account_views.TwoFactorSetupView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM


class PlatformTwoFactorConfirmView(account_views.TwoFactorConfirmView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM


class PlatformTwoFactorDisableView(account_views.TwoFactorDisableView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM


class PlatformRecoveryCodesView(account_views.RecoveryCodesView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM


class TenantListCreateView(ListAPIView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM
    serializer_class = TenantOutput

    def get_queryset(self):
        return selectors.tenant_list().select_related(
            "subscription__plan", "subscription__next_plan"
        )

    @extend_schema(request=OnboardInput, responses={201: TenantOutput})
    def post(self, request: Request) -> Response:
        data = OnboardInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        branding = services.Branding(
            display_name=values.pop("display_name"),
            primary_colour=values.pop("primary_colour", None),
            accent_colour=values.pop("accent_colour", None),
            storefront_style=values.pop("storefront_style", None),
        )
        tenant = services.tenant_onboard(**values, branding=branding, actor=request.user)
        return Response(
            TenantOutput(selectors.tenant_get(tenant.slug)).data, status=status.HTTP_201_CREATED
        )


class TenantDetailView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM

    @extend_schema(responses=TenantOutput)
    def get(self, request: Request, slug: str) -> Response:
        return Response(TenantOutput(selectors.tenant_get(slug)).data)

    @extend_schema(request=TenantChangeInput, responses=TenantOutput)
    def patch(self, request: Request, slug: str) -> Response:
        data = TenantChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        tenant = selectors.tenant_get(slug)
        # The settings first: they are the part that can be refused (a bad value, a
        # currency the chain has already sold in), and a refusal must leave the status
        # alone too.
        if "plan" in values:
            plan_change(tenant, values["plan"], actor=request.user)
        settings_ = {name: values[name] for name in SETTINGS if name in values}
        if settings_:
            services.tenant_update(tenant, **settings_, actor=request.user)
        if "status" in values:
            services.tenant_set_status(
                tenant, status=values["status"], reason=values["reason"], actor=request.user
            )
        return Response(TenantOutput(selectors.tenant_get(slug)).data)


class TenantDomainCreateView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM

    @extend_schema(request=DomainInput, responses={201: DomainOutput})
    def post(self, request: Request, slug: str) -> Response:
        data = DomainInput(data=request.data)
        data.is_valid(raise_exception=True)
        domain = services.domain_add(
            selectors.tenant_get(slug), domain=data.validated_data["domain"], actor=request.user
        )
        return Response(DomainOutput(domain).data, status=status.HTTP_201_CREATED)


class UsageMonthOutput(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM in the chain's time zone")
    currency = serializers.CharField()
    tickets_sold = serializers.IntegerField()
    gross = serializers.IntegerField(help_text="Minor units")
    refunded = serializers.IntegerField()
    net = serializers.IntegerField()
    platform_fees = serializers.IntegerField()


class UsageOutput(serializers.Serializer):
    tenant = serializers.CharField()
    currency = serializers.CharField()
    platform_fee_per_ticket = serializers.IntegerField()
    platform_fee_basis_points = serializers.IntegerField()
    months = UsageMonthOutput(many=True)


class TenantUsageView(APIView):
    """What a chain sold and owes the platform, month by month (from its own ledger)."""

    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM

    @extend_schema(responses=UsageOutput)
    def get(self, request: Request, slug: str) -> Response:
        tenant = selectors.tenant_get(slug)
        with schema_context(tenant.schema_name):
            months = usage_by_month(timezone=tenant.timezone)
        for month in months:
            month.setdefault("currency", tenant.currency)
        return Response(
            UsageOutput(
                {
                    "tenant": tenant.slug,
                    "currency": tenant.currency,
                    "platform_fee_per_ticket": tenant.platform_fee_per_ticket,
                    "platform_fee_basis_points": tenant.platform_fee_basis_points,
                    "months": UsageMonthOutput(months, many=True).data,
                }
            ).data
        )
