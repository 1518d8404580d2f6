"""The chain dashboard's view of orders, promo codes, fees, taxes and the cancellation
policy (registered in dashboards.sites).

Orders are read-only here, every field of them (the money, its mode `test_mode`, the
status): the page is a view, never a form. What changes them (refunds) is the sale's:
`venue_apps.sales.admin.SaleOrderAdmin` adds the refund page of an order and the
"refund in full" action, which need the `change_order` permission.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from tenants.error_codes import DomainError
from tenants.money import minor_to_units, money, units_to_minor
from tenants.money_admin import MoneyFieldsAdmin, chain_currency
from tenants.readonly_admin import ReadOnlyAdmin, ReadOnlyInline
from tenants.singletons import SingletonAdmin
from venue_apps.audit.admin import AuditedAdmin
from venue_apps.audit.readable import details_of
from venue_apps.audit.selectors import audit_history
from venue_apps.audit.services import audit_snapshot
from venue_apps.orders import services
from venue_apps.orders.models import (
    CancellationTier,
    CheckoutSettings,
    Order,
    OrderLine,
    PromoCode,
)
from venue_apps.orders.selectors import order_find
from venue_apps.shows.models import Show


class OrderLineInline(MoneyFieldsAdmin, ReadOnlyInline):
    model = OrderLine
    money_fields = ["price", "discount", "fee", "tax_added", "total", "refunded_amount"]
    fields = [
        "seat_label",
        "category",
        "status",
        "price",
        "discount",
        "fee",
        "tax_added",
        "total",
        "refunded_amount",
    ]
    readonly_fields = fields


class OrderAdmin(MoneyFieldsAdmin, ReadOnlyAdmin):
    # A view, never a form: a saved order page would write its fields straight to the
    # row, past the services, their locks and the audit trail.
    model = Order
    money_fields = [
        "subtotal",
        "discount",
        "fees",
        "tax_added",
        "tax_included",
        "total",
        "refunded_amount",
    ]
    list_display = ["reference", "show", "email", "status", "total_money", "channel", "created_at"]
    list_filter = ["status", "channel", "show__venue"]
    # The search box runs the box office's lookup (`get_search_results`).
    search_fields = ["reference", "email", "name", "phone"]
    search_help_text = "Part of a name, email, booking reference or phone number, or a seat (F7)."
    list_select_related = ["show__title", "show__venue"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline]
    readonly_fields = [
        "reference",
        "status",
        "reason",
        "customer",
        "email",
        "name",
        "channel",
        "sold_by",
        "show",
        "currency",
        "subtotal",
        "discount",
        "fees",
        "tax_added",
        "tax_included",
        "total",
        "refunded_amount",
        "promo_code",
        "test_mode",
        "expires_at",
        "created_at",
        "paid_at",
        "ended_at",
        "payments",
        "history",
    ]
    exclude = ["hold", "client_address"]

    def get_search_results(self, request, queryset, search_term):
        """The API's lookup (`selectors.order_find`): staff find the same orders by part
        of a name, email, reference or phone number, or by seat, here as at the box
        office, within the page's filters."""
        if not search_term.strip():
            return queryset, False
        try:
            found = order_find(search_term)
        except DomainError as error:
            messages.warning(request, error.detail)
            return queryset.none(), False
        return queryset.filter(pk__in=found.values("pk")), False

    @admin.display(description="total", ordering="total")
    def total_money(self, order: Order) -> str:
        return money(order.total, order.currency)

    @admin.display(description="history")
    def history(self, order: Order) -> str:
        """The order's rows of the audit log, with its refunds' and tickets': when,
        what, by whom, and the details, oldest first."""
        entries = audit_history([order, *order.refunds.all(), *order.tickets.all()])
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    # In the chain's zone and the dashboard's format, like the fields above.
                    date_format(timezone.localtime(entry.created_at), "DATETIME_FORMAT"),
                    entry.action,
                    entry.actor_email or "the system",
                    details_of(entry, order.currency),
                )
                for entry in entries
            ),
        )
        if not rows:
            return "none"
        return format_html(
            "<table><thead><tr><th>created at</th><th>action</th><th>actor email</th>"
            "<th>details</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="payments")
    def payments(self, order: Order) -> str:
        rows = []
        for payment in order.payments.order_by("created_at"):
            row = f"{payment.provider} {payment.status} {money(payment.amount, payment.currency)}"
            if payment.refunded_amount:
                row += f" (refunded {money(payment.refunded_amount, payment.currency)})"
            rows.append(row)
        return "; ".join(rows) or "none"


class PromoCodeForm(forms.ModelForm):
    """`value` is typed as people say it: a percentage (15 or 12.5) for percent codes,
    an amount in units (50.00) for fixed ones; stored as basis points or minor units."""

    value = forms.DecimalField(
        min_value=0,
        max_digits=12,
        decimal_places=3,
        help_text="Percent codes: the percentage (15 = 15 %). Fixed: the amount off, e.g. 50.00.",
    )

    class Meta:
        model = PromoCode
        fields = list(PromoCode.EDITABLE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        promo = self.instance
        if promo.pk and not self.is_bound:
            self.initial["value"] = (
                minor_to_units(promo.value, chain_currency())
                if promo.kind == PromoCode.Kind.FIXED
                else Decimal(promo.value) / 100
            )

    def clean(self):
        cleaned = super().clean()
        value, kind = cleaned.get("value"), cleaned.get("kind")
        if value is None or kind is None:
            return cleaned
        if kind == PromoCode.Kind.FIXED:
            try:
                cleaned["value"] = units_to_minor(value, chain_currency())
            except ValueError as error:
                self.add_error("value", str(error))
            return cleaned
        basis_points = value * 100
        if basis_points != basis_points.to_integral_value():
            self.add_error("value", "A percentage has at most two decimals (12.75).")
        else:
            cleaned["value"] = int(basis_points)
        return cleaned


class PromoCodeAdmin(admin.ModelAdmin):
    form = PromoCodeForm
    list_display = [
        "code",
        "kind",
        "value_shown",
        "valid_from",
        "valid_until",
        "max_uses",
        "uses",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "description"]
    filter_horizontal = ["titles", "shows"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "shows":
            # Each show is listed by title, venue and local time: one query for all.
            kwargs["queryset"] = Show.objects.select_related("title", "venue")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="value", ordering="value")
    def value_shown(self, promo: PromoCode) -> str:
        if promo.kind == PromoCode.Kind.FIXED:
            return money(promo.value, chain_currency())
        return f"{Decimal(promo.value) / 100:g} %"

    @admin.display(description="uses")
    def uses(self, promo: PromoCode) -> int:
        return promo.redemptions.exclude(status="released").count()

    def save_model(self, request, obj, form, change) -> None:
        values = {name: form.cleaned_data[name] for name in form.cleaned_data}
        try:
            saved = services.promo_code_save(
                PromoCode.objects.get(pk=obj.pk) if change else None,
                values=values,
                actor=request.user,
            )
        except DomainError as error:
            # The form already validated shape; a clash shows as a message.
            messages.error(request, error.detail)
            return
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change) -> None:
        # The service set titles and shows already.
        return None


class CheckoutSettingsAdmin(MoneyFieldsAdmin, AuditedAdmin, SingletonAdmin):
    model = CheckoutSettings
    money_fields = ["booking_fee_per_ticket"]
    fields = ["booking_fee_per_ticket", "booking_fee_basis_points"]
    audit_kind = "checkout_settings"

    def audit_snapshot_of(self, obj):
        return audit_snapshot(obj, services.CHECKOUT_AUDIT_FIELDS)


class TaxRateAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "basis_points", "applies_to", "inclusive", "is_active"]
    audit_kind = "tax_rate"

    def audit_snapshot_of(self, obj):
        return audit_snapshot(obj, ["name", "basis_points", "applies_to", "inclusive", "is_active"])


class CancellationTierInline(admin.TabularInline):
    model = CancellationTier
    extra = 1


class CancellationPolicyAdmin(AuditedAdmin, SingletonAdmin):
    fields = ["customers_may_cancel", "cutoff_hours", "refund_booking_fee"]
    inlines = [CancellationTierInline]
    audit_kind = "cancellation_policy"

    def audit_snapshot_of(self, obj):
        return services.cancellation_policy_snapshot(obj)

    def changelist_view(self, request, extra_context=None):
        services.cancellation_policy()  # a new chain gets the default tiers
        return super().changelist_view(request, extra_context)
