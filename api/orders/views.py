"""Orders: checkout from a hold, the customer's orders, cancellation, staff refunds;
and the chain's promo codes, cancellation policy, booking fee and taxes.

Customers see only their own orders (someone else's is a 404, not a 403, so order ids
reveal nothing); owners, managers and box office staff see every order of the chain.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.filters import page_of
from api.orders import serializers as io
from api.payments.serializers import PaymentOutput
from api.permissions import SALES_TERMS, HasCapability
from api.schema import ErrorOutput
from api.throttles import (
    CART_HEADER,
    CheckoutAddressThrottle,
    CheckoutClientThrottle,
    client_address,
)
from tenants.error_codes import NotFound
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.inventory.holds import hold_claim
from venue_apps.inventory.models import Hold
from venue_apps.orders import selectors, services
from venue_apps.orders.error_codes import OrderErrorCode
from venue_apps.orders.models import CheckoutSettings, Order, PromoCode, TaxRate
from venue_apps.sales import cancellation
from venue_apps.sales.checkout import checkout_start, payment_retry


def _address(request: Request) -> str | None:
    return client_address(request)


def _context(request: Request) -> dict[str, Any]:
    return {"request": request}


def _scope(request: Request) -> int | None:
    """Whose orders this user may see: their own (customers), or everyone's (staff)."""
    return None if has_capability(request.user, Capability.READ_ALL_ORDERS) else request.user.pk


def _hold_for(request: Request, hold_id: Any) -> Hold:
    """The buyer's hold; a cart's hold is claimed by the customer who signs in with it."""
    hold = Hold.objects.filter(pk=hold_id).first()
    user = request.user
    if hold is None:
        raise NotFound(OrderErrorCode.HOLD_NOT_FOUND, "No such hold.")
    if hold.user_id == user.pk:
        return hold
    return hold_claim(hold, user_id=user.pk, cart_id=request.META.get(CART_HEADER, ""))


class CheckoutThrottled:
    """Checkout and payment attempts are rate limited; reads are not."""

    def get_throttles(self):
        if self.request.method == "POST":
            return [CheckoutClientThrottle(), CheckoutAddressThrottle()]
        return []


class OrderListCreateView(CheckoutThrottled, GenericAPIView):
    permission_classes = [HasCapability]
    # Buyers order for themselves; the box office (managers too) sells to walk-ins.
    capability = {
        "GET": Capability.READ_ORDERS,
        "POST": (Capability.BUY, Capability.SELL_AT_BOX_OFFICE),
    }
    serializer_class = io.OrderOutput

    @extend_schema(
        operation_id="orders_list",
        parameters=[
            OpenApiParameter("status", str, description="Only orders in this status."),
            OpenApiParameter(
                "q",
                str,
                description=(
                    "Staff (the box office's lookup): part of the customer's name or "
                    "email, part of the booking reference, at least 4 digits of the phone "
                    "number (spaces, dashes and + ignored) or a seat (`F7`, `F 7`); any "
                    f"case; {selectors.SEARCH_MIN_LENGTH} to {selectors.SEARCH_MAX_LENGTH} "
                    f"characters. At most {selectors.SEARCH_LIMIT} orders, newest first. "
                    "Customers' `q` is ignored: they list their own orders."
                ),
            ),
        ],
        # 400 `search_invalid`: a query too short, too long or with control characters.
        responses={200: io.OrderOutput(many=True), 400: ErrorOutput},
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q") or ""
        # An empty `q` (a cleared search box) lists every order, as without one.
        if query.strip() and has_capability(request.user, Capability.READ_ALL_ORDERS):
            orders = selectors.order_find(query)
        else:
            orders = selectors.order_list(
                customer_id=_scope(request), status=request.query_params.get("status") or None
            )
        return Response(
            page_of(
                request,
                self,
                orders,
                lambda page: io.OrderOutput(page, many=True, context=_context(request)).data,
            )
        )

    # 404: no such hold, or a gateway the chain does not offer. Cash and the card
    # terminal (`"provider": "cash"` or `"card"`) are the box office's: paid at once
    # through the seller's open till shift (409 `shift_required` without one); anyone
    # else gets 403 `counter_staff_only`.
    @extend_schema(request=io.OrderInput, responses={201: io.OrderOutput, 404: ErrorOutput})
    def post(self, request: Request) -> Response:
        data = io.OrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        at_box_office = has_capability(user, Capability.SELL_AT_BOX_OFFICE)
        buyer = services.Buyer(
            customer=None if at_box_office else user,
            email=values.get("email", "") if at_box_office else user.email,
            name=values.get("name", "") if at_box_office else user.name,
            phone=values.get("phone", "") if at_box_office else "",
            sold_by=user if at_box_office else None,
            address=_address(request),
        )
        checkout = checkout_start(
            _hold_for(request, values["hold"]),
            buyer=buyer,
            provider_name=values["provider"],
            currency=request.tenant.currency,
            promo_code=values.get("promo_code") or None,
            terminal_reference=values.get("terminal_reference", ""),
        )
        order = selectors.order_for(checkout.order.pk, customer_id=None)
        return Response(
            io.OrderOutput(order, context=_context(request)).data, status=status.HTTP_201_CREATED
        )


class OrderDetailView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.READ_ORDERS}
    serializer_class = io.OrderOutput

    def get(self, request: Request, order_id: str) -> Response:
        order = selectors.order_for(order_id, customer_id=_scope(request))
        return Response(io.OrderOutput(order, context=_context(request)).data)


