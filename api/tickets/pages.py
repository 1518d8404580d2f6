"""The page an SMS's link opens: an order's valid tickets as one PDF, on the chain's own
host, for whoever holds the signed link (a walk-in has no account to sign in with).
A bad, altered or other chain's link, or an order with no valid tickets left (refunded,
cancelled), is a 404: the link reveals nothing."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from venue_apps.orders.models import Order
from venue_apps.tickets import selectors
from venue_apps.tickets.links import order_tickets_token_order_id


@require_GET
def order_tickets_link(request: HttpRequest, token: str) -> HttpResponse:
    order_id = order_tickets_token_order_id(token)
    order = (
        Order.objects.select_related("show__title", "show__venue", "show__auditorium")
        .filter(pk=order_id)
        .first()
        if order_id
        else None
    )
    tickets = list(selectors.order_tickets(order)) if order else []
    if not tickets:
        raise Http404("No such tickets.")
    response = HttpResponse(
        selectors.order_tickets_pdf(order, tickets), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="tickets-{order.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    # The link is the key: never sent on to another site.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
