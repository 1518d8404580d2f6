"""The owner's billing page (`/dashboard/billing/`): what the chain owes the platform.

Its plan and trial, the saved card (add or replace it: at Stripe's own page, or in the
demo's sandbox a test card number), and its invoices with their status, PDF and a
"Pay now" button on each open or failed one, which charges the saved card at once
(tenants.billing.dunning.invoice_charge) and says how it went. Owners only
(`Capability.MANAGE_BILLING`). Open to a chain suspended as unpaid, so that it can pay
(tenants.billing.access); every other dashboard page shows a banner while an invoice's
charge has failed (`billing_banner`, from `TenantDashboard.each_context`).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from tenants.billing.access import suspended_for_unpaid
from tenants.billing.dunning import (
    invoice_charge,
    overdue_notice,
    subscription_card_setup_begin,
    subscription_card_setup_finish,
    subscription_sandbox_card_save,
    suspension_due_at,
)
from tenants.billing.models import ChargeAttempt, Invoice, Subscription
from tenants.billing.pdf import invoice_pdf as invoice_pdf_bytes
from tenants.billing.services import chain_today
from tenants.error_codes import DomainError
from tenants.models import Tenant
from tenants.money import money
from venue_apps.accounts.capabilities import Capability, has_capability


class SandboxCardForm(forms.Form):
    number = forms.CharField(
        label="Test card number",
        max_length=23,
        widget=forms.TextInput(
            {"inputmode": "numeric", "autocomplete": "off", "placeholder": "4242 4242 4242 4242"}
        ),
    )


def _owner_only(request: HttpRequest) -> Tenant:
    if not has_capability(request.user, Capability.MANAGE_BILLING):
        raise PermissionDenied
    return request.tenant  # type: ignore[attr-defined]


def _subscription(tenant: Tenant) -> Subscription | None:
    return Subscription.objects.select_related("plan", "next_plan").filter(tenant=tenant).first()


def _page_url(site) -> str:
    return reverse(f"{site.name}:billing")


def pdf_url(site, invoice: Invoice) -> str:
    return reverse(f"{site.name}:billing-invoice-pdf", args=[invoice.number])


@require_GET
def billing_page(request: HttpRequest, *, site) -> HttpResponse:
    tenant = _owner_only(request)
    subscription = _subscription(tenant)
    invoices = list(Invoice.objects.filter(tenant=tenant).order_by("-month", "-number"))
    rows = [
        {
            "invoice": invoice,
            "total": money(invoice.total, invoice.currency),
            "payable": invoice.is_unpaid,
            "pdf_url": pdf_url(site, invoice),
            "suspension_at": suspension_due_at(invoice),
        }
        for invoice in invoices
    ]
    return TemplateResponse(
        request,
        "dashboards/billing.html",
        {
            **site.each_context(request),
            "title": "Billing",
            "subscription": subscription,
            "rows": rows,
            "sandbox": settings.PLATFORM_PAYMENTS == "sandbox",
            "card_form": SandboxCardForm(),
            "suspended": suspended_for_unpaid(tenant),
            # The chain's own today: a trial that ended says so.
            "today": chain_today(tenant),
        },
    )


@require_POST
def pay_now(request: HttpRequest, number: str, *, site) -> HttpResponse:
    tenant = _owner_only(request)
    invoice = Invoice.objects.filter(tenant=tenant, number=number).first()
    if invoice is None:
        raise Http404
    try:
        attempt = invoice_charge(invoice, requested_by=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return HttpResponseRedirect(_page_url(site))
    amount = money(invoice.total, invoice.currency)
    if attempt.outcome == ChargeAttempt.Outcome.SUCCEEDED:
        messages.success(request, f"Invoice {invoice.number} is paid ({amount}). Thank you.")
    else:
        messages.error(
            request,
            f"The charge of {amount} for invoice {invoice.number} failed: "
            f"{attempt.failure_message or attempt.failure_code}",
        )
    return HttpResponseRedirect(_page_url(site))


@require_POST
def card_add(request: HttpRequest, *, site) -> HttpResponse:
    """The sandbox's form, or the way to Stripe's page to type a card there."""
    tenant = _owner_only(request)
    subscription = _subscription(tenant)
    if subscription is None:
        messages.error(request, "The chain has no plan yet: platform staff set one up first.")
        return HttpResponseRedirect(_page_url(site))
    try:
        if settings.PLATFORM_PAYMENTS == "sandbox":
            form = SandboxCardForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Type a test card number.")
                return HttpResponseRedirect(_page_url(site))
            subscription = subscription_sandbox_card_save(
                subscription, number=form.cleaned_data["number"], actor=request.user
            )
            messages.success(request, f"Card saved: {subscription.card_label}.")
            return HttpResponseRedirect(_page_url(site))
        back = request.build_absolute_uri(_page_url(site))
        redirect_url = subscription_card_setup_begin(
            subscription,
            email=request.user.email,  # type: ignore[union-attr]
            success_url=request.build_absolute_uri(reverse(f"{site.name}:billing-card-return")),
            cancel_url=back,
        )
    except DomainError as error:
        messages.error(request, error.detail)
        return HttpResponseRedirect(_page_url(site))
    return HttpResponseRedirect(redirect_url)


@require_GET
def card_return(request: HttpRequest, *, site) -> HttpResponse:
    """Back from Stripe's page: keep the card saved there."""
    tenant = _owner_only(request)
    subscription = _subscription(tenant)
    if subscription is None:
        raise Http404
    try:
        subscription = subscription_card_setup_finish(
            subscription, session_id=request.GET.get("session_id", ""), actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, f"Card saved: {subscription.card_label}.")
    return HttpResponseRedirect(_page_url(site))


@require_GET
def invoice_pdf(request: HttpRequest, number: str, *, site) -> HttpResponse:
    """The invoice's PDF (drawn from its frozen data), for the owner of its chain only."""
    tenant = _owner_only(request)
    invoice = Invoice.objects.filter(tenant=tenant, number=number).first()
    if invoice is None:
        raise Http404
    response = HttpResponse(invoice_pdf_bytes(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{invoice.number}.pdf"'
    return response


def billing_banner(request: HttpRequest) -> dict | None:
    """The banner on every dashboard page while an invoice's charge has failed."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.is_public:
        return None
    if not getattr(request.user, "is_authenticated", False):
        return None
    notice = overdue_notice(tenant)
    if notice is None:
        return None
    invoice, suspension_at = notice
    return {
        "invoice": invoice,
        "amount": money(invoice.total, invoice.currency),
        "suspension_at": suspension_at,
        "suspended": suspended_for_unpaid(tenant),
        "can_pay": has_capability(request.user, Capability.MANAGE_BILLING),
    }
