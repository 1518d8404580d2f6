"""The chain dashboard's read-only view of the audit log (registered in dashboards.sites)."""

from __future__ import annotations

from django.contrib import admin


class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: rows are written only by `audit_log`, never by hand."""

    list_display = ["created_at", "action", "target_label", "actor_email", "actor_role"]
    list_filter = ["action", "actor_role", "target_type"]
    search_fields = ["action", "target_label", "actor_email", "request_id"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "created_at",
        "actor_id",
        "actor_email",
        "actor_role",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "before",
        "after",
        "details",
        "request_id",
        "address",
    ]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
