"""The chain dashboard's view of price cards and shows (registered in dashboards.sites).

Shows are scheduled through the API or a CSV/XLSX import, which price them and check
the auditorium's calendar; here staff find them, open them for sale and cancel them.
"""

from __future__ import annotations

from django.contrib import admin, messages
from import_export.admin import ImportExportModelAdmin

from tenants.error_codes import DomainError
from tenants.spreadsheets import BoundedImportAdmin
from venue_apps.audit.admin import AuditedAdmin
from venue_apps.inventory.services import show_put_on_sale
from venue_apps.shows.models import PriceRule
from venue_apps.shows.resources import ShowResource
from venue_apps.shows.services import price_card_snapshot, show_cancel, show_update


class PriceRuleInline(admin.TabularInline):
    model = PriceRule
    extra = 1
    fields = ["category", "amount", "weekdays", "starts_at", "ends_at", "priority"]


class PriceCardAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "description", "is_active"]
    inlines = [PriceRuleInline]
    audit_kind = "price_card"

    def audit_snapshot_of(self, obj):
        return price_card_snapshot(obj)


class ShowAdmin(BoundedImportAdmin, ImportExportModelAdmin):
    resource_classes = [ShowResource]
    list_display = ["title", "venue", "screen", "starts_at", "format", "status"]
    ordering = ["starts_at", "id"]
    list_filter = ["status", "venue", "format", "local_date"]
    list_select_related = ["title", "venue", "auditorium", "price_card"]
    search_fields = ["title__name"]
    date_hierarchy = "starts_at"
    actions = ["put_on_sale", "cancel"]
    readonly_fields = [
        "title",
        "auditorium",
        "venue",
        "starts_at",
        "ends_at",
        "busy_until",
        "local_date",
        "format",
        "price_card",
        "prices",
        "sales_open_at",
        "sales_close_at",
        "status",
        "layout_version",
    ]
    fields = [*readonly_fields, "audio_language", "subtitle_language", "attributes"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # cancel instead: it checks for held and sold seats

    def save_model(self, request, obj, form, change) -> None:
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        show_update(obj, actor=request.user, **changes)

    @admin.display(description="auditorium", ordering="auditorium__name")
    def screen(self, show) -> str:
        return show.auditorium.name

    def _each(self, request, queryset, action, verb: str) -> None:
        for show in queryset:
            try:
                action(show)
            except DomainError as error:
                self.message_user(request, f"{show}: {error.detail}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{show.title.name} at {show.starts_at:%d %b %H:%M} {verb}."
                )

    @admin.action(description="Put the selected shows on sale")
    def put_on_sale(self, request, queryset) -> None:
        self._each(
            request,
            queryset.select_related("title", "venue"),
            lambda show: show_put_on_sale(show, actor=request.user),
            "is on sale",
        )

    @admin.action(description="Cancel the selected shows")
    def cancel(self, request, queryset) -> None:
        self._each(
            request,
            queryset.select_related("title", "venue"),
            lambda show: show_cancel(show, actor=request.user),
            "is cancelled",
        )
