"""The chain dashboard's view of tickets, door scans, email wording and signing keys
(registered in dashboards.sites). Tickets change only through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from tenants.error_codes import DomainError
from tenants.readonly_admin import ReadOnlyAdmin
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.tickets import notifications, services, sms
from venue_apps.tickets.models import EmailTemplate, TextMessage


class TicketAdmin(ReadOnlyAdmin):
    list_display = [
        "seat_label",
        "order",
        "show",
        "status",
        "serial",
        "checked_in_at",
        "checked_in_gate",
    ]
    list_filter = ["status", "show__venue"]
    search_fields = ["order__reference", "order__email", "seat_label"]
    list_select_related = ["order", "show__title", "show__venue"]
    exclude = ["code"]
    actions = ["reissue"]

    def has_reissue_permission(self, request) -> bool:
        return has_capability(request.user, Capability.MANAGE_SALES)

    @admin.action(
        description="Re-issue the selected tickets (their old codes stop working)",
        permissions=["reissue"],
    )
    def reissue(self, request, queryset) -> None:
        for ticket in queryset:
            try:
                fresh = services.ticket_reissue(ticket, actor=request.user)
            except DomainError as error:
                messages.error(request, f"{ticket.seat_label}: {error.detail}")
            else:
                messages.success(request, f"{fresh.seat_label}: new code #{fresh.serial}.")


class CheckInAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "verdict", "admitted", "ticket", "gate", "detail"]
    list_filter = ["verdict", "admitted", "gate"]
    date_hierarchy = "created_at"


class EmailTemplateForm(forms.ModelForm):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18, "cols": 80}),
        max_length=notifications.BODY_MAX_LENGTH,
    )

    class Meta:
        model = EmailTemplate
        fields = ["kind", "subject", "body", "is_active"]
        help_texts = {
            "subject": "One line; placeholders as in the body.",
            "body": "Plain text. Placeholders are replaced by the order's details: "
            + ", ".join(f"{{{{ {name} }}}}" for name in notifications.PLACEHOLDERS)
            + ". Nothing else between {{ }} or {% %} is allowed (no filters, no tags). "
            "The PDF tickets are attached.",
        }

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        problems = notifications.email_template_problems(
            data.get("kind") or "", subject=data.get("subject") or "", body=data.get("body") or ""
        )
        for field, found in problems.items():
            for problem in found:
                self.add_error(field, problem)
        return data


class EmailTemplateAdmin(admin.ModelAdmin):
    """Chain wording is checked when saved; wording stored before placeholders replaced
    the template language, and that can no longer be used, is shown with what to change
    (the default wording is sent meanwhile)."""

    form = EmailTemplateForm
    list_display = ["kind", "subject", "is_active", "in_use", "updated_at"]

    @admin.display(description="Sent as written")
    def in_use(self, template: EmailTemplate) -> str:
        if not template.is_active:
            return "No: switched off"
        problems = self._problems(template)
        return "Yes" if not problems else "No, the default goes: " + " ".join(problems)

    @staticmethod
    def _problems(template: EmailTemplate) -> list[str]:
        found = notifications.email_template_problems(
            template.kind, subject=template.subject, body=template.body
        )
        return [problem for problems in found.values() for problem in problems]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        template = self.get_object(request, object_id)
        if request.method == "GET" and template is not None and template.is_active:
            problems = self._problems(template)
            if problems:
                messages.warning(
                    request,
                    "This wording cannot be sent as it is, so customers get the default "
                    "wording: " + " ".join(problems),
                )
        return super().change_view(request, object_id, form_url, extra_context)


class SigningKeyAdmin(ReadOnlyAdmin):
    """The chain's keys: public halves shown, private halves sealed and never shown."""

    list_display = ["kid", "is_active", "created_at", "retired_at", "compromised_at", "public_key"]
    exclude = ["private_key_sealed"]
    actions = ["rotate", "compromised"]

    def has_module_permission(self, request) -> bool:
        return has_capability(request.user, Capability.MANAGE_SIGNING_KEYS)

    def has_view_permission(self, request, obj=None) -> bool:
        return has_capability(request.user, Capability.MANAGE_SIGNING_KEYS)

    def has_rotate_permission(self, request) -> bool:
        return has_capability(request.user, Capability.MANAGE_SIGNING_KEYS)

    @admin.action(
        description="Make a new signing key (tickets already issued stay valid)",
        permissions=["rotate"],
    )
    def rotate(self, request, queryset) -> None:
        key = services.signing_key_create(actor=request.user)
        messages.success(request, f"New key {key.kid} signs tickets from now on.")

    @admin.action(
        description="The selected keys may have leaked: stop trusting them, re-issue tickets",
        permissions=["rotate"],
    )
    def compromised(self, request, queryset) -> None:
        for key in queryset:
            count = services.signing_key_compromised(key, actor=request.user)
            messages.warning(
                request,
                f"Key {key.kid} is no longer trusted; {count} tickets re-issued and emailed.",
            )


class TextMessageAdmin(ReadOnlyAdmin):
    """The SMS outbox: what was texted, when, for which order (numbers masked in the
    list; in full on a message's page, for whoever delivers it by hand)."""

    list_display = ["created_at", "number", "order", "body"]
    list_select_related = ["order"]
    search_fields = ["order__reference"]
    date_hierarchy = "created_at"

    @admin.display(description="to")
    def number(self, message: TextMessage) -> str:
        return sms.phone_masked(message.to)
