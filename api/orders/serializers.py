"""Input and output of orders, cancellations, refunds, promo codes and policies."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.filters import OffsetDateTimeField
from api.payments.serializers import PaymentOutput
from venue_apps.catalog.models import Format, Kind
from venue_apps.orders.models import Order, OrderLine, PromoCode, TaxRate
from venue_apps.orders.selectors import HoldQuote
from venue_apps.payments.models import Payment, Provider, Refund
from venue_apps.payments.services.attempts import payment_client_secret


class OrderInput(serializers.Serializer):
    hold = serializers.UUIDField()
    provider = serializers.ChoiceField(choices=Provider.choices)
    promo_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    # A walk-in sold by box office staff: who to send the tickets to (optional).
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.RegexField(
        r"^\+?[0-9][0-9 ()-]{4,30}$", max_length=32, required=False, allow_blank=True
    )
    # `"provider": "card"` at the box office: the terminal's approval code (optional).
    terminal_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class QuoteInput(serializers.Serializer):
    promo_code = serializers.CharField(max_length=32, required=False, allow_blank=True)


class TaxOutput(serializers.Serializer):
    added = serializers.IntegerField(help_text="Added on top of the prices (minor units).")
    included = serializers.IntegerField(help_text="Already inside the prices (minor units).")


class QuoteLineOutput(serializers.Serializer):
    seat = serializers.IntegerField(help_text="The show seat's id.")
    label = serializers.CharField()
    category = serializers.CharField()
    price = serializers.IntegerField()
    discount = serializers.IntegerField()
    fee = serializers.IntegerField()
    tax = TaxOutput()
    total = serializers.IntegerField()


class QuoteOutput(serializers.Serializer):
    """What ordering the hold now would cost; minor units of `currency`."""

    hold = serializers.UUIDField()
    currency = serializers.CharField()
    expires_at = serializers.DateTimeField()
    lines = QuoteLineOutput(many=True)
    subtotal = serializers.IntegerField()
    discount = serializers.IntegerField()
    fees = serializers.IntegerField()
    tax = TaxOutput()
    total = serializers.IntegerField()
    promo_code = serializers.CharField(
        allow_null=True, help_text="The code as the chain wrote it, or null."
    )


def quote_data(quote: HoldQuote) -> dict[str, Any]:
    priced = quote.price.priced
    labels = {seat.pk: seat.label for seat in quote.price.seats}
    promo = quote.price.promo
    return {
        "hold": quote.hold.pk,
        "currency": quote.currency,
        "expires_at": quote.hold.expires_at,
        "lines": [
            {
                "seat": line.key,
                "label": labels[line.key],
                "category": line.category,
                "price": line.price,
                "discount": line.discount,
                "fee": line.fee,
                "tax": {"added": line.tax_added, "included": line.tax_included},
                "total": line.total,
            }
            for line in priced.lines
        ],
        "subtotal": priced.subtotal,
        "discount": priced.discount,
        "fees": priced.fees,
        "tax": {"added": priced.tax_added, "included": priced.tax_included},
        "total": priced.total,
        "promo_code": promo.code if promo else None,
    }


class PaymentRetryInput(serializers.Serializer):
    provider = serializers.ChoiceField(choices=Provider.choices)


class OrderLineOutput(serializers.ModelSerializer):
    seat = serializers.IntegerField(source="show_seat_id")
    label = serializers.CharField(source="seat_label")
    tax = serializers.SerializerMethodField()
    refunded = serializers.IntegerField(source="refunded_amount")

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "seat",
            "label",
            "category",
            "status",
            "price",
            "discount",
            "fee",
            "tax",
            "total",
            "refunded",
        ]

    @extend_schema_field(TaxOutput)
    def get_tax(self, line: OrderLine) -> dict[str, int]:
        return {"added": line.tax_added, "included": line.tax_included}


def payment_data(payment: Payment, *, for_owner: bool) -> dict[str, Any]:
    """API.md's payment: `{id, provider, status, ...}` plus what the client pays with."""
    data: dict[str, Any] = {
        "id": str(payment.pk),
        "provider": payment.provider,
        "status": payment.status,
        "amount": payment.amount,
        "currency": payment.currency,
        "test_mode": payment.test_mode,
        "method": payment.method,
        "failure_code": payment.failure_code,
        "failure_message": payment.failure_message,
        "refunded": payment.refunded_amount,
        "created_at": payment.created_at.isoformat(),
    }
    if for_owner and payment.status == Payment.Status.PENDING:
        data.update(payment.client_data)
        secret = payment_client_secret(payment)
        if secret:
            data["client_secret"] = secret
    return data


class OrderShowOutput(serializers.Serializer):
    """The show an order is for, as its pages show it (times with the venue's offset)."""

    id = serializers.IntegerField()
    title = serializers.IntegerField()
    title_name = serializers.CharField()
    title_kind = serializers.ChoiceField(choices=Kind.choices)
    poster = serializers.CharField(allow_null=True, help_text="A path on this host, or null.")
    venue = serializers.IntegerField()
    venue_name = serializers.CharField()
    venue_timezone = serializers.CharField(help_text="The venue's IANA time zone.")
    auditorium = serializers.IntegerField()
    auditorium_name = serializers.CharField()
    format = serializers.ChoiceField(choices=Format.choices)
    starts_at = serializers.CharField(help_text="ISO 8601 with the venue's offset.")
    ends_at = serializers.CharField(help_text="ISO 8601 with the venue's offset.")


