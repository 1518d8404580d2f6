"""Tickets and check-in: an order's tickets with their signed codes, the PDF e-tickets,
re-issuing a code, admitting at the door, and what offline scanners need.

Customers see only their own tickets; staff of the chain see every ticket. Check-in is
for the scanner role (and owners and managers, who may stand at a door too).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import HasCapability
from api.schema import ErrorOutput
from tenants.error_codes import NotFound
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.orders import selectors as order_selectors
from venue_apps.orders.error_codes import OrderErrorCode
from venue_apps.orders.models import Order
from venue_apps.tickets import selectors, services
from venue_apps.tickets.models import Ticket


def _scope(request: Request) -> int | None:
    return None if has_capability(request.user, Capability.READ_ALL_ORDERS) else request.user.pk


def _readable_order(request: Request, order_id: Any) -> Order:
    """The order if this user may read it: its customer, the staff member who sold it,
    or staff who read every order; anyone else's (or another chain's) is a 404."""
    order = order_selectors.order_for(order_id, customer_id=None)
    user = request.user
    if not has_capability(user, Capability.READ_ALL_ORDERS) and user.pk not in (
        order.customer_id,
        order.sold_by_id,
    ):
        raise NotFound(OrderErrorCode.ORDER_NOT_FOUND, "No such order.")
    return order


class TicketOutput(serializers.ModelSerializer):
    """API.md's ticket: `{id, seat, status, qr}` and more."""

    seat = serializers.IntegerField(source="show_seat_id")
    label = serializers.CharField(source="seat_label")
    qr = serializers.CharField(source="code")
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "seat",
            "label",
            "category",
            "status",
            "serial",
            "qr",
            "checked_in_at",
            "revoke_reason",
            "pdf",
        ]

    def get_pdf(self, ticket: Ticket) -> str:
        return f"/api/v1/tickets/{ticket.pk}/pdf/"


def _pdf(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class OrderTicketsView(APIView):
    permission_classes = [HasCapability]
    capability = {"GET": Capability.READ_ORDERS}

    @extend_schema(responses=TicketOutput(many=True))
    def get(self, request: Request, order_id: str) -> Response:
        order = order_selectors.order_for(order_id, customer_id=_scope(request))
        everything = request.query_params.get("all") == "true" and has_capability(
            request.user, Capability.READ_ALL_ORDERS
        )
        tickets = selectors.order_tickets(order, valid_only=not everything)
        return Response(TicketOutput(tickets, many=True).data)


class OrderTicketsPdfView(APIView):
    """All of an order's valid tickets in one PDF, a page each, shown in the browser
    (`inline`), whose print dialog prints them: the box office's "print tickets"."""

    permission_classes = [HasCapability]
    capability = {"GET": Capability.READ_ORDERS}

    @extend_schema(
        # 404 `order_not_found`: no such order (or someone else's); `no_tickets`: none valid.
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ErrorOutput},
    )
    def get(self, request: Request, order_id: str) -> HttpResponse:
        order = _readable_order(request, order_id)
        tickets = list(selectors.order_tickets(order))
        if not tickets:
            return Response(
                {"detail": "This order has no valid tickets.", "code": "no_tickets"},
                status=status.HTTP_404_NOT_FOUND,
            )
        return _pdf(selectors.order_tickets_pdf(order, tickets), f"tickets-{order.reference}.pdf")


class SendInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=services.Channel.choices)
    to = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "An email address (`email`) or a phone number (`sms`); left out: the "
            "order's own. An order without one gets this one."
        ),
    )


class SendOutput(serializers.Serializer):
    order = serializers.UUIDField()
    channel = serializers.ChoiceField(choices=services.Channel.choices)
    to = serializers.CharField(
        help_text="Where the tickets go, masked: `a***@example.com`, `********2345`."
    )
    status = serializers.ChoiceField(choices=["queued"])
    added_to_order = serializers.BooleanField(
        help_text="The order had no email (or phone) and now has this one."
    )


