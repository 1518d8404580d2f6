"""A chain's own email wording cannot harm the workers every chain shares, and an email
whose attempts keep killing workers is given up (issue 13, item 1)."""

from __future__ import annotations

import html
import importlib
import logging
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.test_tickets import _paid
from tests.test_tickets_dashboard import signed_in
from venue_apps.accounts.models import Role
from venue_apps.tickets.models import EmailTemplate, TicketDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(alpha, programme):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    return programme["show"]


def _add(client, **fields):
    return client.post(
        "/dashboard/tickets/emailtemplate/add/",
        {"kind": "tickets", "is_active": "on", **fields},
    )


def test_a_manager_cannot_save_wording_that_would_stall_every_chains_workers(alpha, make_user):
    # An attacker with a chain's manager account could save a filter that builds
    # gigabytes, or nested loops that burn CPU, in the Celery workers every chain shares:
    # each tickets email would then stall or kill a worker, for all chains.
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))

    saved = _add(
        manager,
        subject='{{ brand|ljust:"900000000" }}',
        body="{% for a in seats %}{% for b in seats %}{{ a }}{{ b }}{% endfor %}{% endfor %}",
    )

    page = html.unescape(saved.content.decode())
    assert saved.status_code == 200
    assert (
        '{{ brand|ljust:"900000000" }} (line 1): filters (the | part) are not supported; '
        "write {{ brand }} alone."
    ) in page
    assert (
        "{% for a in seats %} (line 1): tags ({% ... %}) are not supported; only placeholders are."
    ) in page
    with schema_context(alpha.schema_name):
        assert not EmailTemplate.objects.exists()


def test_wording_too_long_for_the_largest_order_is_refused_when_saved(alpha, make_user):
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))

    saved = _add(manager, subject="{{ title }}", body="{{ title }}{{ venue }}" * 200)

    assert saved.status_code == 200
    assert "the email would be longer than 50,000 characters" in saved.content.decode()
    with schema_context(alpha.schema_name):
        assert not EmailTemplate.objects.exists()


def test_wording_with_placeholders_is_saved_in_the_dashboard_and_sent(
    alpha, show, customer, make_user, tasks_inline, django_capture_on_commit_callbacks
):
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))
    saved = _add(
        manager,
        subject="{{brand}} · {{ title }}",
        body="Dear {{ customer_name }},\nseats {{ seats }} ({{ total }}).\n{{ brand }}",
    )
    assert saved.status_code == 302, saved.content[:500]
    _, client = customer
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _paid(client, show, ["C3"])

    (message,) = mail.outbox
    assert message.subject == "Alpha Cinemas · The Monsoon Heist"
    assert message.body.startswith("Dear Test customer,\nseats C3 (")
    listed = manager.get("/dashboard/tickets/emailtemplate/").content.decode()
    assert '<td class="field-in_use">Yes</td>' in listed


