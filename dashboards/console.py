"""The platform console's own pages: the home with the platform's figures, the chain's
page (usage chart, invoices, subscription, domains, audit log) and onboarding from a
form.

Every figure is read from the public schema (`tenants.billing.figures`): chains,
MonthUsage, invoices, sign-ups. A page view never opens a chain's schema, so its
queries do not grow with the number of chains, and nothing here can show a chain's
customers (their orders, names or emails live only in the chain's schema).
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dashboards.charts import chart_data, charts_assets, units
from tenants import services
from tenants.admin import TenantAdmin
from tenants.billing import figures
from tenants.billing import services as billing_services
from tenants.billing.models import Plan, Subscription
from tenants.error_codes import DomainError, TenantErrorCode
from tenants.models import PlatformAuditLog, Tenant
from tenants.money import money

CONSOLE_COLOUR = "#1f2937"
AUDIT_ROWS = 20


# --- the home ------------------------------------------------------------------------


def _month_label(month: datetime.date) -> str:
    return month.strftime("%b %Y")


def _revenue_charts(revenue: dict[str, Any]) -> list[dict[str, Any]]:
    """One chart per currency (amounts in different currencies share no axis)."""
    labels = [_month_label(month) for month in revenue["months"]]
    return [
        {
            "currency": currency,
            "id": f"revenue-{currency.lower()}",
            "total": money(sum(totals), currency),
            "data": chart_data(
                kind="bar",
                labels=labels,
                datasets=[
                    {
                        "label": f"Invoiced ({currency})",
                        "data": [float(units(total, currency)) for total in totals],
                    }
                ],
                colour=CONSOLE_COLOUR,
                currency=currency,
            ),
        }
        for currency, totals in revenue["currencies"].items()
    ]


def home_context(request: HttpRequest) -> dict[str, Any]:
    """What the console's home shows: a fixed number of public-schema queries."""
    now = timezone.now()
    today = timezone.localdate(now, timezone=datetime.UTC)
    platform = figures.platform_settings()
    usage = figures.month_usage_by_currency(today)
    unpaid = figures.unpaid_invoices(today)
    # Months are invoiced once closed: the chart ends with last month.
    revenue = figures.revenue_by_month(figures.month_first(today) - datetime.timedelta(days=1))
    return {
        "charts_assets": charts_assets(request),
        "brand_colour": CONSOLE_COLOUR,
        "today": today,
        "month": figures.month_first(today),
        "chains": figures.chain_counts(),
        "signups": figures.signups_waiting(),
        "usage": [
            {
                **row,
                "tickets_text": f"{row['tickets']:,}",
                "gross_text": money(row["gross"], row["currency"]),
            }
            for row in usage
        ],
        # Tickets are a count: they add up across currencies (money never does).
        "tickets_month": f"{sum(row['tickets'] for row in usage):,}",
        "unpaid": {
            **unpaid,
            "totals": [
                {**row, "total_text": money(row["total"], row["currency"])}
                for row in unpaid["totals"]
            ],
            "rows": [
                {
                    "invoice": row.invoice,
                    "days_overdue": row.days_overdue,
                    "total_text": money(row.invoice.total, row.invoice.currency),
                }
                for row in unpaid["rows"]
            ],
        },
        "near_suspension": figures.near_suspension(now, grace_days=platform.grace_days),
        "grace_days": platform.grace_days,
        "revenue_charts": _revenue_charts(revenue),
        "revenue_first": revenue["months"][0],
        "revenue_last": revenue["months"][-1],
    }


# --- onboarding from a form ------------------------------------------------------------

ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
# Which field a refusal of `tenant_onboard` belongs on, by its code.
FIELD_OF_CODE = {
    TenantErrorCode.SLUG_INVALID: "slug",
    TenantErrorCode.SLUG_RESERVED: "slug",
    TenantErrorCode.SLUG_TAKEN: "slug",
    TenantErrorCode.DOMAIN_TAKEN: "slug",
    TenantErrorCode.NAME_INVALID: "name",
    TenantErrorCode.CURRENCY_INVALID: "currency",
    TenantErrorCode.TIMEZONE_INVALID: "timezone",
    TenantErrorCode.LOCALE_INVALID: "locale",
    TenantErrorCode.OWNER_INVALID: "owner_password",
}


