"""Platform staff settle an invoice by hand: mark it paid with the payment's reference
(a bank transfer), or void it. Both resume a chain suspended as unpaid when it owes
nothing else overdue (tenants.billing.dunning)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.billing.payment import InvoicePaymentOutput
from api.permissions import HasCapability
from tenants.billing.dunning import invoice_mark_paid, invoice_void
from tenants.billing.models import Invoice
from venue_apps.accounts.capabilities import Capability


class MarkPaidInput(serializers.Serializer):
    reference = serializers.CharField(max_length=120)


class VoidInput(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class InvoiceActionOutput(InvoicePaymentOutput):
    voided_reason = serializers.CharField()


def _invoice(number: str) -> Invoice:
    invoice = Invoice.objects.select_related("tenant").filter(number=number).first()
    if invoice is None:
        raise Http404
    return invoice


class InvoiceMarkPaidView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM

    @extend_schema(request=MarkPaidInput, responses={200: InvoiceActionOutput})
    def post(self, request: Request, number: str) -> Response:
        invoice = _invoice(number)
        data = MarkPaidInput(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = invoice_mark_paid(
            invoice, reference=data.validated_data["reference"], actor=request.user
        )
        return Response(InvoiceActionOutput(invoice).data)


class InvoiceVoidView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.RUN_PLATFORM

    @extend_schema(request=VoidInput, responses={200: InvoiceActionOutput})
    def post(self, request: Request, number: str) -> Response:
        invoice = _invoice(number)
        data = VoidInput(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = invoice_void(invoice, reason=data.validated_data["reason"], actor=request.user)
        return Response(InvoiceActionOutput(invoice).data)
