"""Customers' notices of cancellations and refunds: recorded with the change they tell
of, sent after commit, and swept like the tickets email when the queue lost them
(issue 13, item 11)."""

from __future__ import annotations

import logging
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.test_email_wording import WorkerKilled
from tests.test_refunds import _paid, _show_starts_in
from tests.test_refunds import show as show
from venue_apps.accounts.models import Role
from venue_apps.orders.models import OrderNotice
from venue_apps.payments.models import Refund

pytestmark = pytest.mark.django_db


def broker_down():
    """Sending a notice's task fails as it does when Redis is down (it is logged and
    the request carries on: tenants.queue)."""
    return mock.patch(
        "venue_apps.orders.tasks.order_notice_send.apply_async",
        side_effect=ConnectionError("redis is down"),
    )


def test_a_cancellation_notice_the_broker_lost_is_sent_by_the_sweep(
    show, customer, tasks_inline, django_capture_on_commit_callbacks
):
    from venue_apps.orders.tasks import order_notices_sweep

    _, client = customer
    body = _paid(client, show, ["A3"])
    _show_starts_in(show, 72)
    mail.outbox.clear()

    with broker_down() as send, django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(f"/api/v1/orders/{body['id']}/cancel/")

    assert cancelled.status_code == 200, cancelled.content
    assert send.call_count == 1
    assert mail.outbox == []
    with schema_context("alpha"):
        (notice,) = OrderNotice.objects.all()
        assert (str(notice.order_id), notice.kind, notice.emailed_at) == (
            body["id"],
            "cancelled",
            None,
        )
        assert order_notices_sweep() == 0  # the queue may still have it: not yet
        with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
            assert order_notices_sweep() == 1
            assert order_notices_sweep() == 0
        notice.refresh_from_db()

    (message,) = mail.outbox
    assert message.subject == f"Alpha Cinemas: Your booking {body['reference']} is cancelled"
    assert message.to == [body["email"]]
    assert (notice.attempts, notice.last_error) == (1, "")
    assert notice.emailed_at is not None


def test_each_refund_notice_is_recorded_and_sent_once(
    show, customer, as_role, tasks_inline, django_capture_on_commit_callbacks
):
    from venue_apps.orders.tasks import order_notices_sweep

    _, client = customer
    body = _paid(client, show, ["A4", "A5"])
    manager = as_role(Role.MANAGER)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = manager.post(
            f"/api/v1/orders/{body['id']}/refunds/", {"amount": 100}, format="json"
        )
        second = manager.post(
            f"/api/v1/orders/{body['id']}/refunds/", {"amount": 200}, format="json"
        )

    assert (first.status_code, second.status_code) == (201, 201)
    with schema_context("alpha"):
        kinds = [
            (notice.kind, notice.emailed_at is not None) for notice in OrderNotice.objects.all()
        ]
        with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
            assert order_notices_sweep() == 0
    assert kinds == [("refund", True), ("refund", True)]
    assert [message.subject for message in mail.outbox] == [
        f"Alpha Cinemas: A refund on your booking {body['reference']}"
    ] * 2


def test_a_refused_refund_records_no_notice(show, customer, as_role):
    _, client = customer
    body = _paid(client, show, ["A6"])
    manager = as_role(Role.MANAGER)

    refused = manager.post(
        f"/api/v1/orders/{body['id']}/refunds/", {"amount": body["total"] + 1}, format="json"
    )

    assert refused.status_code in (400, 409), refused.content
    with schema_context("alpha"):
        assert not OrderNotice.objects.exists()
        assert not Refund.objects.exists()


def test_a_notice_whose_attempts_kill_workers_is_given_up_and_never_swept_again(
    show, customer, as_role, caplog
):
    from venue_apps.orders import notifications
    from venue_apps.orders.tasks import order_notices_sweep

    _, client = customer
    body = _paid(client, show, ["A7"])
    manager = as_role(Role.MANAGER)
    assert manager.post(
        f"/api/v1/orders/{body['id']}/refunds/", {"amount": 100}, format="json"
    ).status_code == (201)
    start = timezone.now()
    with (
        schema_context("alpha"),
        mock.patch.object(notifications, "order_email", side_effect=WorkerKilled) as email,
        mock.patch("venue_apps.orders.tasks.order_notice_send.apply_async") as queued,
    ):
        (notice,) = OrderNotice.objects.all()
        for minutes in (11, 22):
            with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
                assert notifications.order_notices_owed() == [notice.pk]
                with pytest.raises(WorkerKilled):
                    notifications.order_notice_email(notice.pk)
                assert notifications.order_notice_email(notice.pk) == "in progress"
        with (
            time_machine.travel(start + timedelta(minutes=33), tick=False),
            caplog.at_level(logging.ERROR, logger="tenants.deliveries"),
        ):
            assert order_notices_sweep() == 1
            assert notifications.order_notice_email(notice.pk) == "given up"
            assert order_notices_sweep() == 0
        notice.refresh_from_db()

    assert email.call_count == 2
    assert queued.call_count == 1
    assert (notice.attempts, notice.crashes, notice.emailed_at) == (2, 2, None)
    assert "given up after 2 attempts (2 never finished)" in caplog.text


def test_a_notice_queued_by_the_previous_release_is_still_sent(show, customer):
    from venue_apps.orders.tasks import order_email_send

    _, client = customer
    body = _paid(client, show, ["A8"])
    mail.outbox.clear()

    with schema_context("alpha"):
        sent = order_email_send.apply(args=[body["id"], "refund"]).get()

    assert sent == "sent"
    assert [message.to for message in mail.outbox] == [[body["email"]]]
