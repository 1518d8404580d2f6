"""Views of tenants for the platform console (registered in dashboards.sites).

Changes that matter go through the services (they validate and write the audit log):
onboarding through the API or `manage.py onboard_tenant`, suspension through the
actions here, custom domains through the API.
"""

from django.contrib import admin, messages

from tenants import selectors, services
from tenants.error_codes import DomainError
from tenants.models import Domain, Tenant


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary"]
    readonly_fields = ["domain", "is_primary"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "currency", "timezone", "created_at"]
    list_filter = ["status", "currency"]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "slug", "status", "status_reason", "created_at", "updated_at"]
    inlines = [DomainInline]
    actions = ["suspend", "resume"]

    def get_queryset(self, request):
        return selectors.tenant_list()

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
