"""Holds: `POST /api/v1/shows/{id}/holds/`, `GET|DELETE /api/v1/holds/{id}/`, and
`POST /api/v1/holds/{id}/quote/` (what ordering it would cost).

A hold belongs to the signed-in user, or to an anonymous cart named by the
`X-Cart-Id` header (a random id the storefront keeps; one is issued when missing).
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.orders.serializers import QuoteInput, QuoteOutput, quote_data
from api.permissions import HasCapability
from api.throttles import (
    CART_HEADER,
    HoldAddressThrottle,
    HoldClientThrottle,
    OneTripThrottles,
    client_address,
)
from api.waiting_room.guard import admission_check, admission_rider
from tenants.error_codes import DomainError
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.inventory import holds
from venue_apps.inventory.models import Hold, ShowSeat
from venue_apps.orders.models import Order
from venue_apps.orders.selectors import hold_quote
from venue_apps.sales.cancellation import order_cancel

_CART_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class BestAvailableInput(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=50)
    category = serializers.SlugField(max_length=32, default="regular")


class HoldInput(serializers.Serializer):
    seats = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=50, required=False
    )
    best_available = BestAvailableInput(required=False)

    def validate(self, attrs):
        if ("seats" in attrs) == ("best_available" in attrs):
            raise serializers.ValidationError(
                "Ask for `seats` or for `best_available`.", code="hold_invalid"
            )
        return attrs


def _hold_input(data: object) -> dict:
    """The hold's body. The on-sale's own shape, `{"seats": [ids]}` with 1 to 50 ids,
    is read by hand: a serializer costs more CPU than the hold's SQL (fields deep-copied
    for every request). Anything else goes through HoldInput, which accepts or names
    the fault exactly as it always did (tests/test_holds.py compares the two)."""
    if isinstance(data, dict) and len(data) == 1:
        seats = data.get("seats")
        if (
            type(seats) is list
            and 1 <= len(seats) <= 50
            and all(type(seat) is int and seat >= 1 for seat in seats)
        ):
            return {"seats": seats}
    serializer = HoldInput(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class HeldSeatOutput(serializers.ModelSerializer):
    class Meta:
        model = ShowSeat
        fields = ["id", "label", "row", "number", "category", "section"]


class HoldOutput(serializers.ModelSerializer):
    seats = serializers.SerializerMethodField()
    status = serializers.CharField(source="current_status")

    class Meta:
        model = Hold
        fields = ["id", "show", "status", "seats", "expires_at", "cart_id"]

    @extend_schema_field(HeldSeatOutput(many=True))
    def get_seats(self, hold: Hold) -> list[dict]:
        seats = hold.held_seats
        if seats is None:
            seats = list(ShowSeat.objects.filter(pk__in=hold.seat_ids).order_by("y", "x"))
        return HeldSeatOutput(seats, many=True).data


_DATETIME = serializers.DateTimeField()


def hold_output_data(hold: Hold) -> dict:
    """`HoldOutput(hold).data` of a hold just made, without building a serializer per
    answer (field by field the same: tests/test_holds.py compares the two)."""
    assert hold.held_seats is not None
    return {
        "id": str(hold.id),
        "show": hold.show_id,
        "status": hold.current_status,
        "seats": [
            {
                "id": seat.id,
                "label": seat.label,
                "row": seat.row,
                "number": seat.number,
                "category": seat.category,
                "section": seat.section,
            }
            for seat in hold.held_seats
        ],
        "expires_at": _DATETIME.to_representation(hold.expires_at),
        "cart_id": hold.cart_id,
    }


def _owner(request: Request, *, issue: bool = False) -> holds.HoldOwner:
    if request.user and request.user.is_authenticated:
        return holds.HoldOwner(user_id=request.user.pk)
    address = client_address(request)
    cart_id = request.META.get(CART_HEADER, "")
    if cart_id and not _CART_ID.match(cart_id):
        raise DomainError("cart_invalid", "X-Cart-Id is 16 to 64 letters, digits, - or _.")
    if not cart_id and issue:
        cart_id = secrets.token_urlsafe(24)
    return holds.HoldOwner(cart_id=cart_id, address=address)


def _owners(request: Request) -> list[holds.HoldOwner]:
    """Everyone the request speaks for: the signed-in user, and the cart it presents
    (a customer who held seats before signing in still has the cart's id)."""
    owners = []
    if request.user and request.user.is_authenticated:
        owners.append(holds.HoldOwner(user_id=request.user.pk))
    cart_id = request.META.get(CART_HEADER, "")
    if cart_id:
        if not _CART_ID.match(cart_id):
            raise DomainError("cart_invalid", "X-Cart-Id is 16 to 64 letters, digits, - or _.")
        owners.append(holds.HoldOwner(cart_id=cart_id))
    return owners


def _policy(request: Request) -> holds.HoldPolicy:
    tenant = request.tenant
    return holds.HoldPolicy(
        ttl=timedelta(seconds=tenant.hold_ttl_seconds),
        max_seats=tenant.hold_max_seats,
        max_active_holds=tenant.holds_per_customer,
        max_anonymous_holds_per_address=settings.HOLDS_PER_ADDRESS,
    )


CART_PARAMETER = OpenApiParameter(
    "X-Cart-Id", str, OpenApiParameter.HEADER, description="An anonymous cart's id."
)


class HoldCreateView(OneTripThrottles, APIView):
    """Hold seats: the given `seats`, or the `best_available` `count` of a category, all
    or none, for the signed-in customer or the cart of `X-Cart-Id` (one is issued when
    missing). Seats someone has are a 409 naming them; while the show's waiting room is
    on, a hold needs the customer's admission in `X-Queue-Admission` (403
    `queue_required` otherwise)."""

    permission_classes = [HasCapability]
    capability = Capability.HOLD_SEATS
    throttle_classes = [HoldClientThrottle, HoldAddressThrottle]

    def throttle_rider(self, request: Request):
        # The waiting room's check rides in the rate limits' script: one trip to Redis.
        return admission_rider(self.kwargs["pk"])

    @extend_schema(request=HoldInput, responses={201: HoldOutput}, parameters=[CART_PARAMETER])
    def post(self, request: Request, pk: int) -> Response:
        admission_check(request, pk, checked=self.rider_answer)
        values = _hold_input(request.data)
        best = values.get("best_available")
        hold = holds.hold_create(
            pk,
            owner=_owner(request, issue=True),
            policy=_policy(request),
            seat_ids=values.get("seats"),
            count=best["count"] if best else None,
            category=best["category"] if best else None,
        )
        return Response(hold_output_data(hold), status=status.HTTP_201_CREATED)


class HoldDetailView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.HOLD_SEATS

    @extend_schema(responses=HoldOutput, parameters=[CART_PARAMETER])
    def get(self, request: Request, hold_id: str) -> Response:
        return Response(HoldOutput(holds.hold_get_for_any(hold_id, owners=_owners(request))).data)

    @extend_schema(responses={204: None}, parameters=[CART_PARAMETER])
    def delete(self, request: Request, hold_id: str) -> Response:
        # A customer who held seats before signing in still presents that cart's id.
        owners = _owners(request)
        hold = holds.hold_get_for_any(hold_id, owners=owners)
        owner = next(owner for owner in owners if owner.owns(hold))
        pending = Order.objects.filter(hold=hold, status=Order.Status.PENDING).first()
        if pending is not None:
            # Letting go of seats that an unpaid order waits on cancels that order.
            order_cancel(pending.pk, actor=request.user)
        else:
            holds.hold_release(hold, owner=owner)
        return Response(status=status.HTTP_204_NO_CONTENT)


class HoldQuoteView(OneTripThrottles, APIView):
    """What ordering this hold now would cost: lines, fees, taxes, the promo code and
    the total, priced exactly as `POST /orders/` would price it, before any order or
    payment exists. Changes nothing: the code is checked, not reserved, and the hold
    stays whose it was (a cart's hold is claimed when its order is placed).

    The hold's owner asks: its signed-in customer, or anyone presenting its cart's
    `X-Cart-Id`. Anyone else's hold is a 404. A hold that ended or ran out is a 409
    (`hold_not_active`, `hold_expired`, or `order_exists` with the order's id), and a
    promo code that checkout would refuse is refused with checkout's code."""

    permission_classes = [HasCapability]
    capability = Capability.HOLD_SEATS
    throttle_classes = [HoldClientThrottle, HoldAddressThrottle]

    @extend_schema(
        operation_id="holds_quote",
        request=QuoteInput,
        responses={200: QuoteOutput},
        parameters=[CART_PARAMETER],
    )
    def post(self, request: Request, hold_id: str) -> Response:
        hold = holds.hold_get_for_any(hold_id, owners=_owners(request))
        data = QuoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        # Box office and owners sell to walk-ins: their orders have no customer, so
        # per-customer codes are priced as checkout prices them, for nobody.
        at_box_office = has_capability(user, Capability.SELL_AT_BOX_OFFICE)
        customer_id = user.pk if user.is_authenticated and not at_box_office else None
        quote = hold_quote(
            hold,
            currency=request.tenant.currency,
            customer_id=customer_id,
            promo_code=data.validated_data.get("promo_code") or None,
        )
        return Response(QuoteOutput(quote_data(quote)).data)
