"""The chain dashboard's view of titles (registered in dashboards.sites)."""

from __future__ import annotations

from django.contrib import admin
from import_export.admin import ImportExportModelAdmin

from tenants.cache import cache_namespace_bump
from tenants.spreadsheets import BoundedImportAdmin
from venue_apps.audit.admin import AuditedAdmin
from venue_apps.catalog.models import Credit
from venue_apps.catalog.resources import TitleResource
from venue_apps.catalog.services import CATALOG_CACHE, title_search_refresh, title_snapshot


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 1
    fields = ["person", "role", "character", "position"]


class TitleAdmin(AuditedAdmin, BoundedImportAdmin, ImportExportModelAdmin):
    resource_classes = [TitleResource]
    audit_kind = "title"

    def audit_snapshot_of(self, obj):
        return title_snapshot(obj)

    list_display = ["name", "kind", "runtime_minutes", "certificate", "release_date", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CreditInline]

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        cache_namespace_bump(CATALOG_CACHE)

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        cache_namespace_bump(CATALOG_CACHE)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # Credits are saved after the title: refresh the search vector once both are in.
        title_search_refresh([form.instance.pk])
        cache_namespace_bump(CATALOG_CACHE)
