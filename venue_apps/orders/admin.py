"""The chain dashboard's view of orders, promo codes, fees, taxes and the cancellation
policy (registered in dashboards.sites).

Orders are read-only here, every field of them (the money, its mode `test_mode`, the
status): the page is a view, never a form. What changes them (refunds) goes through
the payments services, from the refund page of an order or the "refund in full"
action, which need the `change_order` permission.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from tenants.error_codes import DomainError
from tenants.singletons import SingletonAdmin
from venue_apps.orders import services
from venue_apps.orders.models import (
    CancellationTier,
    Order,
    OrderLine,
    OrderLog,
    PromoCode,
)
from venue_apps.orders.selectors import money
from venue_apps.shows.models import Show


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
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


class OrderLogInline(ReadOnlyInline):
    model = OrderLog
    fields = ["created_at", "action", "actor_email", "details"]
    readonly_fields = fields


class RefundForm(forms.Form):
    seats = forms.ModelMultipleChoiceField(
        queryset=OrderLine.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Refund these seats in full and put them back on sale.",
    )
    amount = forms.IntegerField(
        min_value=1,
        required=False,
        help_text="Or: a goodwill amount in minor units (the seats stay sold).",
    )
    note = forms.CharField(max_length=255, required=False)

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seats"].queryset = order.lines.filter(status=OrderLine.Status.SOLD)
        self.fields["seats"].label_from_instance = lambda line: (
            f"{line.seat_label} ({line.category}) {money(line.refundable, order.currency)}"
        )

    def clean(self):
        data = super().clean()
        if data.get("seats") and data.get("amount"):
            raise forms.ValidationError("Choose seats or an amount, not both.")
        return data


class OrderAdmin(admin.ModelAdmin):
    list_display = ["reference", "show", "email", "status", "total_money", "channel", "created_at"]
    list_filter = ["status", "channel", "show__venue"]
    search_fields = ["reference", "email", "name"]
    list_select_related = ["show__title", "show__venue"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, OrderLogInline]
    actions = ["refund_in_full"]
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
        "refund_link",
    ]
    exclude = ["hold", "client_address"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # A view, never a form: a saved order page would write its fields straight to
        # the row, past the services, their locks and the audit trail.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_refund_permission(self, request) -> bool:
        return request.user.has_perm("orders.change_order")

    @admin.display(description="total", ordering="total")
    def total_money(self, order: Order) -> str:
        return money(order.total, order.currency)

    @admin.display(description="payments")
    def payments(self, order: Order) -> str:
        rows = []
        for payment in order.payments.order_by("created_at"):
            row = f"{payment.provider} {payment.status} {money(payment.amount, payment.currency)}"
            if payment.refunded_amount:
                row += f" (refunded {money(payment.refunded_amount, payment.currency)})"
            rows.append(row)
        return "; ".join(rows) or "none"

    @admin.display(description="refund")
    def refund_link(self, order: Order) -> str:
        if order.status != Order.Status.PAID:
            return "-"
        url = reverse(f"{self.admin_site.name}:orders_order_refund", args=[order.pk])
        return format_html('<a class="button" href="{}">Refund seats or an amount</a>', url)

    def get_urls(self):
        return [
            path(
                "<uuid:order_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="orders_order_refund",
            ),
            *super().get_urls(),
        ]

    def refund_view(self, request: HttpRequest, order_id):
        from venue_apps.payments.services.refunds import order_refund

        order = get_object_or_404(Order, pk=order_id)
        if not self.has_refund_permission(request):
            messages.error(request, "Your role may not refund orders.")
            return HttpResponseRedirect(reverse(f"{self.admin_site.name}:index"))
        form = RefundForm(request.POST or None, order=order)
        if request.method == "POST" and form.is_valid():
            seats = form.cleaned_data["seats"]
            try:
                refund = order_refund(
                    order.pk,
                    actor=request.user,
                    seat_ids=[line.show_seat_id for line in seats] if seats else None,
                    amount=form.cleaned_data["amount"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                messages.error(request, error.detail)
            else:
                messages.success(
                    request, f"Refunding {money(refund.amount, refund.currency)} ({refund.status})."
                )
                return HttpResponseRedirect(
                    reverse(f"{self.admin_site.name}:orders_order_change", args=[order.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund order {order.reference}",
            "order": order,
            "form": form,
            "refundable": money(order.total - order.refunded_amount, order.currency),
            "opts": self.model._meta,
        }
        return render(request, "admin/orders/refund.html", context)

    @admin.action(description="Refund the selected orders in full", permissions=["refund"])
    def refund_in_full(self, request, queryset) -> None:
        from venue_apps.payments.services.refunds import order_refund

        for order in queryset:
            try:
                refund = order_refund(order.pk, actor=request.user, note="Refunded in full")
            except DomainError as error:
                messages.error(request, f"{order.reference}: {error.detail}")
            else:
                messages.success(
                    request,
                    f"{order.reference}: refunding {money(refund.amount, refund.currency)}.",
                )


class PromoCodeForm(forms.ModelForm):
    class Meta:
        model = PromoCode
        fields = list(PromoCode.EDITABLE_FIELDS)
        help_texts = {"value": "Percent codes: basis points (1500 = 15 %). Fixed: minor units."}


class PromoCodeAdmin(admin.ModelAdmin):
    form = PromoCodeForm
    list_display = [
        "code",
        "kind",
        "value",
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


class CheckoutSettingsAdmin(SingletonAdmin):
    fields = ["booking_fee_per_ticket", "booking_fee_basis_points"]


class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["name", "basis_points", "applies_to", "inclusive", "is_active"]


class CancellationTierInline(admin.TabularInline):
    model = CancellationTier
    extra = 1


class CancellationPolicyAdmin(SingletonAdmin):
    fields = ["customers_may_cancel", "cutoff_hours", "refund_booking_fee"]
    inlines = [CancellationTierInline]

    def changelist_view(self, request, extra_context=None):
        services.cancellation_policy()  # a new chain gets the default tiers
        return super().changelist_view(request, extra_context)