def test_wording_stored_before_placeholders_is_never_run_as_a_template(
    alpha, show, customer, make_user, tasks_inline, django_capture_on_commit_callbacks, caplog
):
    # Wording saved while the dashboard still took Django templates: an attacker's
    # template must not run in a worker however it got into the database.
    with schema_context(alpha.schema_name):
        EmailTemplate.objects.create(
            kind="tickets",
            subject="{{ title }}",
            body='{{ brand|ljust:"3000000" }}{% for a in seats %}{% for b in seats %}'
            "{{ a }}{% endfor %}{% endfor %}{{ order.customer.password }}",
        )
    _, client = customer
    mail.outbox.clear()

    with (
        caplog.at_level(logging.WARNING, logger="venue_apps.tickets.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _paid(client, show, ["C4"])

    (message,) = mail.outbox
    assert message.subject.startswith("Alpha Cinemas: your tickets for The Monsoon Heist")
    assert "Seats: C4" in message.body  # the default wording
    assert len(message.body) < 2_000
    assert "argon2" not in message.body
    assert "the chain's tickets email template cannot be used" in caplog.text
    # The dashboard says why the chain's wording is not sent, and what to change.
    manager = signed_in(alpha, make_user(alpha, role=Role.MANAGER))
    listed = html.unescape(manager.get("/dashboard/tickets/emailtemplate/").content.decode())
    assert "No, the default goes: {{ brand|ljust:" in listed


def test_the_migration_keeps_copies_of_the_default_wording_working(alpha):
    migration = importlib.import_module(
        "venue_apps.tickets.migrations.0004_email_template_placeholders"
    )
    from django.apps import apps

    from venue_apps.tickets.notifications import email_template_problems

    with schema_context(alpha.schema_name):
        copied = EmailTemplate.objects.create(
            kind="tickets",
            subject="{{ brand|safe }}: {{ title }}",
            body="{% autoescape off %}Hi {{ customer_name|safe }},{# our note #}\n"
            "seats {{ seats }}{% endautoescape %}",
        )
        migration.forwards(apps, None)
        copied.refresh_from_db()

        assert (copied.subject, copied.body) == (
            "{{ brand }}: {{ title }}",
            "Hi {{ customer_name }},\nseats {{ seats }}",
        )
        assert email_template_problems("tickets", subject=copied.subject, body=copied.body) == {}


def test_the_migration_leaves_wording_it_cannot_keep_as_the_chain_wrote_it(alpha):
    migration = importlib.import_module(
        "venue_apps.tickets.migrations.0004_email_template_placeholders"
    )
    from django.apps import apps

    with schema_context(alpha.schema_name):
        written = EmailTemplate.objects.create(
            kind="tickets",
            subject="{{ title|upper }}",
            body="Hello{% if customer_name %} {{ customer_name }}{% endif %}",
        )
        migration.forwards(apps, None)

        assert EmailTemplate.objects.values_list("subject", "body").get() == (
            written.subject,
            written.body,
        )


# --- an email that kills workers --------------------------------------------------------


class WorkerKilled(BaseException):
    """What the operating system does to a worker that ate all memory: nothing after it
    runs, not even the task's error handling."""


def test_a_tickets_email_whose_attempts_kill_workers_is_given_up(alpha, show, customer, caplog):
    # An attacker who makes a chain's tickets email kill its worker (a template, a
    # poster, a font that blows up) would otherwise have it handed from worker to worker
    # (acks_late, reject_on_worker_lost) and re-queued by the sweep every ten minutes.
    from venue_apps.tickets import notifications

    _, client = customer
    order_id = _paid(client, show, ["C5"])["id"]  # the task never ran (no commit)
    killing = mock.patch.object(
        notifications, "order_tickets_pdf", autospec=True, side_effect=WorkerKilled
    )
    start = timezone.now()

    with schema_context(alpha.schema_name), killing as pdf:
        with time_machine.travel(start + timedelta(minutes=11), tick=False):
            assert notifications.tickets_unsent() == [order_id]
            with pytest.raises(WorkerKilled):
                notifications.tickets_email(order_id)
            # Celery hands the message straight to the next worker: it is not run.
            assert notifications.tickets_email(order_id) == "in progress"
            assert notifications.tickets_unsent() == []
        with time_machine.travel(start + timedelta(minutes=22), tick=False):
            # The sweep tries once more (the first death may have been a restart).
            assert notifications.tickets_unsent() == [order_id]
            with pytest.raises(WorkerKilled):
                notifications.tickets_email(order_id)
        with (
            time_machine.travel(start + timedelta(minutes=33), tick=False),
            caplog.at_level(logging.ERROR, logger="tenants.deliveries"),
        ):
            assert notifications.tickets_unsent() == [order_id]
            assert notifications.tickets_email(order_id) == "given up"
            assert notifications.tickets_unsent() == []
            assert notifications.tickets_email(order_id) == "given up"

        delivery = TicketDelivery.objects.get(order_id=order_id)
    assert pdf.call_count == 2
    assert (delivery.attempts, delivery.crashes, delivery.emailed_at) == (2, 2, None)
    assert delivery.given_up_at is not None
    assert "given up after 2 attempts (2 never finished)" in caplog.text


def test_a_failing_mail_server_is_not_a_crash_and_the_email_goes_when_it_is_back(
    alpha, show, customer
):
    import smtplib

    from venue_apps.tickets import notifications

    _, client = customer
    order_id = _paid(client, show, ["C6"])["id"]
    mail.outbox.clear()
    with schema_context(alpha.schema_name):
        with (
            mock.patch(
                "django.core.mail.backends.locmem.EmailBackend.send_messages",
                side_effect=smtplib.SMTPServerDisconnected("gone"),
            ),
            pytest.raises(smtplib.SMTPServerDisconnected),
        ):
            notifications.tickets_email(order_id)
        failed = TicketDelivery.objects.get(order_id=order_id)

        assert notifications.tickets_email(order_id) == "sent"
        assert notifications.tickets_email(order_id) == "sent"  # a duplicate: not again

        sent = TicketDelivery.objects.get(order_id=order_id)
    assert (failed.attempts, failed.crashes, failed.last_error) == (1, 0, "gone")
    assert failed.attempt_started_at is None
    assert (sent.attempts, sent.crashes, sent.last_error) == (2, 0, "")
    assert sent.emailed_at is not None
    assert len(mail.outbox) == 1


def test_reissued_tickets_are_owed_again_with_fresh_attempts(alpha, show, customer):
    from venue_apps.orders.models import Order
    from venue_apps.tickets import notifications
    from venue_apps.tickets.services import tickets_email_on_commit

    _, client = customer
    order_id = _paid(client, show, ["C7"])["id"]
    with schema_context(alpha.schema_name):
        assert notifications.tickets_email(order_id) == "sent"

        tickets_email_on_commit(Order.objects.get(pk=order_id))  # say, after a re-issue

        again = TicketDelivery.objects.get(order_id=order_id)
        assert (again.emailed_at, again.attempts) == (None, 0)
        assert notifications.tickets_email(order_id) == "sent"