class OrderOutput(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Order.Status.choices, source="current_status")
    lines = OrderLineOutput(many=True, read_only=True)
    show = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()
    refunded = serializers.IntegerField(source="refunded_amount")
    promo_code = serializers.CharField(source="promo_code.code", default=None, allow_null=True)
    tax = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "reference",
            "status",
            "reason",
            "channel",
            "email",
            "name",
            "phone",
            "show",
            "lines",
            "currency",
            "subtotal",
            "discount",
            "fees",
            "tax",
            "total",
            "refunded",
            "promo_code",
            "payment",
            "expires_at",
            "created_at",
            "paid_at",
        ]

    @extend_schema_field(OrderShowOutput)
    def get_show(self, order: Order) -> dict[str, Any]:
        show = order.show
        zone = show.venue.zone
        return {
            "id": show.pk,
            "title": show.title_id,
            "title_name": show.title.name,
            "title_kind": show.title.kind,
            "poster": show.title.poster.url if show.title.poster else None,
            "venue": show.venue_id,
            "venue_name": show.venue.name,
            "venue_timezone": show.venue.timezone,
            "auditorium": show.auditorium_id,
            "auditorium_name": show.auditorium.name,
            "format": show.format,
            "starts_at": show.starts_at.astimezone(zone).isoformat(),
            "ends_at": show.ends_at.astimezone(zone).isoformat(),
        }

    @extend_schema_field(TaxOutput)
    def get_tax(self, order: Order) -> dict[str, int]:
        return {"added": order.tax_added, "included": order.tax_included}

    @extend_schema_field(PaymentOutput(allow_null=True))
    def get_payment(self, order: Order) -> dict[str, Any] | None:
        payments = sorted(order.payments.all(), key=lambda p: p.created_at, reverse=True)
        paying = next((p for p in payments if p.paid_order), None) or (
            payments[0] if payments else None
        )
        if paying is None:
            return None
        request = self.context.get("request")
        for_owner = bool(
            request
            and request.user.is_authenticated
            and request.user.pk in (order.customer_id, order.sold_by_id)
        )
        return payment_data(paying, for_owner=for_owner)


class CancelQuoteOutput(serializers.Serializer):
    allowed = serializers.BooleanField()
    code = serializers.CharField()
    detail = serializers.CharField()
    refund = serializers.IntegerField()
    currency = serializers.CharField()
    refund_percent = serializers.IntegerField()
    hours_before = serializers.FloatField()
    cutoff_at = serializers.DateTimeField()


class CancelOutput(serializers.Serializer):
    status = serializers.CharField()
    refund = serializers.IntegerField()
    currency = serializers.CharField()
    refund_id = serializers.UUIDField(allow_null=True)
    refund_status = serializers.CharField(allow_null=True)


class RefundInput(serializers.Serializer):
    seats = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=50, required=False
    )
    amount = serializers.IntegerField(min_value=1, required=False)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if "seats" in attrs and "amount" in attrs:
            raise serializers.ValidationError(
                "Refund `seats` or an `amount`, not both.", code="refund_invalid"
            )
        return attrs


class RefundOutput(serializers.ModelSerializer):
    payment = serializers.UUIDField(source="payment_id")
    order = serializers.UUIDField(source="order_id")

    class Meta:
        model = Refund
        fields = [
            "id",
            "order",
            "payment",
            "amount",
            "currency",
            "reason",
            "note",
            "status",
            "lines",
            "shift_id",
            "created_at",
            "settled_at",
        ]
        extra_kwargs = {
            "shift_id": {"help_text": "A box-office refund: the till shift that paid it out."}
        }


class PromoCodeSerializer(serializers.ModelSerializer):
    """Promo codes for staff. `value` is basis points for percent codes (1500 = 15 %),
    minor units for fixed ones."""

    valid_from = OffsetDateTimeField(required=False, allow_null=True)
    valid_until = OffsetDateTimeField(required=False, allow_null=True)
    uses = serializers.SerializerMethodField()

    class Meta:
        model = PromoCode
        fields = ["id", *PromoCode.EDITABLE_FIELDS, "uses"]
        read_only_fields = ["uses"]

    def get_uses(self, promo: PromoCode) -> int:
        return promo.redemptions.exclude(status="released").count()


class TierSerializer(serializers.Serializer):
    hours_before = serializers.IntegerField(min_value=0, max_value=24 * 60)
    refund_percent = serializers.IntegerField(min_value=0, max_value=100)


class CancellationPolicySerializer(serializers.Serializer):
    customers_may_cancel = serializers.BooleanField(required=False)
    cutoff_hours = serializers.IntegerField(min_value=0, max_value=720, required=False)
    refund_booking_fee = serializers.BooleanField(required=False)
    tiers = TierSerializer(many=True, required=False)


class TaxRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaxRate
        fields = ["id", "name", "basis_points", "applies_to", "inclusive", "is_active"]


class CheckoutSettingsSerializer(serializers.Serializer):
    booking_fee_per_ticket = serializers.IntegerField(min_value=0, max_value=10_000_000)
    booking_fee_basis_points = serializers.IntegerField(min_value=0, max_value=5_000)
    taxes = TaxRateSerializer(many=True, read_only=True)
