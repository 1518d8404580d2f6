"""Output shapes of the payments API (for the OpenAPI schema and the tests)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from venue_apps.payments.models import Provider


class PaymentOutput(serializers.Serializer):
    """API.md's payment: `{id, provider, status, ...}`; for the payment's owner, while
    it is pending, also what the client pays with (Stripe's `client_secret` and
    `publishable_key`, Razorpay's `razorpay_order_id` and `key_id`, the sandbox's
    `sandbox_url`)."""

    id = serializers.UUIDField()
    provider = serializers.ChoiceField(choices=Provider.choices)
    status = serializers.CharField()
    amount = serializers.IntegerField()
    currency = serializers.CharField()
    test_mode = serializers.BooleanField()
    method = serializers.CharField()
    failure_code = serializers.CharField()
    failure_message = serializers.CharField()
    refunded = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    # What the client pays with, by provider, in the order the providers give it.
    publishable_key = serializers.CharField(required=False, help_text="Stripe.")
    payment_intent = serializers.CharField(required=False, help_text="Stripe.")
    key_id = serializers.CharField(required=False, help_text="Razorpay.")
    razorpay_order_id = serializers.CharField(required=False, help_text="Razorpay.")
    description = serializers.CharField(required=False, help_text="Razorpay.")
    prefill = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="Razorpay."
    )
    sandbox_url = serializers.CharField(required=False, help_text="The sandbox's page.")
    api = serializers.CharField(required=False, help_text="The sandbox's API for the page.")
    client_secret = serializers.CharField(required=False, help_text="Stripe.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not isinstance(instance, Mapping):
            return data
        # The keys in the order of the payment's data: what the client pays with comes
        # in the order its provider gave it, or the database stored it (jsonb's order).
        place = {key: index for index, key in enumerate(instance)}
        return dict(sorted(data.items(), key=lambda item: place.get(item[0], len(place))))


class PaymentActionOutput(PaymentOutput):
    order = serializers.UUIDField()
    order_status = serializers.CharField()
    result = serializers.CharField(help_text="processed, duplicate or ignored")
    detail = serializers.CharField()


class WebhookOutput(serializers.Serializer):
    result = serializers.CharField(help_text="processed, duplicate or ignored")
    detail = serializers.CharField()


class ProviderOutput(serializers.Serializer):
    provider = serializers.ChoiceField(choices=Provider.choices)
    methods = serializers.ListField(child=serializers.CharField())
    test_mode = serializers.BooleanField()
    default = serializers.BooleanField()


class GatewayAccountOutput(serializers.Serializer):
    provider = serializers.CharField()
    mode = serializers.CharField()
    public_key = serializers.CharField()
    secret_key_set = serializers.BooleanField()
    secret_key_hint = serializers.CharField()
    webhook_secret_set = serializers.BooleanField()
    webhook_secret_hint = serializers.CharField()
    is_active = serializers.BooleanField()
    webhook_url = serializers.CharField()
    updated_at = serializers.DateTimeField()


class LedgerOutput(serializers.Serializer):
    currency = serializers.CharField()
    balances = serializers.DictField(child=serializers.IntegerField())


class ShowCancelOutput(serializers.Serializer):
    """A run of a show's cancellation: the counts so far, and how far it got."""

    refunded_orders = serializers.IntegerField()
    released_orders = serializers.IntegerField()
    released_holds = serializers.IntegerField()
    failed = serializers.IntegerField(help_text="Orders not settled; run it again for them.")
    id = serializers.IntegerField(help_text="The run; its progress is read with GET.")
    status = serializers.ChoiceField(
        choices=["queued", "running", "done"],
        help_text="The counts are final once the run is `done`.",
    )
    orders_total = serializers.IntegerField(help_text="Paid and unpaid orders to settle.")
    orders_done = serializers.IntegerField(help_text="Orders settled (or failed) so far.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
