from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm

from tenants.error_codes import DomainError
from tenants.schemas import current_schema_name
from tenants.singletons import SingletonAdmin
from venue_apps.accounts.capabilities import (
    KEYS_AND_SETTINGS_MODELS,
    counts_as_active_owner,
    has_capability,
)
from venue_apps.accounts.models import (
    OAuthClient,
    User,
    roles_for_schema,
)
from venue_apps.accounts.selectors import another_active_owner_exists, users_with_two_factor
from venue_apps.accounts.services.oauth import oauth_client_set
from venue_apps.accounts.services.two_factor import account_settings_update, totp_reset
from venue_apps.accounts.services.users import STAFF_AUDIT_FIELDS, owners_lock
from venue_apps.audit.admin import AuditedAdmin
from venue_apps.audit.services import audit_snapshot


class OwnerOnly:
    """Keys and settings: the capability the table gives the model
    (KEYS_AND_SETTINGS_MODELS), the chain's owner's alone; managers not even read."""

    def _owner(self, request) -> bool:
        capability = KEYS_AND_SETTINGS_MODELS[self.model._meta.model_name]
        return has_capability(request.user, capability)

    def has_module_permission(self, request) -> bool:
        return self._owner(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._owner(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._owner(request)

    def has_add_permission(self, request) -> bool:
        return self._owner(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AccountChangeForm(UserChangeForm):
    def clean(self):
        cleaned = super().clean()
        user = self.instance
        stays_owner = counts_as_active_owner(
            cleaned.get("role", user.role), is_active=cleaned.get("is_active", user.is_active)
        )
        if user.pk and not stays_owner:
            # The admin validates and saves in one transaction: the owners' row locks
            # (as the staff API takes them) hold until this change commits, and the
            # account is read again under them.
            owners_lock()
            stored = User.objects.select_for_update().filter(pk=user.pk).first()
            was_owner = stored is not None and counts_as_active_owner(
                stored.role, is_active=stored.is_active
            )
            if was_owner and not another_active_owner_exists(user):
                raise forms.ValidationError("A chain keeps at least one active owner.")
        return cleaned


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    """Accounts, saved by the page itself: each add, change and delete is audited as
    the staff API's services audit theirs (`staff.created`, `staff.role_changed` when
    the role changed, else `staff.changed`, `staff.deleted`)."""

    form = AccountChangeForm
    audit_kind = "staff"

    def audit_snapshot_of(self, obj):
        return audit_snapshot(obj, STAFF_AUDIT_FIELDS)

    def audit_change_action(self, before, after) -> str:
        return "staff.role_changed" if before.get("role") != after.get("role") else "staff.changed"

    ordering = ["email"]
    list_display = ["email", "name", "role", "is_active", "has_two_factor", "date_joined"]
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
    actions = ["two_factor_reset"]

    def get_queryset(self, request):
        return users_with_two_factor(super().get_queryset(request))

    @admin.display(description="two-factor", ordering="two_factor_on")
    def has_two_factor(self, user) -> str:
        # Customers never have it: a blank rather than "off".
        if not user.is_chain_staff:
            return ""
        return "on" if user.two_factor_on else "off"

    @admin.action(description="Reset two-factor sign-in (lost phone)")
    def two_factor_reset(self, request, queryset) -> None:
        reset = 0
        for user in queryset:
            try:
                reset += totp_reset(user, actor=request.user)
            except DomainError as error:
                messages.error(request, f"{user.email}: {error.detail}")
        if reset:
            messages.success(
                request,
                f"Two-factor sign-in reset for {reset}: "
                "they sign in with the password, then enrol again.",
            )

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role":
            allowed = roles_for_schema(current_schema_name())
            kwargs["choices"] = [(role.value, role.label) for role in allowed]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


def write_only_secret_field(what: str = "secret") -> forms.CharField:
    """A form field for a secret the dashboard never shows again: rendered empty,
    blank keeps the stored value (the services seal what is entered)."""
    return forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=f"Write-only. Leave blank to keep the stored {what}.",
    )


class OAuthClientForm(forms.ModelForm):
    client_secret = write_only_secret_field()

    class Meta:
        model = OAuthClient
        fields = ["provider", "client_id", "enabled"]
        help_texts = {
            "client_id": "Google: the OAuth client id (…apps.googleusercontent.com) of a web "
            "client whose authorised origins include this chain's domain. Facebook: the app id."
        }

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("client_secret"):
            self.add_error("client_secret", "Enter the client secret of a new client.")
        if len((cleaned.get("client_id") or "").strip()) < 8:
            self.add_error("client_id", "Enter the client id the provider gave you.")
        return cleaned


class OAuthClientAdmin(OwnerOnly, admin.ModelAdmin):
    """The chain's own Google and Facebook clients for customers' sign-in (owner only);
    the secret goes through the service that seals it and is never shown again."""

    form = OAuthClientForm
    list_display = ["provider", "client_id", "client_secret_hint", "enabled", "updated_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["provider", "client_id", "client_secret", "enabled"]
        return [
            "provider",
            "client_id",
            "client_secret",
            "client_secret_hint",
            "enabled",
            "updated_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        # The provider of a stored client stays what it is.
        return ["provider", "client_secret_hint", "updated_at"] if obj else []

    def save_model(self, request, obj, form, change) -> None:
        try:
            saved = oauth_client_set(
                obj.provider,
                client_id=form.cleaned_data["client_id"],
                client_secret=form.cleaned_data.get("client_secret") or None,
                enabled=form.cleaned_data["enabled"],
                actor=request.user,
            )
        except DomainError as error:
            messages.error(request, error.detail)
            return
        obj.pk = saved.pk


class AccountSettingsAdmin(OwnerOnly, SingletonAdmin):
    """The chain's sign-in rules for its staff (owner only)."""

    fields = ["staff_two_factor", "updated_at"]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        # Through the service: the rule is cached per chain and read on every staff call.
        account_settings_update(staff_two_factor=obj.staff_two_factor)
