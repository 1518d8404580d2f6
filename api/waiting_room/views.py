"""The waiting room of on-sales (API.md "Waiting room"):

- `GET, PUT /api/v1/shows/{id}/queue-settings/` (owner, manager): the show's queue, on
  or off, its rate, and how it stands now;
- `POST /api/v1/shows/{id}/queue/`: a place in the queue, `{ticket, position,
  estimated_wait_s}` (201; 200 with the same ticket when the account or cart has one);
- `GET /api/v1/shows/{id}/queue/{ticket}/` (the ticket's holder): its position, or
  `{"admitted": true, "admission", "expires_at"}`. Holds then send the admission in
  `X-Queue-Admission` (api/waiting_room/guard.py).

Places belong to the signed-in account, else to the anonymous cart (`X-Cart-Id`; one
is issued when missing, and returned as `cart_id`).
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import HasCapability
from api.throttles import CART_HEADER, client_address
from api.waiting_room.guard import request_owners
from tenants.error_codes import DomainError
from venue_apps.accounts.capabilities import Capability
from venue_apps.waiting_room import selectors, services
from venue_apps.waiting_room.models import QueueSettings

_CART_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
CART_PARAMETER = OpenApiParameter(
    "X-Cart-Id", str, OpenApiParameter.HEADER, description="An anonymous cart's id."
)


class QueueSettingsInput(serializers.Serializer):
    enabled = serializers.BooleanField()
    admissions_per_second = serializers.IntegerField(min_value=1, max_value=10_000)
    auto_enable_arrivals_per_second = serializers.IntegerField(
        min_value=1, max_value=100_000, allow_null=True, required=False
    )
    auto_enable_seconds = serializers.IntegerField(min_value=60, max_value=86_400, required=False)
    admission_ttl_seconds = serializers.IntegerField(
        min_value=60, max_value=7_200, allow_null=True, required=False
    )


class QueueSettingsOutput(serializers.Serializer):
    enabled = serializers.BooleanField()
    admissions_per_second = serializers.IntegerField()
    auto_enable_arrivals_per_second = serializers.IntegerField(allow_null=True)
    auto_enable_seconds = serializers.IntegerField()
    admission_ttl_seconds = serializers.IntegerField(
        allow_null=True, help_text="None: the chain's hold TTL plus checkout time."
    )
    effective_admission_ttl_seconds = serializers.IntegerField()
    active = serializers.BooleanField(help_text="On now: set by staff, or on by itself.")
    auto_enabled_until = serializers.DateTimeField(allow_null=True)
    waiting = serializers.IntegerField(help_text="Places not admitted yet.")
    admitted = serializers.IntegerField(help_text="Places admitted so far.")
    issued = serializers.IntegerField(help_text="Places handed out so far.")
    queue_available = serializers.BooleanField(
        help_text="False while Redis cannot be reached: holds book directly meanwhile."
    )


def _moment(seconds: float | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds else None


def _settings_data(row: QueueSettings) -> dict:
    live = selectors.queue_live(row.show_id)
    return QueueSettingsOutput(
        {
            "enabled": row.enabled,
            "admissions_per_second": row.admissions_per_second,
            "auto_enable_arrivals_per_second": row.auto_enable_arrivals_per_second,
            "auto_enable_seconds": row.auto_enable_seconds,
            "admission_ttl_seconds": row.admission_ttl_seconds,
            "effective_admission_ttl_seconds": services.admission_ttl(row),
            "active": live.active,
            "auto_enabled_until": _moment(live.auto_until),
            "waiting": live.waiting,
            "admitted": live.admitted,
            "issued": live.issued,
            "queue_available": live.available,
        }
    ).data


class QueueSettingsView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.MANAGE_QUEUE

    @extend_schema(operation_id="shows_queue_settings_retrieve", responses=QueueSettingsOutput)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_settings_data(selectors.queue_settings_get(pk)))

    @extend_schema(
        operation_id="shows_queue_settings_update",
        request=QueueSettingsInput,
        responses=QueueSettingsOutput,
    )
    def put(self, request: Request, pk: int) -> Response:
        selectors.queue_settings_get(pk)  # a show that does not exist is a 404 first
        data = QueueSettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.queue_settings_update(pk, actor=request.user, **data.validated_data)
        return Response(_settings_data(row))


class QueuePlaceOutput(serializers.Serializer):
    ticket = serializers.CharField()
    position = serializers.IntegerField(help_text="0: admitted; ask the ticket for it.")
    estimated_wait_s = serializers.IntegerField()
    cart_id = serializers.CharField(
        allow_null=True, help_text="The anonymous cart the place is for (send as X-Cart-Id)."
    )


class QueueStatusOutput(serializers.Serializer):
    admitted = serializers.BooleanField()
    position = serializers.IntegerField(required=False)
    estimated_wait_s = serializers.IntegerField(required=False)
    admission = serializers.CharField(
        required=False, help_text="Send as X-Queue-Admission with holds on this show."
    )
    expires_at = serializers.DateTimeField(required=False)


def _place_owner(request: Request) -> tuple[str, str | None, str | None]:
    """(owner, anonymous address, cart id) of a request joining a queue."""
    if request.user and request.user.is_authenticated:
        return f"u:{request.user.pk}", None, None
    cart_id = request.META.get(CART_HEADER, "")
    if cart_id and not _CART_ID.match(cart_id):
        raise DomainError("cart_invalid", "X-Cart-Id is 16 to 64 letters, digits, - or _.")
    cart_id = cart_id or secrets.token_urlsafe(24)
    return f"c:{cart_id}", client_address(request), cart_id


class QueueStateOutput(serializers.Serializer):
    active = serializers.BooleanField(help_text="Holds on this show need an admission now.")
    waiting = serializers.IntegerField()
    estimated_wait_s = serializers.IntegerField(help_text="For someone joining now.")


class QueueJoinView(APIView):
    """GET (anyone): is the show's queue on, and how long is it (the storefront asks
    before showing the seat map); POST: a place in it."""

    permission_classes = [HasCapability]
    capability = {"GET": Capability.BROWSE, "POST": Capability.HOLD_SEATS}

    @extend_schema(operation_id="shows_queue_state", responses=QueueStateOutput)
    def get(self, request: Request, pk: int) -> Response:
        live = selectors.queue_live(pk)
        wait = -(-(live.waiting + 1) // live.admissions_per_second) if live.active else 0
        return Response(
            QueueStateOutput(
                {"active": live.active, "waiting": live.waiting, "estimated_wait_s": wait}
            ).data
        )

    @extend_schema(
        operation_id="shows_queue_join",
        request=None,
        responses={201: QueuePlaceOutput, 200: QueuePlaceOutput},
        parameters=[CART_PARAMETER],
    )
    def post(self, request: Request, pk: int) -> Response:
        owner, address, cart_id = _place_owner(request)
        place = services.queue_join(pk, owner=owner, address=address)
        return Response(
            QueuePlaceOutput(
                {
                    "ticket": place.ticket,
                    "position": place.position,
                    "estimated_wait_s": place.estimated_wait_s,
                    "cart_id": cart_id,
                }
            ).data,
            status=status.HTTP_201_CREATED if place.created else status.HTTP_200_OK,
        )


class QueueStatusView(APIView):
    permission_classes = [HasCapability]
    capability = Capability.HOLD_SEATS

    @extend_schema(
        operation_id="shows_queue_status",
        responses=QueueStatusOutput,
        parameters=[CART_PARAMETER],
    )
    def get(self, request: Request, pk: int, ticket: str) -> Response:
        found = services.queue_status(pk, ticket=ticket, owners=request_owners(request))
        if found.admitted:
            data = {
                "admitted": True,
                "admission": found.admission,
                "expires_at": _moment(found.expires_at),
            }
        else:
            data = {
                "admitted": False,
                "position": found.position,
                "estimated_wait_s": found.estimated_wait_s,
            }
        return Response(QueueStatusOutput(data).data)
