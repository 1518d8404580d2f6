"""Views of tenants for the platform console (registered in dashboards.sites)."""

from django.contrib import admin

from tenants.models import Domain


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary"]


class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "currency", "timezone", "created_at"]
    list_filter = ["status", "currency"]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "slug", "status", "status_reason", "created_at", "updated_at"]
    inlines = [DomainInline]

    def has_add_permission(self, request) -> bool:
        # Onboarding is a service (schema, domain, owner); the API and the command call it.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain"]


class PlatformAuditLogAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
