"""The chain dashboard's read-only view of the audit log (registered in dashboards.sites)."""

from __future__ import annotations

from typing import Any

from tenants.readonly_admin import ReadOnlyAdmin
from venue_apps.audit.services import audit_log


class AuditEntryAdmin(ReadOnlyAdmin):
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


class AuditedAdmin:
    """For dashboard pages that save a model themselves rather than through a service:
    each add, change and delete is recorded with `audit_log`, by the signed-in user, in
    the page's transaction. `audit_kind` names the actions (`price_card` gives
    `price_card.created`, `.changed` and `.deleted`); `audit_snapshot_of` what is kept
    of an object (its inlines too: it is taken after they are saved)."""

    audit_kind: str

    def audit_snapshot_of(self, obj: Any) -> dict[str, Any]:
        raise NotImplementedError

    def audit_change_action(self, before: dict[str, Any], after: dict[str, Any]) -> str:
        return f"{self.audit_kind}.changed"

    def save_model(self, request, obj, form, change) -> None:
        if change:
            stored = type(obj)._default_manager.get(pk=obj.pk)
            obj._audit_before = self.audit_snapshot_of(stored)
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        obj = form.instance
        after = self.audit_snapshot_of(obj)
        if change:
            before = getattr(obj, "_audit_before", {})
            action = self.audit_change_action(before, after)
            audit_log(request.user, action, obj, before, after)
        else:
            audit_log(request.user, f"{self.audit_kind}.created", obj, after=after)

    def delete_model(self, request, obj) -> None:
        audit_log(request.user, f"{self.audit_kind}.deleted", obj, self.audit_snapshot_of(obj))
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            audit_log(request.user, f"{self.audit_kind}.deleted", obj, self.audit_snapshot_of(obj))
        super().delete_queryset(request, queryset)  # type: ignore[misc]
