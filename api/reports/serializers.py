"""Query and output shapes of the reports API (for the OpenAPI schema and the tests)."""

from __future__ import annotations

import datetime
from typing import Any

from rest_framework import serializers

from venue_apps.payments.reports import GROUPS

# The longest range a sales report covers, in days (a leap year).
MAX_DAYS = 366


class ReportDateField(serializers.DateField):
    """A day between 2000 and 2999: the edges of the calendar would overflow once the
    day's bounds are moved into the chain's time zone."""

    default_error_messages = {"range": "Give a day between 2000-01-01 and 2999-12-31."}

    def to_internal_value(self, value: Any) -> datetime.date:
        day = super().to_internal_value(value)
        if not datetime.date(2000, 1, 1) <= day <= datetime.date(2999, 12, 31):
            self.fail("range")
        return day


class RangeFilters(serializers.Serializer):
    """`from` and `to` (days in the chain's time zone, both included)."""

    locals()["from"] = ReportDateField(help_text="First day, YYYY-MM-DD (chain's zone).")
    to = ReportDateField(help_text="Last day, YYYY-MM-DD (chain's zone), included.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs["from"], attrs["to"]
        if first > last:
            raise serializers.ValidationError({"to": "`to` must not be before `from`."})
        if (last - first).days + 1 > MAX_DAYS:
            raise serializers.ValidationError(
                {"to": f"A report covers at most {MAX_DAYS} days; ask for a shorter range."}
            )
        return attrs


class SalesFilters(RangeFilters):
    """`from`, `to` and `group`."""

    group = serializers.ChoiceField(choices=GROUPS, default="day", required=False)


class OccupancyFilters(serializers.Serializer):
    date = ReportDateField(help_text="The day the shows start, YYYY-MM-DD (chain's zone).")


class SalesFigures(serializers.Serializer):
    tickets = serializers.IntegerField(
        help_text="Seats sold by the live sales posted in the range (order lines sold or "
        "refunded since); refunds do not lower it. Free orders post no sale and are not counted."
    )
    gross = serializers.IntegerField(
        help_text="Minor units: the totals (tickets, booking fees, tax) of the live sales "
        "posted in the range, the ledger's `sale` debits to `customer_funds`."
    )
    refunds = serializers.IntegerField(
        help_text="Minor units: what went back of sales, decided in the range (the "
        "ledger's `refund_due` debits to ticket_sales, booking_fees and tax); money that "
        "never became a sale is not counted."
    )
    net = serializers.IntegerField(help_text="gross - refunds.")


class SalesRow(SalesFigures):
    key = serializers.CharField(
        help_text="The day (YYYY-MM-DD, the posting day in the chain's zone) or the id "
        "of the order's title, venue or show."
    )
    label = serializers.CharField()


class SalesReportOutput(serializers.Serializer):
    """Live money only; test-mode payments never count. Rows by day ascending, else by
    net descending, then label."""

    currency = serializers.CharField()
    rows = SalesRow(many=True)
    totals = SalesFigures()


class OccupancyOutput(serializers.Serializer):
    show = serializers.IntegerField()
    title = serializers.CharField()
    venue = serializers.CharField()
    starts_at = serializers.DateTimeField()
    capacity = serializers.IntegerField(help_text="The show's seats, blocked ones excluded.")
    sold = serializers.IntegerField(help_text="Seats sold now.")
    held = serializers.IntegerField(help_text="Seats held now (in someone's hold).")
    occupancy = serializers.FloatField(
        help_text="sold / capacity, 0..1, rounded to 4 places; 0 when capacity is 0."
    )


class RefundRow(serializers.Serializer):
    key = serializers.CharField(help_text="The day (YYYY-MM-DD, chain's zone) or the reason.")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Refunds decided.")
    amount = serializers.IntegerField(help_text="Minor units refunded.")


class RefundTotals(serializers.Serializer):
    count = serializers.IntegerField()
    amount = serializers.IntegerField()


class RefundsReportOutput(serializers.Serializer):
    """Refunds of live money decided in the range, from the ledger (each `refund_due`
    journal's credit to `refunds_payable`): per day ascending and by reason."""

    currency = serializers.CharField()
    rows = RefundRow(many=True)
    by_reason = RefundRow(many=True)
    totals = RefundTotals()


class PromoCodeFigures(serializers.Serializer):
    orders = serializers.IntegerField(help_text="Orders with the code among the sales posted.")
    discount = serializers.IntegerField(help_text="Minor units: their discount.")
    gross = serializers.IntegerField(help_text="Minor units: what those sales took.")


class PromoCodeRow(PromoCodeFigures):
    key = serializers.CharField(help_text="The code.")
    label = serializers.CharField()


class PromoCodesReportOutput(serializers.Serializer):
    """Live sales posted in the range that used a promo code, per code, by discount."""

    currency = serializers.CharField()
    rows = PromoCodeRow(many=True)
    totals = PromoCodeFigures()


class PaymentMethodFigures(serializers.Serializer):
    payments = serializers.IntegerField(help_text="Payments captured in the range.")
    gross = serializers.IntegerField(help_text="Minor units captured.")
    refunds = serializers.IntegerField(
        help_text="Minor units refunded (sent in the range, less any that came back)."
    )
    net = serializers.IntegerField(help_text="gross - refunds.")


class PaymentMethodRow(PaymentMethodFigures):
    key = serializers.CharField(help_text="The provider (its ledger account `funds:<key>`).")
    label = serializers.CharField()


class PaymentMethodsReportOutput(serializers.Serializer):
    """Live money per provider, from the ledger's `funds:<provider>` accounts."""

    currency = serializers.CharField()
    rows = PaymentMethodRow(many=True)
    totals = PaymentMethodFigures()
