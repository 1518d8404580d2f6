"""Invoices in the platform console (registered in dashboards.sites): read-only, with
their lines and charge attempts, and three actions that go through the dunning
services (which check the state, lock the invoice and write the audit log): mark paid
with the payment's reference, void with a reason, and charge the saved card now."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from tenants.billing.dunning import invoice_charge, invoice_mark_paid, invoice_void
from tenants.billing.models import ChargeAttempt, Invoice, InvoiceLine
from tenants.error_codes import DomainError
from tenants.money import money
from tenants.readonly_admin import ReadOnlyAdmin, ReadOnlyInline


class MarkPaidForm(forms.Form):
    reference = forms.CharField(
        max_length=120, help_text="The payment's reference, e.g. the bank transfer's."
    )


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=255, help_text="Why the invoice is no longer owed.")


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["position", "description", "quantity", "unit_amount_text", "amount_text"]
    readonly_fields = fields

    @admin.display(description="unit amount")
    def unit_amount_text(self, line: InvoiceLine) -> str:
        return money(line.unit_amount, line.invoice.currency)

    @admin.display(description="amount")
    def amount_text(self, line: InvoiceLine) -> str:
        return money(line.amount, line.invoice.currency)


class ChargeAttemptInline(ReadOnlyInline):
    model = ChargeAttempt
    fields = [
        "number",
        "created_at",
        "provider",
        "outcome",
        "gateway_reference",
        "failure_code",
        "failure_message",
        "requested_by",
    ]
    readonly_fields = fields


class InvoiceAdmin(ReadOnlyAdmin):
    change_form_template = "billing/invoice_change_form.html"
    list_display = ["number", "tenant", "month", "total_text", "status", "next_attempt_at"]
    list_filter = ["status", "month"]
    search_fields = ["number", "tenant__name", "tenant__slug"]
    list_select_related = ["tenant"]
    inlines = [InvoiceLineInline, ChargeAttemptInline]
    actions = ["charge_now"]
    readonly_fields = [
        "number",
        "tenant",
        "month",
        "currency",
        "total_text",
        "plan_code",
        "plan_name",
        "usage",
        "issued_at",
        "due_on",
        "status",
        "first_failed_at",
        "attempts",
        "next_attempt_at",
        "paid_at",
        "payment_reference",
        "voided_reason",
    ]
    fields = readonly_fields

    @admin.display(description="total", ordering="total")
    def total_text(self, invoice: Invoice) -> str:
        return money(invoice.total, invoice.currency)

    @admin.action(description="Charge the saved card now")
    def charge_now(self, request: HttpRequest, queryset) -> None:
        for invoice in queryset.select_related("tenant"):
            self._charge(request, invoice)

    def _charge(self, request: HttpRequest, invoice: Invoice) -> None:
        try:
            attempt = invoice_charge(invoice, requested_by=request.user)
        except DomainError as error:
            messages.error(request, f"{invoice.number}: {error.detail}")
            return
        if attempt.outcome == ChargeAttempt.Outcome.SUCCEEDED:
            messages.success(request, f"{invoice.number} is paid.")
        else:
            messages.error(
                request, f"{invoice.number}: the charge failed ({attempt.failure_message})."
            )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/mark-paid/",
                self.admin_site.admin_view(self.mark_paid_view),
                name="billing_invoice_mark_paid",
            ),
            path(
                "<path:object_id>/void/",
                self.admin_site.admin_view(self.void_view),
                name="billing_invoice_void",
            ),
            path(
                "<path:object_id>/charge/",
                self.admin_site.admin_view(self.charge_view),
                name="billing_invoice_charge",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, invoice: Invoice) -> str:
        return reverse(f"{self.admin_site.name}:billing_invoice_change", args=[invoice.pk])

    def _invoice(self, request: HttpRequest, object_id: str) -> Invoice:
        return get_object_or_404(Invoice.objects.select_related("tenant"), pk=object_id)

    def _form_page(
        self, request: HttpRequest, invoice: Invoice, form: forms.Form, action: str
    ) -> HttpResponse:
        return TemplateResponse(
            request,
            "billing/invoice_action.html",
            {
                **self.admin_site.each_context(request),
                "title": f"{action}: invoice {invoice.number}",
                "invoice": invoice,
                "total": money(invoice.total, invoice.currency),
                "form": form,
                "action": action,
                "opts": self.opts,
                "change_url": self._change_url(invoice),
            },
        )

    def _settle(self, request, object_id, form_class, action, service, field) -> HttpResponse:
        invoice = self._invoice(request, object_id)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                service(invoice, **{field: form.cleaned_data[field]}, actor=request.user)
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                messages.success(request, f"{action}: invoice {invoice.number}.")
                return HttpResponseRedirect(self._change_url(invoice))
        return self._form_page(request, invoice, form, action)

    def mark_paid_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._settle(
            request, object_id, MarkPaidForm, "Mark paid", invoice_mark_paid, "reference"
        )

    def void_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._settle(request, object_id, VoidForm, "Void", invoice_void, "reason")

    def charge_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        invoice = self._invoice(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(invoice))
        self._charge(request, invoice)
        return HttpResponseRedirect(self._change_url(invoice))

    def render_change_form(self, request, context: dict[str, Any], *args, **kwargs):
        invoice = context.get("original")
        context["invoice_unpaid"] = bool(invoice and invoice.is_unpaid)
        return super().render_change_form(request, context, *args, **kwargs)
