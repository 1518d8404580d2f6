"""The chain dashboard's view of payments (registered in dashboards.sites).

Gateway keys and payment settings are the owner's alone. Keys are entered through a
form whose secret fields are write-only: they are never rendered back, blank keeps the
stored value, and the page shows only hints. The ledger, refunds, webhooks and fraud
decisions are read-only records; a failed refund can be sent again.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Sum

from tenants.error_codes import DomainError
from tenants.money import money
from tenants.money_admin import MoneyFieldsAdmin
from tenants.readonly_admin import ReadOnlyAdmin
from tenants.singletons import SingletonAdmin
from venue_apps.accounts.admin import OwnerOnly, write_only_secret_field
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.payments.models import (
    GatewayAccount,
    LedgerAccount,
    LedgerEntry,
    Payment,
    PaymentSettings,
    Refund,
)
from venue_apps.payments.services import gateways, payment_settings, refunds


class GatewayAccountForm(forms.ModelForm):
    secret_key = write_only_secret_field("key")
    webhook_secret = write_only_secret_field()

    class Meta:
        model = GatewayAccount
        fields = ["provider", "public_key", "is_active"]
        help_texts = {
            "public_key": "Stripe: the publishable key (pk_test_… or pk_live_…). "
            "Razorpay: the key id (rzp_test_… or rzp_live_…). It decides test or live."
        }


class GatewayAccountAdmin(OwnerOnly, admin.ModelAdmin):
    form = GatewayAccountForm
    list_display = [
        "provider",
        "mode",
        "public_key",
        "secret_key_hint",
        "webhook_secret_hint",
        "is_active",
        "updated_at",
    ]
    readonly_fields = ["secret_key_hint", "webhook_secret_hint", "updated_at"]

    @admin.display(description="mode")
    def mode(self, account: GatewayAccount) -> str:
        return "live" if account.live else "test"

    def save_model(self, request, obj, form, change) -> None:
        try:
            saved = gateways.gateway_account_set(
                form.cleaned_data["provider"],
                public_key=form.cleaned_data["public_key"],
                secret_key=form.cleaned_data.get("secret_key") or None,
                webhook_secret=form.cleaned_data.get("webhook_secret") or None,
                is_active=form.cleaned_data["is_active"],
                actor=request.user,
            )
        except DomainError as error:
            messages.error(request, error.detail)
            return
        obj.pk = saved.pk


class PaymentSettingsAdmin(OwnerOnly, SingletonAdmin):
    fields = list(PaymentSettings.EDITABLE_FIELDS)

    def has_add_permission(self, request) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Why "live mode" would be refused, before the owner tries it.
        if request.method == "GET" and PaymentSettings.current().mode != PaymentSettings.Mode.LIVE:
            try:
                payment_settings.going_live_check()
            except DomainError as refusal:
                messages.warning(request, refusal.detail)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        try:
            payment_settings.payment_settings_update(
                values={name: form.cleaned_data[name] for name in self.fields}, actor=request.user
            )
        except DomainError as error:
            messages.error(request, error.detail)


class PaymentAdmin(MoneyFieldsAdmin, ReadOnlyAdmin):
    model = Payment
    money_fields = ["amount", "captured_amount", "refunded_amount"]
    list_display = [
        "id",
        "order",
        "provider",
        "status",
        "amount_money",
        "method",
        "test_mode",
        "created_at",
    ]
    list_filter = ["provider", "status", "method", "test_mode"]
    search_fields = ["order__reference", "gateway_reference", "gateway_payment_id"]
    exclude = ["client_secret_sealed", "client_data"]

    @admin.display(description="amount", ordering="amount")
    def amount_money(self, payment: Payment) -> str:
        return money(payment.amount, payment.currency)


class RefundAdmin(MoneyFieldsAdmin, ReadOnlyAdmin):
    model = Refund
    money_fields = ["amount"]
    list_display = [
        "id",
        "order",
        "amount_money",
        "reason",
        "status",
        "attempts",
        "sent_again_as",
        "created_at",
        "settled_at",
    ]
    list_select_related = ["retry"]
    list_filter = ["status", "reason"]
    search_fields = ["order__reference", "gateway_reference"]
    actions = ["send_again"]

    @admin.display(description="amount", ordering="amount")
    def amount_money(self, refund: Refund) -> str:
        return money(refund.amount, refund.currency)

    def get_fields(self, request, obj=None):
        return [
            "lines_in_units" if name == "lines" else name
            for name in super().get_fields(request, obj)
        ]

    @admin.display(description="lines")
    def lines_in_units(self, refund: Refund) -> str:
        # {line id: minor units} as "line 12: ₹760.00".
        return (
            "; ".join(
                f"line {line}: {money(int(amount), refund.currency)}"
                for line, amount in (refund.lines or {}).items()
            )
            or "-"
        )

    @admin.display(description="sent again as")
    def sent_again_as(self, refund: Refund) -> str:
        retry = getattr(refund, "retry", None)
        return str(retry.pk) if retry is not None else "-"

    def has_retry_permission(self, request) -> bool:
        return has_capability(request.user, Capability.REFUND)

    @admin.action(description="Send the selected failed refunds again", permissions=["retry"])
    def send_again(self, request, queryset) -> None:
        for refund in queryset:
            try:
                again = refunds.refund_retry(refund, actor=request.user)
            except DomainError as error:
                messages.error(request, f"{refund.pk}: {error.detail}")
            else:
                messages.success(request, f"{refund.pk}: sending again as refund {again.pk}.")


class LedgerEntryAdmin(MoneyFieldsAdmin, ReadOnlyAdmin):
    model = LedgerEntry
    money_fields = ["amount"]
    list_display = ["created_at", "kind", "account", "signed_amount", "order", "memo"]
    list_filter = ["kind", "account", "currency"]
    search_fields = ["order__reference", "memo"]
    date_hierarchy = "created_at"

    @admin.display(description="amount (debit +)", ordering="amount")
    def signed_amount(self, entry: LedgerEntry) -> str:
        sign = "-" if entry.amount < 0 else "+"
        return f"{sign}{money(abs(entry.amount), entry.currency)}"

    def changelist_view(self, request, extra_context=None):
        labels = dict(LedgerAccount.choices)
        balances = [
            f"{labels.get(row['account'], row['account'])} "
            f"{'+' if row['total'] > 0 else '-'}{money(abs(row['total']), row['currency'])}"
            for row in LedgerEntry.objects.values("account", "currency")
            .annotate(total=Sum("amount"))
            .order_by("account")
            if row["total"]
        ]
        extra_context = {
            **(extra_context or {}),
            "title": "Ledger: " + ("; ".join(balances) if balances else "no money moved yet"),
        }
        return super().changelist_view(request, extra_context)


class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "provider", "event_type", "event_id", "duplicates", "outcome"]
    list_filter = ["provider", "event_type"]
    search_fields = ["event_id", "outcome"]


class FraudDecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "stage",
        "verdict",
        "reason",
        "detail",
        "customer_id",
        "client_address",
    ]
    list_filter = ["stage", "verdict", "reason"]
