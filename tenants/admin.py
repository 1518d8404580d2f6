"""Views of tenants for the platform console (registered in dashboards.sites).

Changes that matter go through the services (they validate and write the audit log):
onboarding through the API or `manage.py onboard_tenant`, suspension through the
actions here, a chain's settings and logo through its change page (never a plain
save), custom domains through the API.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html

from tenants import selectors, services
from tenants.billing import figures
from tenants.billing.models import Invoice
from tenants.error_codes import DomainError
from tenants.models import Domain, Tenant
from tenants.money import money
from tenants.readonly_admin import ReadOnlyAdmin


class TenantForm(forms.ModelForm):
    """A chain's settings, each changed one checked by the service that will save it,
    so the console refuses what the API refuses, with the same words, on the field."""

    class Meta:
        model = Tenant
        fields = [*services.SETTING_CLEANERS, "logo"]
        help_texts = {
            "currency": "ISO 4217 code, e.g. INR or EUR. Fixed once the chain has sold anything.",
            "timezone": "IANA time zone, e.g. Asia/Kolkata or Europe/Dublin.",
            "locale": "BCP 47 language tag, e.g. en-IN or hi-IN.",
            "platform_fee_per_ticket": "In the chain's minor units (paise, cents).",
            "platform_fee_basis_points": "A share of each ticket's total: 100 is 1 %.",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for field in self.changed_data:
            if field not in services.SETTING_CLEANERS or field not in cleaned:
                continue  # the logo, or a value the form field already refused
            try:
                cleaned[field] = services.tenant_setting_clean(field, cleaned[field])
            except DomainError as error:
                self.add_error(field, error.detail)
        currency = cleaned.get("currency")
        if (
            currency
            and currency != self.instance.currency
            and "currency" not in self.errors
            and selectors.tenant_has_sales(self.instance)
        ):
            self.add_error(
                "currency",
                f"{self.instance.name} has orders or payments in {self.instance.currency}, "
                "so its currency can no longer change.",
            )
        return cleaned


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary"]
    readonly_fields = ["domain", "is_primary"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class TenantAdmin(admin.ModelAdmin):
    """The console's chain list: each chain's plan, primary domain, status, this month's
    usage (the MonthUsage copy) and last invoice, all in one query plus the domains'
    prefetch, however many chains are listed."""

    form = TenantForm
    list_display = [
        "name",
        "plan",
        "primary_domain",
        "status_shown",
        "month_tickets_shown",
        "month_gross_shown",
        "last_invoice",
    ]
    list_filter = ["status", "subscription__plan", "currency"]
    search_fields = ["name", "slug", "domains__domain"]
    readonly_fields = [
        "schema_name",
        "slug",
        "status",
        "status_reason",
        # From the chain's plan (copied when it starts and at each monthly close): what
        # each sale accrues in the chain's books. Staff change the plan, not these.
        "platform_fee_per_ticket",
        "platform_fee_basis_points",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["name", "slug", "schema_name", "status", "status_reason"]}),
        ("Money and time", {"fields": ["currency", "timezone", "locale"]}),
        (
            "Storefront",
            {
                "fields": [
                    "display_name",
                    "logo",
                    "primary_colour",
                    "accent_colour",
                    "storefront_style",
                ]
            },
        ),
        ("Seat holds", {"fields": ["hold_ttl_seconds", "hold_max_seats", "holds_per_customer"]}),
        (
            "Platform fees",
            {
                "fields": ["platform_fee_per_ticket", "platform_fee_basis_points"],
                "description": "From the chain's plan, copied when it starts and at each "
                "monthly close: what each sale accrues as platform fees in the chain's "
                "books. The invoice is worked out from the plan; change the plan instead.",
            },
        ),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [DomainInline]
    actions = ["suspend", "resume"]

    def get_queryset(self, request):
        chains = selectors.tenant_list().select_related("subscription__plan")
        return figures.with_month_figures(chains, timezone.localdate())

    @admin.display(description="Plan", ordering="subscription__plan__name")
    def plan(self, tenant: Tenant) -> str:
        subscription = getattr(tenant, "subscription", None)
        return subscription.plan.name if subscription else "-"

    @admin.display(description="Primary domain")
    def primary_domain(self, tenant: Tenant) -> str:
        # From the prefetched domains: no query per row.
        return next((d.domain for d in tenant.domains.all() if d.is_primary), "-")

    @admin.display(description="Status", ordering="status")
    def status_shown(self, tenant: Tenant) -> str:
        if tenant.status_reason and tenant.is_suspended:
            return format_html(
                '<span data-status="{}">{} ({})</span>',
                tenant.status,
                tenant.get_status_display(),
                tenant.status_reason,
            )
        return format_html(
            '<span data-status="{}">{}</span>', tenant.status, tenant.get_status_display()
        )

    @admin.display(description="Tickets (month)", ordering="month_tickets")
    def month_tickets_shown(self, tenant: Tenant) -> str:
        tickets = getattr(tenant, "month_tickets", None)
        return "-" if tickets is None else f"{tickets:,}"

    @admin.display(description="Gross (month)", ordering="month_gross")
    def month_gross_shown(self, tenant: Tenant) -> str:
        gross = getattr(tenant, "month_gross", None)
        if gross is None:
            return "-"
        return money(gross, getattr(tenant, "month_currency", None) or tenant.currency)

    @admin.display(description="Last invoice", ordering="last_invoice_status")
    def last_invoice(self, tenant: Tenant) -> str:
        status = getattr(tenant, "last_invoice_status", None)
        if status is None:
            return "-"
        return format_html(
            '<span data-invoice-status="{}" title="{}">{}</span>',
            status,
            tenant.last_invoice_number,
            Invoice.Status(status).label,
        )

    def save_model(self, request, obj: Tenant, form: TenantForm, change: bool) -> None:
        """Through the services (their checks, the audit row, the host cache), never
        obj.save(): what the form put on `obj` is written only by them."""
        settings_ = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in services.SETTING_CLEANERS
        }
        try:
            # Both or neither: a refusal of the second undoes the first.
            with transaction.atomic():
                if settings_:
                    services.tenant_update(obj, **settings_, actor=request.user)
                if "logo" in form.changed_data:
                    logo = form.cleaned_data["logo"]
                    if logo:
                        services.tenant_logo_set(
                            obj, image=logo.read(), filename=logo.name, actor=request.user
                        )
                    else:  # "Clear" was ticked
                        services.tenant_logo_clear(obj, actor=request.user)
        except DomainError as error:
            # Only when the chain changed after the form's checks (its first order came
            # in, say): say so on the page rather than claim a change that was not made.
            request._tenant_refusal = error

    def log_change(self, request, obj, message):
        if getattr(request, "_tenant_refusal", None) is None:
            return super().log_change(request, obj, message)
        return None

    def response_change(self, request, obj):
        refusal = getattr(request, "_tenant_refusal", None)
        if refusal is None:
            return super().response_change(request, obj)
        self.message_user(request, f"Nothing was changed: {refusal.detail}", messages.ERROR)
        return HttpResponseRedirect(request.path)

    def _set_status(self, request, queryset, status: str) -> None:
        for tenant in queryset:
            try:
                services.tenant_set_status(
                    tenant, status=status, reason="Set in the platform console", actor=request.user
                )
            except DomainError as error:
                self.message_user(request, f"{tenant}: {error.detail}", messages.ERROR)
            else:
                self.message_user(request, f"{tenant} is now {status}.", messages.SUCCESS)

    @admin.action(description="Suspend the selected chains")
    def suspend(self, request, queryset) -> None:
        self._set_status(request, queryset, Tenant.Status.SUSPENDED)

    @admin.action(description="Resume the selected chains")
    def resume(self, request, queryset) -> None:
        self._set_status(request, queryset, Tenant.Status.ACTIVE)

    def has_add_permission(self, request) -> bool:
        # Onboarding is a service (schema, domain, owner); the API and the command call it.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary", "created_at"]
    search_fields = ["domain"]

    def has_add_permission(self, request) -> bool:
        return False  # POST /api/platform/tenants/{slug}/domains/ validates and audits

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PlatformAuditLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "tenant", "action", "actor_email"]
    list_filter = ["action"]
    readonly_fields = [
        "tenant",
        "action",
        "actor_id",
        "actor_email",
        "old_values",
        "new_values",
        "created_at",
    ]
