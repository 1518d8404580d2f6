"""Output of the platform's invoices, shared by the platform's API and the owner's."""

from __future__ import annotations

from rest_framework import serializers

from tenants.billing.models import Invoice, InvoiceLine


class InvoiceLineOutput(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["description", "quantity", "unit_amount", "amount"]


class InvoiceOutput(serializers.ModelSerializer):
    """An invoice; amounts in the currency's minor units."""

    tenant = serializers.CharField(source="tenant.slug", help_text="The chain's slug.")
    month = serializers.SerializerMethodField(help_text="YYYY-MM, in the chain's time zone.")
    lines = InvoiceLineOutput(many=True, read_only=True)
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "number",
            "tenant",
            "month",
            "currency",
            "lines",
            "total",
            "status",
            "plan_code",
            "plan_name",
            "issued_at",
            "due_on",
            "paid_at",
            "pdf",
        ]

    def get_month(self, invoice: Invoice) -> str:
        return f"{invoice.month:%Y-%m}"

    def get_pdf(self, invoice: Invoice) -> str:
        return f"{self.context.get('base', '/api/v1/billing/invoices/')}{invoice.number}/pdf/"
