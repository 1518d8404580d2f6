"""Sending an order's tickets from the box office: `POST /api/v1/orders/{id}/send/` by
email (the PDF tickets) or by SMS (a signed link to them), throttled per order, audited
with the destination masked."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context
from pypdf import PdfReader

from tests.checkout import checkout, seat_ids
from tests.fixtures import obtain_tokens
from tests.test_order_lookup import sell
from venue_apps.accounts.models import Role
from venue_apps.audit.models import AuditEntry
from venue_apps.orders.models import Order
from venue_apps.tickets import sms
from venue_apps.tickets.models import TextMessage

pytestmark = pytest.mark.django_db

PHONE = "+91 98450-12345"
DIGITS = "919845012345"


@pytest.fixture
def show(alpha, programme):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    return programme["show"]


@pytest.fixture
def box(as_role):
    return as_role(Role.BOX_OFFICE)


@pytest.fixture(autouse=True)
def _empty_outboxes():
    sms.outbox.clear()
    mail.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def send(box, tasks_inline, django_capture_on_commit_callbacks):
    """POST the send as the box office, running what it queues (after commit) here."""

    def post(order_id: str, client=None, **body):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or box).post(f"/api/v1/orders/{order_id}/send/", body, format="json")

    return post


def sent_rows(order_id: str) -> list[dict]:
    with schema_context("alpha"):
        return list(
            AuditEntry.objects.filter(action="order.tickets_sent", target_id=order_id)
            .order_by("created_at")
            .values("actor_role", "details")
        )


def order_row(order_id: str) -> Order:
    with schema_context("alpha"):
        return Order.objects.get(pk=order_id)


def test_email_sends_the_pdf_tickets_to_the_orders_email(box, show, send):
    sale = sell(box, show, ["A5", "A6"], name="Asha Raman", email="asha@example.com")
    mail.outbox.clear()

    response = send(sale["id"], channel="email")

    assert response.status_code == 202, response.content
    assert response.json() == {
        "order": sale["id"],
        "channel": "email",
        "to": "a***@example.com",
        "status": "queued",
        "added_to_order": False,
    }
    (message,) = mail.outbox
    assert message.to == ["asha@example.com"]
    ((filename, content, _),) = message.attachments
    assert filename == f"tickets-{sale['reference']}.pdf"
    assert len(PdfReader(io.BytesIO(content)).pages) == 2
    assert sent_rows(sale["id"]) == [
        {
            "actor_role": "box_office",
            "details": {"channel": "email", "to": "a***@example.com", "added_to_order": False},
        }
    ]


def test_email_to_another_address_leaves_the_orders_own(box, show, send):
    sale = sell(box, show, ["A5"], name="Asha Raman", email="asha@example.com")
    mail.outbox.clear()

    response = send(sale["id"], channel="email", to="friend@example.org")

    assert response.status_code == 202
    assert [message.to for message in mail.outbox] == [["friend@example.org"]]
    assert order_row(sale["id"]).email == "asha@example.com"


def test_an_order_without_an_email_gets_the_one_given(box, show, send):
    sale = sell(box, show, ["A5"], name="Walk In")

    response = send(sale["id"], channel="email", to="walkin@example.com")

    assert response.json()["added_to_order"] is True
    assert [message.to for message in mail.outbox] == [["walkin@example.com"]]
    assert order_row(sale["id"]).email == "walkin@example.com"


def test_sms_texts_a_signed_link_that_opens_the_tickets(alpha, api, box, show, send, caplog):
    sale = sell(box, show, ["B5", "B6"], name="Walk In")
    caplog.set_level(logging.DEBUG)

    response = send(sale["id"], channel="sms", to=PHONE)

    assert response.status_code == 202, response.content
    assert response.json()["to"] == "********2345"
    assert response.json()["added_to_order"] is True
    (message,) = sms.outbox
    assert message.to == PHONE
    assert message.body.startswith("Alpha Cinemas: your 2 tickets for The Monsoon Heist, Mon 7 Dec")
    assert f"booking {sale['reference']}: http://alpha." in message.body
    assert len(message.body) <= 200
    link = re.search(r"https?://[^/]+(/t/[^ ]+/)$", message.body).group(1)
    opened = api(alpha).get(link)
    assert opened.status_code == 200
    assert opened["Content-Type"] == "application/pdf"
    assert opened["Content-Disposition"].startswith("inline;")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(opened.content)).pages]
    assert [("SEAT\nB5 " in page, "SEAT\nB6 " in page) for page in pages] == [
        (True, False),
        (False, True),
    ]
    assert order_row(sale["id"]).phone == PHONE
    (row,) = sent_rows(sale["id"])
    assert row["details"] == {"channel": "sms", "to": "********2345", "added_to_order": True}
    # The number is never logged in full, however it is written.
    assert DIGITS not in caplog.text.replace(" ", "").replace("-", "").replace("+", "")


def test_sms_goes_to_the_orders_phone_when_no_number_is_given(box, show, send):
    sale = sell(box, show, ["B5"], name="Walk In", phone="020 7946 0958")

    response = send(sale["id"], channel="sms")

    assert response.json()["added_to_order"] is False
    assert [message.to for message in sms.outbox] == ["020 7946 0958"]


def test_the_default_backend_records_the_sms_in_the_chains_outbox(box, show, send, settings):
    settings.SMS_BACKEND = "venue_apps.tickets.sms.OutboxBackend"
    sale = sell(box, show, ["B5"], name="Walk In")

    send(sale["id"], channel="sms", to=PHONE)

    with schema_context("alpha"):
        rows = list(TextMessage.objects.values("to", "order_id", "body"))
    with schema_context("beta"):
        assert not TextMessage.objects.exists()
    assert [(row["to"], str(row["order_id"])) for row in rows] == [(PHONE, sale["id"])]
    assert sale["reference"] in rows[0]["body"]


def test_the_console_backend_prints_the_message_with_the_number_masked(capsys):
    sms.ConsoleBackend().send_messages([sms.SmsMessage(to=PHONE, body="Your tickets: link")])

    printed = capsys.readouterr().out
    assert "SMS to ********2345" in printed
    assert "Your tickets: link" in printed
    assert "98450" not in printed


def test_the_sms_task_runs_in_the_chains_schema(box, show):
    from venue_apps.tickets.tasks import order_tickets_sms_send

    sale = sell(box, show, ["B5"], name="Walk In")

    with schema_context("alpha"):
        result = order_tickets_sms_send.apply(args=[sale["id"], PHONE])

    assert result.get() == "sent"
    assert [message.order_id for message in sms.outbox] == [order_row(sale["id"]).pk]


@pytest.mark.parametrize(
    "body, code",
    [
        ({"channel": "email", "to": "not-an-email"}, "destination_invalid"),
        ({"channel": "sms", "to": "12ab34"}, "destination_invalid"),
        ({"channel": "sms", "to": "123"}, "destination_invalid"),
        ({"channel": "sms", "to": "+1 234 567 890 123 456"}, "destination_invalid"),
        ({"channel": "sms"}, "destination_missing"),
        ({"channel": "email"}, "destination_missing"),
        ({"channel": "pigeon"}, None),
        ({}, None),
    ],
)
def test_bad_destinations_are_a_400_and_change_nothing(box, show, send, body, code):
    sale = sell(box, show, ["B5"], name="Walk In")
    mail.outbox.clear()

    response = send(sale["id"], **body)

    assert response.status_code == 400, response.content
    if code:
        assert response.json()["code"] == code
    assert response.json()["detail"]
    assert (mail.outbox, sms.outbox, sent_rows(sale["id"])) == ([], [], [])
    assert (order_row(sale["id"]).email, order_row(sale["id"]).phone) == ("", "")


def test_sending_is_throttled_per_order(box, show, send):
    sale = sell(box, show, ["B5"], name="Walk In")
    other = sell(box, show, ["B6"], name="Someone Else")

    answers = [send(sale["id"], channel="sms", to=PHONE).status_code for _ in range(6)]
    refused = send(sale["id"], channel="sms", to=PHONE)

    assert answers == [202] * 5 + [429]
    assert refused.status_code == 429
    assert refused.json()["code"] == "send_limit"
    assert "5 times in the last hour" in refused.json()["detail"]
    assert 3000 < refused.json()["retry_after"] <= 3601
    assert len(sms.outbox) == 5
    assert len(sent_rows(sale["id"])) == 5
    # Another order is not held back.
    assert send(other["id"], channel="sms", to=PHONE).status_code == 202


def test_an_unpaid_order_has_nothing_to_send(box, show, send):
    pending = checkout(box, show, seat_ids("alpha", show, ["C5"]), name="Walk In")

    response = send(pending["id"], channel="sms", to=PHONE)

    assert (response.status_code, response.json()["code"]) == (409, "no_tickets")
    assert sms.outbox == []


def test_who_may_send(as_role, customer, show, box, send):
    sale = sell(box, show, ["B5"], name="Walk In")
    _, client = customer

    answers = {
        role: send(sale["id"], client=as_role(role), channel="sms", to=PHONE).status_code
        for role in (Role.MANAGER, Role.OWNER, Role.SCANNER)
    }
    answers["customer"] = send(sale["id"], client=client, channel="sms", to=PHONE).status_code

    assert answers == {Role.MANAGER: 202, Role.OWNER: 202, Role.SCANNER: 403, "customer": 403}


def test_another_chains_order_cannot_be_sent(api, beta, make_user, box, show, send):
    sale = sell(box, show, ["B5"], name="Walk In")
    client = api(beta)
    owner = make_user(beta, role=Role.OWNER)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, owner.email)['access']}")

    response = send(sale["id"], client=client, channel="sms", to=PHONE)

    assert (response.status_code, response.json()["code"]) == (404, "order_not_found")
    assert sms.outbox == []


def test_a_link_altered_of_another_chain_or_of_refunded_tickets_opens_nothing(
    alpha, beta, api, box, show, send, manager
):
    sale = sell(box, show, ["B5"], name="Walk In")
    send(sale["id"], channel="sms", to=PHONE)
    link = re.search(r"(/t/[^ ]+/)$", sms.outbox[0].body).group(1)
    order_hex, signature = link[3:-1].split(":")

    assert api(alpha).get(link).status_code == 200
    assert api(beta).get(link).status_code == 404
    assert api(alpha).get(f"/t/{order_hex}:{signature[:-2]}xx/").status_code == 404
    # Another order's id: the last hex digit changed (to "1" when it was "0" already).
    other = "1" if order_hex.endswith("0") else "0"
    assert api(alpha).get(f"/t/{order_hex[:-1]}{other}:{signature}/").status_code == 404
    assert (
        manager.post(f"/api/v1/orders/{sale['id']}/refunds/", {}, format="json").status_code == 201
    )
    assert api(alpha).get(link).status_code == 404


def test_managers_see_the_sms_outbox_in_the_dashboard(alpha, make_user, box, show, send, settings):
    from tests.test_dashboards import signed_in

    settings.SMS_BACKEND = "venue_apps.tickets.sms.OutboxBackend"
    sale = sell(box, show, ["B5"], name="Walk In")
    send(sale["id"], channel="sms", to=PHONE)
    page = "/dashboard/tickets/textmessage/"

    listed = signed_in(alpha, make_user(alpha, role=Role.MANAGER)).get(page)
    scanner = signed_in(alpha, make_user(alpha, role=Role.SCANNER)).get(page)

    assert listed.status_code == 200
    assert "********2345" in listed.content.decode()
    assert sale["reference"] in listed.content.decode()
    assert "98450" not in listed.content.decode()
    assert scanner.status_code == 403
