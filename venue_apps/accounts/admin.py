from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm

from tenants.schemas import current_schema_name
from venue_apps.accounts.models import Role, User, roles_for_schema
from venue_apps.accounts.selectors import another_active_owner_exists


class AccountChangeForm(UserChangeForm):
    def clean(self):
        cleaned = super().clean()
        user = self.instance
        was_owner = user.pk and user.role == Role.OWNER and user.is_active
        stays_owner = cleaned.get("role", user.role) == Role.OWNER and cleaned.get(
            "is_active", user.is_active
        )
        if was_owner and not stays_owner and not another_active_owner_exists(user):
            raise forms.ValidationError("A chain keeps at least one active owner.")
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AccountChangeForm
    ordering = ["email"]
    list_display = ["email", "name", "role", "is_active", "date_joined"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "role")}),
        ("Access", {"fields": ("is_active",)}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "name", "role", "password1", "password2")},
        ),
    )
    readonly_fields = ["last_login", "date_joined"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            allowed = roles_for_schema(current_schema_name())
            kwargs["choices"] = [(role.value, role.label) for role in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)
