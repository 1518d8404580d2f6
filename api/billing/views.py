"""The chain owner's view of what the platform bills it: its plan and its invoices
(this chain's only), with their PDFs."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.billing.serializers import InvoiceOutput
from api.permissions import HasCapability
from api.schema import ErrorOutput
from tenants.billing import selectors
from tenants.billing.pdf import invoice_pdf
from tenants.selectors import tenant_current
from venue_apps.accounts.capabilities import Capability


def pdf_response(body: bytes, number: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


class BillingOutput(serializers.Serializer):
    plan = serializers.CharField(allow_null=True, help_text="The plan's code.")
    plan_name = serializers.CharField(allow_null=True)
    next_plan = serializers.CharField(
        allow_null=True, help_text="The plan from the first day of next month, if changing."
    )
    next_plan_name = serializers.CharField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    trial_ends_on = serializers.DateField(allow_null=True)
    card_label = serializers.CharField(help_text="The saved card, e.g. 'Visa •••• 4242'.")


class BillingView(APIView):
    """The chain's plan, its next plan, the end of its trial and its saved card."""

    permission_classes = [HasCapability]
    capability = {"GET": Capability.MANAGE_BILLING}

    @extend_schema(responses=BillingOutput)
    def get(self, request: Request) -> Response:
        subscription = selectors.subscription_of(tenant_current())
        plan = subscription.plan if subscription else None
        next_plan = subscription.next_plan if subscription else None
        return Response(
            BillingOutput(
                {
                    "plan": plan.code if plan else None,
                    "plan_name": plan.name if plan else None,
                    "next_plan": next_plan.code if next_plan else None,
                    "next_plan_name": next_plan.name if next_plan else None,
                    "starts_on": subscription.starts_on if subscription else None,
                    "trial_ends_on": subscription.trial_ends_on if subscription else None,
                    "card_label": subscription.card_label if subscription else "",
                }
            ).data
        )


class InvoiceListView(ListAPIView):
    """This chain's invoices, newest month first."""

    permission_classes = [HasCapability]
    capability = {"GET": Capability.MANAGE_BILLING}
    serializer_class = InvoiceOutput

    def get_queryset(self):
        return selectors.invoice_list(tenant=tenant_current())


class InvoiceDetailView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.MANAGE_BILLING}

    @extend_schema(responses={200: InvoiceOutput, 404: ErrorOutput})
    def get(self, request: Request, number: str) -> Response:
        invoice = selectors.invoice_get(number, tenant=tenant_current())
        return Response(InvoiceOutput(invoice).data)


class InvoicePdfView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.MANAGE_BILLING}

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ErrorOutput})
    def get(self, request: Request, number: str) -> HttpResponse:
        invoice = selectors.invoice_get(number, tenant=tenant_current())
        return pdf_response(invoice_pdf(invoice), invoice.number)
