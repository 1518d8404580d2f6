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


class SalesFilters(serializers.Serializer):
    """`from` and `to` (days in the chain's time zone, both included) and `group`."""

    locals()["from"] = ReportDateField(help_text="First day, YYYY-MM-DD (chain's zone).")
    to = ReportDateField(help_text="Last day, YYYY-MM-DD (chain's zone), included.")
    group = serializers.ChoiceField(choices=GROUPS, default="day", required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs["from"], attrs["to"]
        if first > last:
            raise serializers.ValidationError({"to": "`to` must not be before `from`."})
        if (last - first).days + 1 > MAX_DAYS:
            raise serializers.ValidationError(
                {"to": f"A report covers at most {MAX_DAYS} days; ask for a shorter range."}
            )
        return attrs


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
