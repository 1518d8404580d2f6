"""Reports for the chain's managers and owner: sales from the ledger, occupancy of a
day's shows. Days are the chain's, in its time zone."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.filters import parse_query
from api.permissions import HasCapability
from api.reports import serializers as io
from venue_apps.accounts.capabilities import Capability
from venue_apps.payments.reports import (
    occupancy_report,
    payment_methods_report,
    promo_codes_report,
    refunds_report,
    sales_report,
)


class SalesReportView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.READ_REPORTS}

    @extend_schema(parameters=[io.SalesFilters], responses=io.SalesReportOutput)
    def get(self, request: Request) -> Response:
        query = parse_query(io.SalesFilters, request)
        report = sales_report(
            first=query["from"],
            last=query["to"],
            group=query.get("group", "day"),
            timezone=request.tenant.timezone,
            currency=request.tenant.currency,
        )
        return Response(io.SalesReportOutput(report).data)


class OccupancyReportView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.READ_REPORTS}

    @extend_schema(parameters=[io.OccupancyFilters], responses=io.OccupancyOutput(many=True))
    def get(self, request: Request) -> Response:
        query = parse_query(io.OccupancyFilters, request)
        shows = occupancy_report(day=query["date"], timezone=request.tenant.timezone)
        return Response(io.OccupancyOutput(shows, many=True).data)


def _range(request: Request) -> dict[str, Any]:
    query = parse_query(io.RangeFilters, request)
    return {
        "first": query["from"],
        "last": query["to"],
        "timezone": request.tenant.timezone,
        "currency": request.tenant.currency,
    }


class RefundsReportView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.READ_REPORTS}

    @extend_schema(parameters=[io.RangeFilters], responses=io.RefundsReportOutput)
    def get(self, request: Request) -> Response:
        return Response(io.RefundsReportOutput(refunds_report(**_range(request))).data)


class PromoCodesReportView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.READ_REPORTS}

    @extend_schema(parameters=[io.RangeFilters], responses=io.PromoCodesReportOutput)
    def get(self, request: Request) -> Response:
        return Response(io.PromoCodesReportOutput(promo_codes_report(**_range(request))).data)


class PaymentMethodsReportView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.READ_REPORTS}

    @extend_schema(parameters=[io.RangeFilters], responses=io.PaymentMethodsReportOutput)
    def get(self, request: Request) -> Response:
        report = payment_methods_report(**_range(request))
        return Response(io.PaymentMethodsReportOutput(report).data)
