"""The owner pays an invoice of the platform now: `POST /api/v1/billing/invoices/{number}/pay/`.

Charges the chain's saved card at once (tenants.billing.dunning.invoice_charge): 200 with
the invoice's status when paid, 402 `charge_failed` on a decline (the attempt is
recorded and the owner emailed), 409 when it is already paid or void, or being charged.
Served to a chain suspended as unpaid too (tenants.billing.access), to pay its way back.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import HasCapability
from api.schema import ErrorOutput
from tenants.billing.dunning import DunningErrorCode, invoice_charge
from tenants.billing.models import ChargeAttempt, Invoice
from venue_apps.accounts.capabilities import Capability


class InvoicePaymentOutput(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Invoice.Status.choices)
    total = serializers.IntegerField(help_text="Minor units.")
    currency = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    payment_reference = serializers.CharField()


def chain_invoice(request: Request, number: str) -> Invoice:
    """An invoice of the request's chain (another chain's is 404, as is none)."""
    invoice = (
        Invoice.objects.select_related("tenant")
        .filter(number=number, tenant=request.tenant)
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice


class InvoicePayView(APIView):
    permission_classes = [HasCapability]
    capability = {"POST": Capability.MANAGE_BILLING}

    @extend_schema(
        request=None,
        responses={
            200: InvoicePaymentOutput,
            402: OpenApiResponse(ErrorOutput, description="The card was declined."),
        },
    )
    def post(self, request: Request, number: str) -> Response:
        attempt = invoice_charge(chain_invoice(request, number), requested_by=request.user)
        invoice = attempt.invoice
        if attempt.outcome == ChargeAttempt.Outcome.FAILED:
            return Response(
                {
                    "detail": attempt.failure_message or "The card was declined.",
                    "code": DunningErrorCode.CHARGE_FAILED,
                    "failure_code": attempt.failure_code,
                    "status": invoice.status,
                },
                status=402,
            )
        return Response(InvoicePaymentOutput(invoice).data)
