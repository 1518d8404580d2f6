"""A show's cancellation runs in the background and counts its progress."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tests.checkout import checkout, sandbox, seat_ids
from venue_apps.accounts.models import Role
from venue_apps.orders.models import Order
from venue_apps.payments.models import Refund
from venue_apps.sales.cancellation import show_cancellation_run
from venue_apps.sales.models import ShowCancellation
from venue_apps.shows.models import Show

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(alpha, programme):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    return programme["show"]


def _paid(client, show, labels) -> dict:
    body = checkout(client, show, seat_ids("alpha", show, labels))
    assert sandbox(client, body["payment"]["id"], "approve").json()["order_status"] == "paid"
    return body


def test_the_request_cancels_the_show_and_leaves_the_orders_to_the_task(
    show, customer, as_role, django_capture_on_commit_callbacks
):
    _, client = customer
    paid = _paid(client, show, ["A1"])
    manager = as_role(Role.MANAGER)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = manager.post(f"/api/v1/shows/{show.pk}/cancel-and-refund/")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert {key: body[key] for key in ("status", "orders_total", "orders_done")} == {
        "status": "queued",
        "orders_total": 1,
        "orders_done": 0,
    }
    # The task is sent after commit (with the cache bumps of the cancelled show).
    assert [callback.__qualname__ for callback in queued].count(
        "task_enqueue_on_commit.<locals>.send"
    ) == 1
    with schema_context("alpha"):
        assert Show.objects.get(pk=show.pk).status == "cancelled"  # nothing more is sold
        assert Order.objects.get(pk=paid["id"]).status == "paid"  # not yet settled
        assert not Refund.objects.exists()


def test_the_task_settles_the_orders_and_a_second_run_changes_nothing(
    show, customer, as_role, django_capture_on_commit_callbacks
):
    _, client = customer
    paid = _paid(client, show, ["A2"])
    manager = as_role(Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=False):
        run_id = manager.post(f"/api/v1/shows/{show.pk}/cancel-and-refund/").json()["id"]

    with schema_context("alpha"):
        first = show_cancellation_run(run_id)
        second = show_cancellation_run(run_id)
        refunds = list(Refund.objects.values_list("order_id", "reason"))
        order_status = Order.objects.get(pk=paid["id"]).status
    progress = manager.get(f"/api/v1/shows/{show.pk}/cancel-and-refund/").json()

    assert (first.status, first.orders_done, first.refunded_orders) == ("done", 1, 1)
    assert (second.orders_done, second.refunded_orders) == (1, 1)
    assert [(str(order), reason) for order, reason in refunds] == [(paid["id"], "show_cancelled")]
    assert order_status == "refunded"
    assert {key: progress[key] for key in ("id", "status", "orders_done", "refunded_orders")} == {
        "id": run_id,
        "status": "done",
        "orders_done": 1,
        "refunded_orders": 1,
    }


def test_a_run_picks_up_only_what_is_left(
    show, customer, as_role, django_capture_on_commit_callbacks
):
    _, client = customer
    _paid(client, show, ["A3"])
    manager = as_role(Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=False):
        first = manager.post(f"/api/v1/shows/{show.pk}/cancel-and-refund/").json()["id"]
    with schema_context("alpha"):
        show_cancellation_run(first)

    with django_capture_on_commit_callbacks(execute=False):
        again = manager.post(f"/api/v1/shows/{show.pk}/cancel-and-refund/").json()

    assert (again["orders_total"], again["id"] != first) == (0, True)
    with schema_context("alpha"):
        assert show_cancellation_run(again["id"]).refunded_orders == 0
        assert ShowCancellation.objects.count() == 2
        assert Refund.objects.count() == 1


def test_progress_of_a_show_never_cancelled_is_a_404(show, as_role):
    answer = as_role(Role.MANAGER).get(f"/api/v1/shows/{show.pk}/cancel-and-refund/")

    assert answer.status_code == 404
    assert answer.json()["code"] == "cancellation_not_found"
