"""Tills and shifts for the box office screen: which tills there are and whose shift
is open at each, the caller's own shift, opening and closing one, and its report.

Box office staff see their own shifts (anyone else's is a 404, so ids reveal
nothing); managers and owners see and may close every shift.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.orders.serializers import RefundOutput
from api.permissions import HasCapability
from api.schema import ErrorOutput
from api.tills import serializers as io
from tenants.error_codes import NotFound
from venue_apps.accounts.capabilities import Capability
from venue_apps.payments.error_codes import PaymentErrorCode
from venue_apps.payments.models import Refund
from venue_apps.sales.cancellation import refund_pay_out_at_counter
from venue_apps.tills import selectors, services
from venue_apps.tills.error_codes import TillErrorCode
from venue_apps.tills.models import Shift, Till


def _visible_shift(request: Request, shift_id: int) -> Shift:
    shift = selectors.shifts_visible(request.user).filter(pk=shift_id).first()
    if shift is None:
        raise NotFound(TillErrorCode.SHIFT_NOT_FOUND, "No such shift.")
    return shift


def _report(shift: Shift) -> Response:
    return Response(io.ShiftReportOutput(io.report_data(shift, selectors.shift_report(shift))).data)


class TillListView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.SELL_AT_BOX_OFFICE}

    @extend_schema(operation_id="tills_list", responses=io.TillOutput(many=True))
    def get(self, request: Request) -> Response:
        rows = [
            {
                "id": till.pk,
                "name": till.name,
                "venue": {"id": till.venue_id, "name": till.venue.name},
                "open_shift": open_shift,
            }
            for till, open_shift in selectors.tills_with_open_shifts()
        ]
        return Response(io.TillOutput(rows, many=True).data)


class ShiftOpenView(APIView):
    permission_classes = [HasCapability]
    capability = {"POST": Capability.SELL_AT_BOX_OFFICE}

    # 404: no such till.
    @extend_schema(
        request=io.ShiftOpenInput,
        responses={201: io.ShiftOutput, 404: ErrorOutput, 409: ErrorOutput},
    )
    def post(self, request: Request) -> Response:
        data = io.ShiftOpenInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        till = Till.objects.select_related("venue").filter(pk=values["till"]).first()
        if till is None:
            raise NotFound(TillErrorCode.TILL_NOT_FOUND, "No such till.")
        shift = services.shift_open(
            till, float_amount=values["float"], currency=request.tenant.currency, actor=request.user
        )
        return Response(io.ShiftOutput(io.shift_data(shift)).data, status=status.HTTP_201_CREATED)


class ShiftCurrentView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.SELL_AT_BOX_OFFICE}

    @extend_schema(responses={200: io.ShiftOutput, 404: ErrorOutput})
    def get(self, request: Request) -> Response:
        shift = selectors.shift_current(request.user)
        if shift is None:
            raise NotFound(TillErrorCode.NO_OPEN_SHIFT, "You have no shift open.")
        return Response(io.ShiftOutput(io.shift_data(shift)).data)


class ShiftCloseView(APIView):
    permission_classes = [HasCapability]
    capability = {"POST": Capability.SELL_AT_BOX_OFFICE}

    @extend_schema(request=io.ShiftCloseInput, responses={200: io.ShiftReportOutput})
    def post(self, request: Request, shift_id: int) -> Response:
        data = io.ShiftCloseInput(data=request.data)
        data.is_valid(raise_exception=True)
        shift = services.shift_close(
            _visible_shift(request, shift_id),
            counted=data.validated_data["counted"],
            actor=request.user,
        )
        return _report(_visible_shift(request, shift.pk))


class ShiftReportView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.SELL_AT_BOX_OFFICE}

    @extend_schema(responses={200: io.ShiftReportOutput})
    def get(self, request: Request, shift_id: int) -> Response:
        return _report(_visible_shift(request, shift_id))


class RefundPayOutView(APIView):
    """A box-office refund owed at the counter (decided with nobody there: a show
    cancelled) is handed over now, from the caller's open till shift."""

    permission_classes = [HasCapability]
    capability = {"POST": Capability.SELL_AT_BOX_OFFICE}

    @extend_schema(request=None, responses={200: RefundOutput, 409: ErrorOutput})
    def post(self, request: Request, refund_id: str) -> Response:
        refund = Refund.objects.filter(pk=refund_id).first()
        if refund is None:
            raise NotFound(PaymentErrorCode.REFUND_INVALID, "No such refund.")
        return Response(RefundOutput(refund_pay_out_at_counter(refund, actor=request.user)).data)
