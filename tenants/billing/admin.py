"""The platform console's views of plans, subscriptions and the platform's settings
(registered in dashboards.sites). Invoices and sign-ups have their own modules
(admin_invoices.py, admin_signups.py).

Prices are shown and typed in the currency's units (`760.00`) and kept in minor units
(76000); each price row's own currency says how many decimals it has.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse

from tenants.billing.models import Plan, PlanPrice, PlatformSettings
from tenants.error_codes import DomainError
from tenants.money import minor_to_units, money, units_to_minor
from tenants.readonly_admin import ReadOnlyAdmin
from tenants.services import currency_clean

MONEY_FIELDS = ("monthly_fee", "per_ticket")


class PlanPriceForm(forms.ModelForm):
    """A price row in units of its own currency, cleaned to minor units."""

    monthly_fee = forms.DecimalField(
        min_value=Decimal(0), max_digits=14, help_text="In the currency's units, e.g. 2500.00."
    )
    per_ticket = forms.DecimalField(
        min_value=Decimal(0), max_digits=12, help_text="In the currency's units, e.g. 5.00."
    )

    class Meta:
        model = PlanPrice
        fields = ["currency", "monthly_fee", "per_ticket"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in MONEY_FIELDS:
                self.initial[name] = minor_to_units(
                    getattr(self.instance, name), self.instance.currency
                )

    def clean_currency(self) -> str:
        try:
            return currency_clean(self.cleaned_data["currency"])
        except DomainError as error:
            raise forms.ValidationError(error.detail) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        currency = cleaned.get("currency")
        if not currency:
            return cleaned
        for name in MONEY_FIELDS:
            if cleaned.get(name) is None:
                continue
            try:
                cleaned[name] = units_to_minor(cleaned[name], currency)
            except ValueError as error:
                self.add_error(name, str(error))
        return cleaned


class PlanPriceInline(admin.TabularInline):
    model = PlanPrice
    form = PlanPriceForm
    extra = 1
    fields = ["currency", "monthly_fee", "per_ticket"]


class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "prices",
        "share",
        "trial_days",
        "public",
        "active",
        "chains",
    ]
    list_filter = ["active", "public"]
    search_fields = ["name", "code"]
    inlines = [PlanPriceInline]
    fields = ["name", "code", "description", "basis_points", "trial_days", "public", "active"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("prices")
            .annotate(chain_count=Count("subscriptions"))
        )

    def get_readonly_fields(self, request, obj=None):
        # A plan's code is on its invoices: it stays once chains are on it.
        return ["code"] if obj is not None and obj.subscriptions.exists() else []

    @admin.display(description="Prices (monthly fee + per ticket)")
    def prices(self, plan: Plan) -> str:
        return (
            "; ".join(
                f"{money(price.monthly_fee, price.currency)} + "
                f"{money(price.per_ticket, price.currency)}"
                for price in plan.prices.all()
            )
            or "-"
        )

    @admin.display(description="Share of net sales", ordering="basis_points")
    def share(self, plan: Plan) -> str:
        return f"{plan.basis_points / 100:.2f}%"

    @admin.display(description="Chains", ordering="chain_count")
    def chains(self, plan: Plan) -> int:
        return getattr(plan, "chain_count", 0)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retire a plan (active off): its chains and invoices keep it


class SubscriptionAdmin(ReadOnlyAdmin):
    """Which chain is on which plan: read here, changed through the plans API (the
    change waits for the next month)."""

    list_display = ["tenant", "plan", "next_plan", "starts_on", "trial_ends_on", "card_label"]
    list_filter = ["plan"]
    search_fields = ["tenant__name", "tenant__slug"]
    list_select_related = ["tenant", "plan", "next_plan"]
    readonly_fields = [
        "tenant",
        "plan",
        "next_plan",
        "starts_on",
        "trial_ends_on",
        "card_label",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields


class PlatformSettingsAdmin(admin.ModelAdmin):
    """The platform's one settings row: the list opens it (or the form to make it)."""

    fields = ["signups_open", "signup_requires_approval", "grace_days", "default_plan"]

    def has_add_permission(self, request) -> bool:
        return not PlatformSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj: PlatformSettings, form, change: bool) -> None:
        obj.pk = 1  # one row, whatever the sequence says
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        row = PlatformSettings.objects.order_by("pk").first()
        name = f"{self.admin_site.name}:billing_platformsettings"
        if row is not None:
            return HttpResponseRedirect(reverse(f"{name}_change", args=[row.pk]))
        return HttpResponseRedirect(reverse(f"{name}_add"))