class ChainOnboardForm(forms.Form):
    """What `tenants.services.tenant_onboard` takes; the service checks every value and
    its refusals are shown on their field in its own words."""

    required_css_class = "required"

    name = forms.CharField(max_length=120)
    slug = forms.CharField(
        max_length=40,
        help_text="The chain's subdomain: lower-case letters, digits and dashes.",
    )
    display_name = forms.CharField(
        max_length=120, required=False, help_text="Shown to customers; the name when blank."
    )
    owner_email = forms.EmailField(label="Owner's email")
    owner_password = forms.CharField(
        label="Owner's password",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    currency = forms.CharField(
        max_length=3, initial="INR", help_text="ISO 4217 code, e.g. INR or EUR."
    )
    timezone = forms.ChoiceField(
        label="Time zone", choices=[(zone, zone) for zone in ZONES], initial="Asia/Kolkata"
    )
    locale = forms.CharField(
        max_length=16, initial="en-IN", help_text="BCP 47 tag, e.g. en-IN or en-IE."
    )
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plans = Plan.objects.filter(active=True).order_by("name")
        field = self.fields["plan"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = plans
        if plans.exists():
            field.required = True
            # The plan a chain gets when none is named (the platform settings' default,
            # else "standard"), chosen already: the form is usable as it opens.
            try:
                field.initial = billing_services.plan_resolve(None).pk
            except DomainError:
                field.initial = None
        else:
            field.help_text = "No plans yet: add one under Plans first."

    def refusal_add(self, error: DomainError) -> None:
        codes = {code.value: field for code, field in FIELD_OF_CODE.items()}
        field = codes.get(error.code)
        if field == "owner_password":
            try:
                validate_email(self.cleaned_data.get("owner_email", ""))
            except ValidationError:
                field = "owner_email"
        if field == "name" and self.cleaned_data.get("display_name"):
            try:
                services.name_clean(self.cleaned_data["name"])
                field = "display_name"
            except DomainError:
                pass
        self.add_error(field, error.detail)


def chain_onboard(form: ChainOnboardForm, *, actor: Any) -> Tenant:
    data = form.cleaned_data
    arguments: dict[str, Any] = {
        "name": data["name"],
        "slug": data["slug"],
        "owner_email": data["owner_email"],
        "owner_password": data["owner_password"],
        "currency": data["currency"],
        "timezone": data["timezone"],
        "locale": data["locale"],
        "branding": services.Branding(display_name=data["display_name"]),
        "actor": actor,
    }
    plan = data.get("plan")
    if plan is not None:
        arguments["plan"] = plan.code
    return services.tenant_onboard(**arguments)


# --- the chain's page ------------------------------------------------------------------


def _invoice_url(site_name: str, invoice: Any) -> str | None:
    # The invoice admin is the dunning part's; link to it when it is registered.
    try:
        return reverse(f"{site_name}:billing_invoice_change", args=[invoice.pk])
    except NoReverseMatch:
        return None


def chain_context(tenant: Tenant, *, site_name: str) -> dict[str, Any]:
    today = timezone.localdate(timezone=datetime.UTC)
    usage = figures.chain_usage(tenant, today)
    labels = [_month_label(month) for month in usage["months"]]
    currency = tenant.currency
    subscription = (
        Subscription.objects.filter(tenant=tenant).select_related("plan", "next_plan").first()
    )
    return {
        "usage_any": usage["any"],
        "usage_charts": [
            {
                "id": "usage-tickets",
                "title": "Tickets sold (less refunded in full)",
                "data": chart_data(
                    kind="bar",
                    labels=labels,
                    datasets=[{"label": "Tickets", "data": usage["tickets"]}],
                    colour=tenant.primary_colour or CONSOLE_COLOUR,
                ),
            },
            {
                "id": "usage-gross",
                "title": f"Gross and refunded ({currency})",
                "data": chart_data(
                    kind="bar",
                    labels=labels,
                    datasets=[
                        {
                            "label": "Gross",
                            "data": [float(units(v, currency)) for v in usage["gross"]],
                        },
                        {
                            "label": "Refunded",
                            "data": [float(units(v, currency)) for v in usage["refunded"]],
                        },
                    ],
                    colour=tenant.primary_colour or CONSOLE_COLOUR,
                    currency=currency,
                ),
            },
        ],
        "invoices": [
            {
                "invoice": invoice,
                "total_text": money(invoice.total, invoice.currency),
                "url": _invoice_url(site_name, invoice),
                "pdf_url": f"/api/platform/invoices/{invoice.number}/pdf/",
            }
            for invoice in figures.chain_invoices(tenant)
        ],
        "subscription": subscription,
        "domains": list(tenant.domains.order_by("-is_primary", "domain")),
        "audit_rows": list(
            PlatformAuditLog.objects.filter(tenant=tenant).order_by("-created_at")[:AUDIT_ROWS]
        ),
    }


class ConsoleTenantAdmin(TenantAdmin):
    """The chain list and page of the platform console, with "Add chain" (onboarding
    through the service) and the chain's figures on its page."""

    change_form_template = "dashboards/console/tenant_change.html"

    def has_add_permission(self, request) -> bool:
        # The console's own sign-in check (RUN_PLATFORM) already holds on every page.
        return self.admin_site.has_permission(request)

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        return chain_add_page(request, site=self.admin_site)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        tenant = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if tenant is not None:
            extra.update(chain_context(tenant, site_name=self.admin_site.name))
            extra["charts_assets"] = charts_assets(request)
        return super().change_view(request, object_id, form_url, extra)


def chain_add_page(request: HttpRequest, *, site: Any) -> HttpResponse:
    form = ChainOnboardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = chain_onboard(form, actor=request.user)
        except DomainError as error:
            form.refusal_add(error)
        else:
            messages.success(request, f"{tenant.name} is onboarded at its own subdomain.")
            return HttpResponseRedirect(
                reverse(f"{site.name}:tenants_tenant_change", args=[tenant.pk])
            )
    context = {
        **site.each_context(request),
        "title": "Add chain",
        "form": form,
        "opts": Tenant._meta,
        "has_plans": Plan.objects.filter(active=True).exists(),
    }
    return render(request, "dashboards/console/chain_add.html", context, status=200)
