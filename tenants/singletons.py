"""Per-chain settings rows: one row per schema, made with defaults on first read, and
the dashboard page that opens it directly. Shared by the apps that keep a chain's
settings (checkout, cancellation, payments, sign-in)."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse


class Singleton(models.Model):
    """A per-tenant settings row: one per schema, made with defaults on first read."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def current(cls):
        row, _ = cls._default_manager.get_or_create(pk=1)
        return row


class SingletonAdmin(admin.ModelAdmin):
    """One row per chain: the changelist opens it directly."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = self.model.current()
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{row._meta.app_label}_{row._meta.model_name}_change",
                args=[row.pk],
            )
        )