class OrderTicketsSendView(APIView):
    """Send an order's tickets: `{"channel": "email"}` emails the PDF tickets,
    `{"channel": "sms"}` texts a link to them (`/t/<signed token>/` on the chain's
    host), to `to` or the order's own address or number. Sent after the answer (202)."""

    permission_classes = [HasCapability]
    capability = {"POST": Capability.SEND_TICKETS}

    @extend_schema(
        request=SendInput,
        responses={
            # `destination_missing`, `destination_invalid`, or a bad channel.
            202: SendOutput,
            400: ErrorOutput,
            404: ErrorOutput,
            # `no_tickets`: nothing valid to send (unpaid, refunded or cancelled).
            409: ErrorOutput,
            # `send_limit`: sent 5 times in the last hour; `retry_after` in seconds.
            429: ErrorOutput,
        },
    )
    def post(self, request: Request, order_id: str) -> Response:
        data = SendInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = order_selectors.order_for(order_id, customer_id=None)
        sent = services.order_tickets_send(
            order,
            channel=data.validated_data["channel"],
            to=data.validated_data["to"],
            actor=request.user,
        )
        return Response(
            SendOutput(
                {
                    "order": sent.order.pk,
                    "channel": sent.channel.value,
                    "to": sent.to,
                    "status": "queued",
                    "added_to_order": sent.added_to_order,
                }
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )


class TicketPdfView(APIView):
    """The PDF e-ticket of one ticket."""

    permission_classes = [HasCapability]
    capability = {"GET": Capability.READ_ORDERS}

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, ticket_id: str) -> HttpResponse:
        ticket = selectors.ticket_for(ticket_id, customer_id=_scope(request))
        if ticket.status != Ticket.Status.VALID:
            return Response(
                {"detail": "This ticket is no longer valid.", "code": "ticket_not_valid"},
                status=status.HTTP_410_GONE,
            )
        body = selectors.order_tickets_pdf(ticket.order, [ticket])
        return _pdf(body, f"ticket-{ticket.order.reference}-{ticket.seat_label}.pdf")


class TicketReissueView(APIView):
    """A new code for a ticket (lost or possibly copied); the old one is refused."""

    permission_classes = [HasCapability]
    capability = {"POST": Capability.REISSUE_TICKETS}

    @extend_schema(request=None, responses={201: TicketOutput})
    def post(self, request: Request, ticket_id: str) -> Response:
        ticket = selectors.ticket_for(ticket_id, customer_id=None)
        fresh = services.ticket_reissue(ticket, actor=request.user)
        return Response(TicketOutput(fresh).data, status=status.HTTP_201_CREATED)


class CheckInInput(serializers.Serializer):
    qr = serializers.CharField(max_length=2048, trim_whitespace=True)
    # The door's venue, checked against the ticket's show; left out or null: any venue
    # (the dashboard's scanner page sends null while "Any venue" is chosen).
    venue = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True
    )
    gate = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class CheckInOutput(serializers.Serializer):
    admitted = serializers.BooleanField()
    code = serializers.CharField()
    detail = serializers.CharField()
    ticket = serializers.UUIDField(allow_null=True)
    seat = serializers.CharField(allow_null=True)
    show = serializers.IntegerField(allow_null=True)
    title = serializers.CharField(allow_null=True)
    checked_in_at = serializers.DateTimeField(allow_null=True)


class CheckInView(APIView):
    """`{"qr": payload}` → 200 `{"admitted": true, "ticket", "seat"}` once; a second scan
    409; forged, altered, revoked, other-chain or wrong-day codes 400 or 403, each with
    `code` and `detail`."""

    permission_classes = [HasCapability]
    capability = {"POST": Capability.CHECK_IN}

    @extend_schema(request=CheckInInput, responses=CheckInOutput)
    def post(self, request: Request) -> Response:
        data = CheckInInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        verdict = services.ticket_check_in(
            values["qr"], scanner=request.user, venue_id=values.get("venue"), gate=values["gate"]
        )
        return Response(CheckInOutput(checkin_body(verdict)).data, status=verdict.status)


def checkin_body(verdict: services.Verdict) -> dict[str, Any]:
    ticket = verdict.ticket
    return {
        "admitted": verdict.admitted,
        "code": str(verdict.code),
        "detail": verdict.detail,
        "ticket": str(ticket.pk) if ticket else None,
        "seat": ticket.seat_label if ticket else None,
        "show": ticket.show_id if ticket else None,
        "title": ticket.show.title.name if ticket else None,
        "checked_in_at": ticket.checked_in_at.isoformat()
        if ticket and ticket.checked_in_at
        else None,
    }


class SigningKeyOutput(serializers.Serializer):
    kid = serializers.CharField()
    alg = serializers.CharField()
    public_key = serializers.CharField()
    active = serializers.BooleanField()


class RevokedTicketOutput(serializers.Serializer):
    ticket = serializers.CharField(help_text="The ticket's id, as hex.")
    serial = serializers.IntegerField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()


class CheckInKeysOutput(serializers.Serializer):
    tenant = serializers.CharField()
    format = serializers.CharField()
    keys = SigningKeyOutput(many=True)
    revoked = RevokedTicketOutput(many=True)
    generated_at = serializers.DateTimeField()


class CheckInKeysView(APIView):
    """The chain's Ed25519 public keys and revoked tickets, for offline scanners."""

    permission_classes = [HasCapability]
    capability = {"GET": Capability.CHECK_IN}

    @extend_schema(responses=CheckInKeysOutput)
    def get(self, request: Request) -> Response:
        return Response(CheckInKeysOutput(selectors.checkin_keys()).data)
