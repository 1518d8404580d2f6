"""The sale's side of `payments.services.handoff`: what payments calls, inside its
transaction with the payment locked, when a gateway reports on a payment or refund.
Registered once in `SalesConfig.ready`."""

from __future__ import annotations

from tenants.queue import task_enqueue_on_commit
from venue_apps.payments.models import Payment
from venue_apps.sales import cancellation, settlement

TEST_ORDERS_VOID_TASK = "venue_apps.sales.tasks.test_orders_void_task"


class SaleEvents:
    """Implements `payments.services.handoff.SaleHandler`."""

    def payment_captured(self, payment: Payment, *, amount: int, currency: str) -> str:
        return settlement.payment_captured(payment, amount=amount, currency=currency)

    def payment_failed(self, payment: Payment, *, final: bool) -> str:
        return settlement.payment_failed(payment, final=final)

    def gateway_refund_recorded(self, payment: Payment, *, amount: int, reference: str) -> str:
        return cancellation.gateway_refund_record(payment, amount=amount, reference=reference)

    def chain_went_live(self) -> None:
        task_enqueue_on_commit(TEST_ORDERS_VOID_TASK)