class OrderPaymentRetryView(CheckoutThrottled, APIView):
    """Another payment attempt for a pending order (after a gateway hiccup)."""

    permission_classes = [HasCapability]
    capability = {"POST": Capability.BUY}

    @extend_schema(request=io.PaymentRetryInput, responses={201: io.OrderOutput})
    def post(self, request: Request, order_id: str) -> Response:
        data = io.PaymentRetryInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = _own_order(request, order_id)
        payment = payment_retry(
            order, provider_name=data.validated_data["provider"], address=_address(request)
        )
        order = selectors.order_for(order.pk, customer_id=None)
        body = io.OrderOutput(order, context=_context(request)).data
        # The new attempt, with what the client pays it with.
        body["payment"] = PaymentOutput(io.payment_data(payment, for_owner=True)).data
        return Response(body, status=status.HTTP_201_CREATED)


def _own_order(request: Request, order_id: Any) -> Order:
    """The order if this user bought it (or sold it at the box office); else 404."""
    order = selectors.order_for(order_id, customer_id=None)
    user = request.user
    if user.pk not in (order.customer_id, order.sold_by_id):
        raise NotFound(OrderErrorCode.ORDER_NOT_FOUND, "No such order.")
    return order


class OrderCancelView(APIView):
    """GET: what cancelling now would refund (changes nothing). POST: cancel."""

    permission_classes = [HasCapability]
    capability = {"GET": Capability.CANCEL_ORDERS, "POST": Capability.CANCEL_ORDERS}

    @extend_schema(responses=io.CancelQuoteOutput)
    def get(self, request: Request, order_id: str) -> Response:
        order = selectors.order_for(order_id, customer_id=_scope(request))
        quote = cancellation.order_cancel_quote(order)
        return Response(
            io.CancelQuoteOutput(
                {
                    "allowed": quote.allowed,
                    "code": quote.code,
                    "detail": quote.detail,
                    "refund": quote.refund,
                    "currency": order.currency,
                    "refund_percent": quote.refund_percent,
                    "hours_before": quote.hours_before,
                    "cutoff_at": quote.cutoff_at,
                }
            ).data
        )

    @extend_schema(request=None, responses=io.CancelOutput)
    def post(self, request: Request, order_id: str) -> Response:
        order = selectors.order_for(order_id, customer_id=_scope(request))
        user = request.user
        # The customer cancels their own order; owners and managers may do it for them;
        # box office staff only for what they sold at the counter.
        if user.pk not in (order.customer_id, order.sold_by_id) and not has_capability(
            user, Capability.REFUND
        ):
            raise PermissionDenied("Only the customer or the chain's managers may cancel this.")
        done = cancellation.order_cancel(order.pk, actor=request.user)
        return Response(
            io.CancelOutput(
                {
                    "status": done.order.status,
                    "refund": done.amount,
                    "currency": order.currency,
                    "refund_id": done.refund.pk if done.refund else None,
                    "refund_status": done.refund.status if done.refund else None,
                }
            ).data
        )


class OrderRefundView(APIView):
    """Staff refund: `{"seats": [...]}` (those seats in full, back on sale),
    `{"amount": n}` (goodwill, seats stay sold), or `{}` (everything)."""

    permission_classes = [HasCapability]
    capability = {"POST": Capability.REFUND}

    @extend_schema(request=io.RefundInput, responses={201: io.RefundOutput})
    def post(self, request: Request, order_id: str) -> Response:
        data = io.RefundInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        order = selectors.order_for(order_id, customer_id=None)
        refund = cancellation.order_refund(
            order.pk,
            actor=request.user,
            seat_ids=values.get("seats"),
            amount=values.get("amount"),
            note=values.get("note", ""),
        )
        return Response(io.RefundOutput(refund).data, status=status.HTTP_201_CREATED)


