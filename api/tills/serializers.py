"""Input and output of tills, shifts and shift reports (money in minor units)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from venue_apps.tills.models import Shift, Till


class VenueRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TillOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    venue = VenueRefOutput()
    open_shift = serializers.IntegerField(
        allow_null=True, help_text="The id of the shift open at this till, or null."
    )


class TillRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    venue = VenueRefOutput()


class ShiftOpenInput(serializers.Serializer):
    till = serializers.IntegerField(min_value=1)
    float = serializers.IntegerField(
        min_value=0, max_value=10**11 - 1, help_text="Cash put in the drawer (minor units)."
    )


class ShiftCloseInput(serializers.Serializer):
    counted = serializers.IntegerField(
        min_value=0, max_value=10**11 - 1, help_text="Cash counted in the drawer (minor units)."
    )


class ShiftOutput(serializers.Serializer):
    id = serializers.IntegerField()
    till = TillRefOutput()
    opened_at = serializers.DateTimeField()
    opened_by = serializers.CharField(help_text="The cashier's email.")
    opened_by_name = serializers.CharField()
    float = serializers.IntegerField(help_text="Minor units.")
    status = serializers.ChoiceField(choices=Shift.Status.choices)
    currency = serializers.CharField()


class ShiftReportOutput(serializers.Serializer):
    """A shift's money from the ledger, minor units of `currency`:
    expected_cash = float + cash_sales - cash_refunds; variance = counted - expected_cash
    (null until the shift is closed)."""

    id = serializers.IntegerField()
    till = TillRefOutput()
    opened_by = serializers.CharField(help_text="The cashier's email.")
    opened_by_name = serializers.CharField()
    opened_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    status = serializers.ChoiceField(choices=Shift.Status.choices)
    currency = serializers.CharField()
    float = serializers.IntegerField()
    cash_sales = serializers.IntegerField()
    cash_refunds = serializers.IntegerField()
    card_sales = serializers.IntegerField()
    card_refunds = serializers.IntegerField()
    expected_cash = serializers.IntegerField()
    counted = serializers.IntegerField(allow_null=True)
    variance = serializers.IntegerField(allow_null=True)
    orders = serializers.IntegerField(help_text="Sales taken on this shift.")
    tickets = serializers.IntegerField(help_text="Seats those sales sold.")


def till_ref(till: Till) -> dict[str, Any]:
    return {
        "id": till.pk,
        "name": till.name,
        "venue": {"id": till.venue_id, "name": till.venue.name},
    }


def shift_data(shift: Shift) -> dict[str, Any]:
    return {
        "id": shift.pk,
        "till": till_ref(shift.till),
        "opened_at": shift.opened_at,
        "opened_by": shift.opened_by.email,
        "opened_by_name": shift.opened_by.name,
        "float": shift.float,
        "status": shift.status,
        "currency": shift.currency,
    }


def report_data(shift: Shift, report: dict[str, Any]) -> dict[str, Any]:
    return {
        **report,
        "till": till_ref(shift.till),
        "opened_by": shift.opened_by.email,
        "opened_by_name": shift.opened_by.name,
        "opened_at": shift.opened_at,
        "closed_at": shift.closed_at,
    }
