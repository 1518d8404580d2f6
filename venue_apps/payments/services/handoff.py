"""Where payments hands a sale over to the layer above it (`venue_apps.sales`).

Payments applies what gateways say to payments and refunds (webhooks, customers'
returns, reconciliation). What that means for the order, its seats and tickets is the
sale's business, which lives above payments and which payments must not import. So the
sale layer registers one handler here when Django starts
(`venue_apps.sales.apps.SalesConfig.ready`), and payments calls it in the same
transaction, with the payment locked:

    payments.services.events.event_apply  ->  sale_handler().payment_captured(...)

One handler, called explicitly (not a signal with any number of receivers): a capture
must end as tickets or a refund, so a missing handler is an error, never a no-op.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from venue_apps.payments.models import Payment


class SaleHandler(Protocol):
    """What the sale does when payments learns something; each returns a short note
    for the event's log row. Called inside payments' transaction, the payment locked."""

    def payment_captured(self, payment: Payment, *, amount: int, currency: str) -> str:
        """Money came in for the payment's order: sell it, or give the money back."""
        ...

    def payment_failed(self, payment: Payment, *, final: bool) -> str:
        """An attempt failed (`final`: the gateway closed it): end the order or not."""
        ...

    def gateway_refund_recorded(self, payment: Payment, *, amount: int, reference: str) -> str:
        """The chain refunded at the gateway itself: record it against the order."""
        ...

    def chain_went_live(self) -> None:
        """The chain switched to live mode: void its test-mode orders (after commit)."""
        ...


_handler: SaleHandler | None = None


def sale_handler_register(handler: SaleHandler) -> None:
    """Install the sale's handler (once, at start-up; again replaces it)."""
    global _handler
    _handler = handler


def sale_handler() -> SaleHandler:
    if _handler is None:
        raise ImproperlyConfigured(
            "No sale handler: add venue_apps.sales to INSTALLED_APPS / TENANT_APPS."
        )
    return _handler
