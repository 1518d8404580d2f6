"""The dashboard's sale operations on orders: the refund page of an order and the
"refund in full" action (registered for `Order` in dashboards.sites). The order page
itself is `venue_apps.orders.admin.OrderAdmin`, a read-only view."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from tenants.error_codes import DomainError
from tenants.money import money
from tenants.readonly_admin import ReadOnlyAdmin
from venue_apps.orders.admin import OrderAdmin
from venue_apps.orders.models import Order, OrderLine
from venue_apps.sales.cancellation import order_refund


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


class SaleOrderAdmin(OrderAdmin):
    actions = ["refund_in_full"]
    readonly_fields = [*OrderAdmin.readonly_fields, "refund_link"]

    def has_refund_permission(self, request) -> bool:
        return request.user.has_perm("orders.change_order")

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


class ShowCancellationAdmin(ReadOnlyAdmin):
    """Runs of show cancellations and how far each got (read-only)."""

    list_display = [
        "show",
        "status",
        "orders_done",
        "orders_total",
        "refunded_orders",
        "released_orders",
        "released_holds",
        "failed",
        "requested_by_email",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status"]
    list_select_related = ["show__title"]
