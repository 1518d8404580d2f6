"""The signed link to an order's tickets that an SMS carries: whoever has it may open
the order's PDF tickets on the chain's own host, without an account (a walk-in has
none). The token is the order's id signed with the site's secret, bound to the chain
(its schema is in the salt), so it opens nothing at another chain; the page shows only
tickets still valid, so a refund voids what the link shows."""

from __future__ import annotations

import uuid

from django.core import signing

from tenants.schemas import current_schema_name
from venue_apps.orders.models import Order

LINK_SALT = "tickets.order-link"


def _signer() -> signing.Signer:
    return signing.Signer(salt=f"{LINK_SALT}:{current_schema_name()}")


def order_tickets_token(order: Order) -> str:
    """`<order id as hex>:<signature>`, short enough for a text message."""
    return _signer().sign(uuid.UUID(str(order.pk)).hex)


def order_tickets_token_order_id(token: str) -> uuid.UUID | None:
    """The order a token is for, or None if it is not one of this chain's."""
    try:
        return uuid.UUID(hex=_signer().unsign(token))
    except (signing.BadSignature, ValueError):
        return None
