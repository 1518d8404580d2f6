"""The dashboard's tills and shifts (registered in dashboards.sites).

Managers and owners create tills and see every shift; a cashier sees their own shifts.
A shift's page is its report, in the chain's currency, ready to print.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse

from tenants.error_codes import DomainError
from tenants.readonly_admin import ReadOnlyAdmin
from venue_apps.orders.selectors import money
from venue_apps.tills import selectors, services
from venue_apps.tills.models import Shift, Till


class TillForm(forms.ModelForm):
    class Meta:
        model = Till
        fields = ["venue", "name", "is_active"]


class TillAdmin(admin.ModelAdmin):
    form = TillForm
    list_display = ["name", "venue", "is_active", "open_shift"]
    list_filter = ["venue", "is_active"]
    list_select_related = ["venue"]
    search_fields = ["name", "venue__name"]

    def get_readonly_fields(self, request, obj=None):
        # A till stays at its venue: its shifts' money was taken there.
        return ["venue"] if obj is not None else []

    @admin.display(description="open shift")
    def open_shift(self, till: Till) -> str:
        shift = till.shifts.filter(status=Shift.Status.OPEN).select_related("opened_by").first()
        return f"{shift.opened_by.email} since {shift.opened_at:%H:%M}" if shift else "-"

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        try:
            if change:
                saved = services.till_update(
                    Till.objects.get(pk=obj.pk),
                    name=data["name"],
                    is_active=data["is_active"],
                    actor=request.user,
                )
            else:
                saved = services.till_create(data["venue"], name=data["name"], actor=request.user)
                if not data["is_active"]:
                    saved = services.till_update(
                        saved, name=saved.name, is_active=False, actor=request.user
                    )
        except DomainError as error:
            messages.error(request, error.detail)
            return
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ShiftAdmin(ReadOnlyAdmin):
    """Shifts, newest first; each one's page is its report (read-only)."""

    list_display = [
        "__str__",
        "till",
        "opened_by",
        "opened_at",
        "closed_at",
        "status",
        "float_shown",
        "counted_shown",
        "variance_shown",
    ]
    list_filter = ["status", "till__venue", "till"]
    list_select_related = ["till__venue", "opened_by"]
    date_hierarchy = "opened_at"

    def get_queryset(self, request: HttpRequest):
        return selectors.shifts_visible(request.user)

    @admin.display(description="float")
    def float_shown(self, shift: Shift) -> str:
        return money(shift.float, shift.currency)

    @admin.display(description="counted")
    def counted_shown(self, shift: Shift) -> str:
        return "-" if shift.counted is None else money(shift.counted, shift.currency)

    @admin.display(description="variance")
    def variance_shown(self, shift: Shift) -> str:
        variance = shift.variance
        return "-" if variance is None else money(variance, shift.currency)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        shift = self.get_queryset(request).filter(pk=object_id).first()
        if shift is None or not self.has_view_permission(request, shift):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        report = selectors.shift_report(shift)
        currency = report["currency"]
        rows = [
            ("Float", report["float"]),
            ("Cash sales", report["cash_sales"]),
            ("Cash refunds", -report["cash_refunds"]),
            ("Expected in the drawer", report["expected_cash"]),
            ("Counted", report["counted"]),
            ("Variance", report["variance"]),
            ("Card terminal sales", report["card_sales"]),
            ("Card terminal refunds", -report["card_refunds"]),
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Shift report: {shift.till}, {shift.opened_at:%d %b %Y %H:%M}",
            "opts": self.opts,
            "shift": shift,
            "report": report,
            "rows": [
                (label, "-" if amount is None else money(amount, currency))
                for label, amount in rows
            ],
        }
        return TemplateResponse(request, "admin/tills/shift_report.html", context)