# --- the chain's commercial settings ---------------------------------------------------


class PromoCodeListCreateView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.EDIT_SALES_TERMS, "POST": Capability.EDIT_SALES_TERMS}
    serializer_class = io.PromoCodeSerializer

    @extend_schema(operation_id="promo_codes_list", responses=io.PromoCodeSerializer(many=True))
    def get(self, request: Request) -> Response:
        codes = PromoCode.objects.prefetch_related("titles", "shows").order_by("code")
        return Response(
            page_of(request, self, codes, lambda page: io.PromoCodeSerializer(page, many=True).data)
        )

    @extend_schema(responses={201: io.PromoCodeSerializer})
    def post(self, request: Request) -> Response:
        data = io.PromoCodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        promo = services.promo_code_save(None, values=data.validated_data, actor=request.user)
        return Response(io.PromoCodeSerializer(promo).data, status=status.HTTP_201_CREATED)


class PromoCodeDetailView(GenericAPIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.EDIT_SALES_TERMS, "PATCH": Capability.EDIT_SALES_TERMS}
    serializer_class = io.PromoCodeSerializer

    def _promo(self, pk: int) -> PromoCode:
        promo = PromoCode.objects.filter(pk=pk).first()
        if promo is None:
            raise NotFound(OrderErrorCode.PROMO_INVALID, f"No promo code {pk}.")
        return promo

    def get(self, request: Request, pk: int) -> Response:
        return Response(io.PromoCodeSerializer(self._promo(pk)).data)

    def patch(self, request: Request, pk: int) -> Response:
        promo = self._promo(pk)
        data = io.PromoCodeSerializer(promo, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        promo = services.promo_code_save(promo, values=data.validated_data, actor=request.user)
        return Response(io.PromoCodeSerializer(promo).data)


def _policy_data() -> dict[str, Any]:
    policy = services.cancellation_policy()
    return {
        "customers_may_cancel": policy.customers_may_cancel,
        "cutoff_hours": policy.cutoff_hours,
        "refund_booking_fee": policy.refund_booking_fee,
        "tiers": [
            {"hours_before": tier.hours_before, "refund_percent": tier.refund_percent}
            for tier in policy.tiers.all()
        ],
    }


class CancellationPolicyView(APIView):
    """The chain's cancellation policy: anyone reads it (customers, before buying);
    owners and managers change it."""

    permission_classes = [HasCapability]
    capability = SALES_TERMS

    @extend_schema(responses=io.CancellationPolicySerializer)
    def get(self, request: Request) -> Response:
        return Response(io.CancellationPolicySerializer(_policy_data()).data)

    @extend_schema(
        request=io.CancellationPolicySerializer, responses=io.CancellationPolicySerializer
    )
    def put(self, request: Request) -> Response:
        data = io.CancellationPolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        tiers = values.pop("tiers", None)
        services.cancellation_policy_update(
            **values,
            tiers=[(tier["hours_before"], tier["refund_percent"]) for tier in tiers]
            if tiers is not None
            else None,
            actor=request.user,
        )
        return Response(io.CancellationPolicySerializer(_policy_data()).data)


def _checkout_settings_data() -> dict[str, Any]:
    row = CheckoutSettings.current()
    return io.CheckoutSettingsSerializer(
        {
            "booking_fee_per_ticket": row.booking_fee_per_ticket,
            "booking_fee_basis_points": row.booking_fee_basis_points,
            "taxes": TaxRate.objects.filter(is_active=True),
        }
    ).data


class CheckoutSettingsView(APIView):
    """The booking fee and the taxes orders are priced with."""

    permission_classes = [HasCapability]
    capability = SALES_TERMS

    @extend_schema(responses=io.CheckoutSettingsSerializer)
    def get(self, request: Request) -> Response:
        return Response(_checkout_settings_data())

    @extend_schema(request=io.CheckoutSettingsSerializer, responses=io.CheckoutSettingsSerializer)
    def put(self, request: Request) -> Response:
        data = io.CheckoutSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.checkout_settings_update(**data.validated_data, actor=request.user)
        return Response(_checkout_settings_data())
