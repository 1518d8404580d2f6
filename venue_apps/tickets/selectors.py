"""Reads of tickets: an order's tickets, their printable pages, keys for scanners."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from tenants.error_codes import NotFound
from tenants.money import money
from tenants.schemas import current_schema_name
from tenants.selectors import tenant_current
from venue_apps.orders.models import Order, OrderLine
from venue_apps.payments.selectors import payments_live
from venue_apps.tickets.error_codes import TicketErrorCode
from venue_apps.tickets.models import SigningKey, Ticket
from venue_apps.tickets.pdf import TicketPage, tickets_pdf

# Revoked codes are listed for offline scanners until their show is this long over.
REVOCATIONS_KEPT = timedelta(days=1)


def order_tickets(order: Order, *, valid_only: bool = True) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(order=order).select_related("show_seat")
    if valid_only:
        tickets = tickets.filter(status=Ticket.Status.VALID)
    return tickets.order_by("order_line_id", "-serial")


def ticket_for(ticket_id: Any, *, customer_id: int | None) -> Ticket:
    """A ticket; a customer's own only (`customer_id`), anyone's for staff (None)."""
    tickets = Ticket.objects.select_related("order", "show")
    if customer_id is not None:
        tickets = tickets.filter(order__customer_id=customer_id)
    ticket = tickets.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(TicketErrorCode.TICKET_NOT_FOUND, "No such ticket.")
    return ticket


def ticket_pages(order: Order, tickets: list[Ticket]) -> list[TicketPage]:
    tenant = tenant_current()
    show = order.show
    zone = show.venue.zone
    starts = show.starts_at.astimezone(zone)
    title = show.title
    details = " · ".join(
        part
        for part in (
            show.get_format_display() if show.format else "",
            show.audio_language.upper() if show.audio_language else "",
            title.certificate,
        )
        if part
    )
    # Numbered within the whole order, even when one ticket is printed alone.
    numbers = {
        ticket_id: index
        for index, ticket_id in enumerate(order_tickets(order).values_list("pk", flat=True), 1)
    }
    # Each seat's own money (price less discount, with its fee and added taxes): a
    # ticket is handed on alone, and must not tell its holder what the whole order cost.
    seat_totals = dict(
        OrderLine.objects.filter(pk__in={ticket.order_line_id for ticket in tickets}).values_list(
            "pk", "total"
        )
    )
    logo: str | bytes | None = None
    if tenant.logo:
        try:
            logo = tenant.logo.path
        except NotImplementedError:  # a bucket: the image itself
            try:
                with tenant.logo.open("rb") as image:
                    logo = image.read()
            except Exception:  # the bucket failed us: the ticket prints without the logo
                logo = None
        except ValueError:
            logo = None
    return [
        TicketPage(
            brand=tenant.brand_name,
            primary_colour=tenant.primary_colour,
            accent_colour=tenant.accent_colour,
            logo_path=logo,
            title=title.name,
            details=details,
            day=f"{starts:%A} {starts.day} {starts:%B %Y}",
            time=f"{starts:%H:%M}",
            venue=show.venue.name,
            auditorium=show.auditorium.name,
            seat=ticket.seat_label,
            category=ticket.category.replace("_", " ").title(),
            reference=order.reference,
            holder=order.name or order.email or "",
            # The PDF's font has no rupee sign: the ISO code reads the same everywhere.
            paid=_paid(seat_totals.get(ticket.order_line_id, 0), order.currency),
            code=ticket.code,
            position=f"Ticket {numbers.get(ticket.pk, 1)} of {len(numbers) or 1}",
        )
        for ticket in tickets
    ]


def _paid(amount: int, currency: str) -> str:
    return money(amount, currency, symbol=False) if amount else "Free"


def order_tickets_pdf(order: Order, tickets: list[Ticket] | None = None) -> bytes:
    """The order's e-tickets as one PDF (or only `tickets`)."""
    order = Order.objects.select_related("show__title", "show__venue", "show__auditorium").get(
        pk=order.pk
    )
    tickets = tickets if tickets is not None else list(order_tickets(order))
    return tickets_pdf(ticket_pages(order, tickets), title=f"Tickets {order.reference}")


def checkin_keys() -> dict[str, Any]:
    """What an offline scanner needs: the chain's public keys and the codes revoked for
    shows not yet over (with, once the chain is live, its test-mode tickets)."""
    keys = [
        {
            "kid": key.kid,
            "alg": "Ed25519",
            "public_key": key.public_key,
            "active": key.is_active,
        }
        for key in SigningKey.objects.filter(compromised_at__isnull=True).order_by("-created_at")
    ]
    revoked = list(
        Ticket.objects.filter(
            status=Ticket.Status.REVOKED,
            show__ends_at__gte=timezone.now() - REVOCATIONS_KEPT,
        )
        .order_by("revoked_at")
        .values("id", "serial", "revoked_at", "revoke_reason")
    )
    if payments_live():
        # Test-mode tickets admit nobody once the chain is live (check-in refuses them
        # as `test_ticket`); until the sweep voids their orders, they are listed here.
        revoked += [
            {**row, "revoked_at": None, "revoke_reason": "test_ticket"}
            for row in Ticket.objects.filter(
                status=Ticket.Status.VALID,
                order__test_mode=True,
                show__ends_at__gte=timezone.now() - REVOCATIONS_KEPT,
            )
            .order_by("issued_at", "id")
            .values("id", "serial")
        ]
    return {
        "tenant": current_schema_name(),
        "format": "TK1.<base64url JSON>.<base64url Ed25519 signature over 'TK1.<payload>'>",
        "keys": keys,
        "revoked": [
            {
                "ticket": row["id"].hex,
                "serial": row["serial"],
                "revoked_at": row["revoked_at"].isoformat() if row["revoked_at"] else None,
                "reason": row["revoke_reason"],
            }
            for row in revoked
        ],
        "generated_at": timezone.now().isoformat(),
    }
