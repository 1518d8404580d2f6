"""Reconciliation takes turns: payments and refunds that stay stuck (a gateway that never
says an attempt is closed, a refund pending at the gateway for days) never keep the
others from being asked about."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.checkout import checkout, sandbox, seat_ids
from venue_apps.accounts.models import Role
from venue_apps.orders.models import Order
from venue_apps.payments.models import Payment, Refund, SandboxCharge
from venue_apps.payments.services import reconciliation

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(alpha, programme):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    return programme["show"]


@pytest.fixture
def small_batch(monkeypatch):
    """Two a pass instead of 200: the same starvation, with three payments."""
    monkeypatch.setattr(reconciliation, "BATCH", 2)


def test_payments_stuck_at_the_gateway_do_not_starve_a_newer_one(
    alpha, show, customer, small_batch
):
    _, client = customer
    bodies = [checkout(client, show, seat_ids("alpha", show, [label])) for label in ("A1", "A2")]
    lost = checkout(client, show, seat_ids("alpha", show, ["A3"]))
    now = timezone.now()
    with schema_context("alpha"):
        # Two customers still on the payment page (asked about every pass), and one who
        # paid while the webhook was lost: only reconciliation can book their seats.
        for minutes, body in zip((40, 30, 20), [*bodies, lost], strict=True):
            Payment.objects.filter(pk=body["payment"]["id"]).update(
                created_at=now - timedelta(minutes=minutes)
            )
        reference = Payment.objects.get(pk=lost["payment"]["id"]).gateway_reference
        SandboxCharge.objects.filter(reference=reference).update(status="succeeded")

        first = reconciliation.payments_reconcile(now=now)
        second = reconciliation.payments_reconcile(now=now + timedelta(minutes=5))

        assert (first["asked"], first["changed"]) == (2, 0)
        assert (second["asked"], second["changed"]) == (2, 1)
        assert Order.objects.get(pk=lost["id"]).status == "paid"
        assert [Order.objects.get(pk=body["id"]).status for body in bodies] == ["pending"] * 2


def test_refunds_pending_for_long_do_not_starve_one_never_sent(
    alpha, show, customer, as_role, small_batch, monkeypatch
):
    from venue_apps.payments import tasks

    queued: list[str] = []
    monkeypatch.setattr(
        tasks.refund_execute_task, "apply_async", lambda args: queued.append(args[0])
    )
    _, client = customer
    seats = seat_ids("alpha", show, ["B1", "B2", "B3"])
    body = checkout(client, show, seats)
    sandbox(client, body["payment"]["id"], "approve")
    manager = as_role(Role.MANAGER)
    refund_ids = [
        manager.post(
            f"/api/v1/orders/{body['id']}/refunds/", {"seats": [seat]}, format="json"
        ).json()["id"]
        for seat in seats
    ]
    now = timezone.now()
    with schema_context("alpha"):
        # The oldest was never sent (its task was lost with the broker); the two newer
        # ones are pending at the gateway and were asked about many times.
        for minutes, refund_id in zip((50, 40, 30), refund_ids, strict=True):
            Refund.objects.filter(pk=refund_id).update(created_at=now - timedelta(minutes=minutes))
        Refund.objects.filter(pk__in=refund_ids[1:]).update(attempts=12)

        done = reconciliation.payments_reconcile(now=now)

    assert done["refunds_resent"] == 2
    assert queued[0] == refund_ids[0]
