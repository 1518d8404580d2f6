"""The platform's billing API: plans, the monthly close, and every chain's invoices."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.billing.serializers import InvoiceOutput
from api.billing.views import pdf_response
from api.permissions import HasCapability
from api.schema import ErrorOutput
from tenants.billing import selectors, services
from tenants.billing.models import Invoice, Plan
from tenants.billing.pdf import invoice_pdf
from tenants.error_codes import DomainError
from venue_apps.accounts.capabilities import Capability

PLATFORM_INVOICES = "/api/platform/invoices/"


class PlanPriceSerializer(serializers.Serializer):
    currency = serializers.CharField(max_length=8, help_text="ISO 4217 code.")
    monthly_fee = serializers.IntegerField(min_value=0, help_text="Minor units.")
    per_ticket = serializers.IntegerField(min_value=0, help_text="Minor units.")


class PlanOutput(serializers.ModelSerializer):
    prices = PlanPriceSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "code",
            "name",
            "description",
            "basis_points",
            "trial_days",
            "public",
            "active",
            "prices",
        ]


class PlanInput(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(
        max_length=255, required=False, default="", allow_blank=True
    )
    basis_points = serializers.IntegerField(
        min_value=0, required=False, default=0, help_text="Share of net sales; 100 = 1%."
    )
    trial_days = serializers.IntegerField(min_value=0, required=False, default=0)
    public = serializers.BooleanField(required=False, default=True)
    active = serializers.BooleanField(required=False, default=True)
    prices = PlanPriceSerializer(many=True, help_text="One price per currency.")


class PlanChangeInput(serializers.Serializer):
    name = serializers.CharField(max_length=80, required=False)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True)
    basis_points = serializers.IntegerField(min_value=0, required=False)
    trial_days = serializers.IntegerField(min_value=0, required=False)
    public = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)
    prices = PlanPriceSerializer(
        many=True, required=False, help_text="Sets these currencies' prices; others stay."
    )


def _prices(values: dict[str, Any]) -> dict[str, dict[str, int]] | None:
    if "prices" not in values:
        return None
    prices: dict[str, dict[str, int]] = {}
    for price in values.pop("prices"):
        currency = price["currency"].strip().upper()
        if currency in prices:
            raise DomainError("plan_invalid", f"{currency} is priced twice.")
        prices[currency] = {"monthly_fee": price["monthly_fee"], "per_ticket": price["per_ticket"]}
    return prices


class PlanListCreateView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM

    @extend_schema(responses=PlanOutput(many=True))
    def get(self, request: Request) -> Response:
        return Response(PlanOutput(selectors.plan_list(), many=True).data)

    @extend_schema(request=PlanInput, responses={201: PlanOutput, 400: ErrorOutput})
    def post(self, request: Request) -> Response:
        data = PlanInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        prices = _prices(values) or {}
        plan = services.plan_create(**values, prices=prices, actor=request.user)
        return Response(
            PlanOutput(selectors.plan_get(plan.code)).data, status=status.HTTP_201_CREATED
        )


class PlanDetailView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM

    @extend_schema(responses={200: PlanOutput, 404: ErrorOutput})
    def get(self, request: Request, code: str) -> Response:
        return Response(PlanOutput(selectors.plan_get(code)).data)

    @extend_schema(request=PlanChangeInput, responses={200: PlanOutput, 400: ErrorOutput})
    def patch(self, request: Request, code: str) -> Response:
        plan = selectors.plan_get(code)
        data = PlanChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        prices = _prices(values)
        services.plan_update(plan, **values, prices=prices, actor=request.user)
        return Response(PlanOutput(selectors.plan_get(code)).data)


class CloseInput(serializers.Serializer):
    month = serializers.CharField(max_length=7, help_text="YYYY-MM")


class CloseOutput(serializers.Serializer):
    month = serializers.CharField()
    issued = InvoiceOutput(many=True, help_text="Issued by this call.")
    existing = InvoiceOutput(many=True, help_text="Issued before (nothing new).")
    waiting = serializers.ListField(
        child=serializers.CharField(), help_text="Chains whose month has not ended in their zone."
    )
    failed = serializers.DictField(child=serializers.CharField())


class CloseView(APIView):
    """Close a month now (the beat does it on the 1st): each chain's invoice, once."""

    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM

    @extend_schema(request=CloseInput, responses={200: CloseOutput, 400: ErrorOutput})
    def post(self, request: Request) -> Response:
        data = CloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        month = services.month_parse(data.validated_data["month"])
        result = services.month_close(month, actor=request.user)
        return Response(
            CloseOutput(
                {
                    "month": f"{result.month:%Y-%m}",
                    "issued": result.issued,
                    "existing": result.existing,
                    "waiting": result.waiting,
                    "failed": result.failed,
                },
                context={"base": PLATFORM_INVOICES},
            ).data
        )


class InvoiceListView(ListAPIView):
    """Every chain's invoices, filtered by `tenant` (slug), `month` (YYYY-MM), `status`."""

    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM
    serializer_class = InvoiceOutput

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "base": PLATFORM_INVOICES}

    @extend_schema(
        parameters=[
            OpenApiParameter("tenant", str, description="A chain's slug."),
            OpenApiParameter("month", str, description="YYYY-MM"),
            OpenApiParameter("status", str, enum=Invoice.Status.values),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = self.request.query_params
        month = services.month_parse(query["month"]) if query.get("month") else None
        status_ = query.get("status") or None
        if status_ is not None and status_ not in Invoice.Status.values:
            raise DomainError(
                "status_invalid", f"The status is one of {', '.join(Invoice.Status.values)}."
            )
        return selectors.invoice_list(
            tenant_slug=query.get("tenant") or None, month=month, status=status_
        )


class InvoiceDetailView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM

    @extend_schema(responses={200: InvoiceOutput, 404: ErrorOutput})
    def get(self, request: Request, number: str) -> Response:
        invoice = selectors.invoice_get(number)
        return Response(InvoiceOutput(invoice, context={"base": PLATFORM_INVOICES}).data)


class InvoicePdfView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ErrorOutput})
    def get(self, request: Request, number: str) -> HttpResponse:
        invoice = selectors.invoice_get(number)
        return pdf_response(invoice_pdf(invoice), invoice.number)
