"""Tickets: signed codes, PDFs, the tickets email, and admission at the door."""

from __future__ import annotations

import io
import smtplib
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from pypdf import PdfReader

from tests.checkout import checkout, sandbox, seat_ids
from venue_apps.accounts.models import Role
from venue_apps.orders.models import Order
from venue_apps.shows.models import Show
from venue_apps.tickets import signing
from venue_apps.tickets.models import CheckIn, SigningKey

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(alpha, programme):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    return programme["show"]


def _paid(client, show, labels):
    body = checkout(client, show, seat_ids("alpha", show, labels))
    assert sandbox(client, body["payment"]["id"], "approve").json()["order_status"] == "paid"
    return body


def _today(show: Show, schema: str = "alpha") -> None:
    """Move the show to later today, so that its tickets can be used now."""
    with schema_context(schema):
        show = Show.objects.select_related("venue").get(pk=show.pk)
        starts = timezone.now() + timedelta(minutes=30)
        local_day = starts.astimezone(show.venue.zone).date()
        if local_day != timezone.now().astimezone(show.venue.zone).date():
            starts = timezone.now() + timedelta(minutes=1)
            local_day = starts.astimezone(show.venue.zone).date()
        Show.objects.filter(pk=show.pk).update(
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            busy_until=starts + timedelta(hours=2, minutes=20),
            local_date=local_day,
        )


def _scan(client, qr: str, **extra):
    return client.post("/api/v1/checkin/", {"qr": qr, **extra}, format="json")


# --- signing ---------------------------------------------------------------------------


def test_every_chain_gets_its_own_signing_key_sealed(alpha, beta):
    with schema_context(alpha.schema_name):
        alpha_key = SigningKey.objects.get(is_active=True)
    with schema_context(beta.schema_name):
        beta_key = SigningKey.objects.get(is_active=True)

    assert alpha_key.kid != beta_key.kid
    assert alpha_key.private_key_sealed.startswith("s1.")
    assert alpha_key.public_key not in alpha_key.private_key_sealed


# --- issuing ---------------------------------------------------------------------------


def test_paying_issues_one_signed_ticket_per_seat(alpha, show, customer):
    _, client = customer
    body = _paid(client, show, ["A1", "A2"])

    tickets = client.get(f"/api/v1/orders/{body['id']}/tickets/")

    assert tickets.status_code == 200
    rows = tickets.json()
    assert [row["label"] for row in rows] == ["A1", "A2"]
    assert {row["status"] for row in rows} == {"valid"}
    with schema_context("alpha"):
        key = SigningKey.objects.get(is_active=True)
    for row in rows:
        claims, text, signature = signing.code_read(row["qr"])
        signing.code_verify(text, signature, key.public_key)
        assert (claims.tenant, claims.ticket, claims.seat) == (
            "alpha",
            uuid.UUID(row["id"]).hex,
            row["label"],
        )


def test_an_unpaid_order_has_no_tickets_and_others_cannot_see_them(alpha, show, customer, as_role):
    _, client = customer
    pending = checkout(client, show, seat_ids("alpha", show, ["A3"]))
    paid = _paid(client, show, ["A4"])

    assert client.get(f"/api/v1/orders/{pending['id']}/tickets/").json() == []
    stranger = as_role(Role.CUSTOMER)
    assert stranger.get(f"/api/v1/orders/{paid['id']}/tickets/").status_code == 404
    ticket_id = client.get(f"/api/v1/orders/{paid['id']}/tickets/").json()[0]["id"]
    assert stranger.get(f"/api/v1/tickets/{ticket_id}/pdf/").status_code == 404
    assert as_role(Role.SCANNER).get(f"/api/v1/orders/{paid['id']}/tickets/").status_code == 403


def test_the_pdf_e_ticket_shows_title_time_seat_and_a_code(alpha, show, customer):
    _, client = customer
    body = _paid(client, show, ["C1", "C2"])
    ticket = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]

    one = client.get(f"/api/v1/tickets/{ticket['id']}/pdf/")
    whole = client.get(f"/api/v1/orders/{body['id']}/tickets/pdf/")

    assert one.status_code == 200
    assert one["Content-Type"] == "application/pdf"
    page = PdfReader(io.BytesIO(one.content)).pages[0].extract_text()
    assert "The Monsoon Heist" in page
    assert "C1" in page
    assert "18:00" in page  # the venue's local time
    assert "Audi 1" in page and "Aurora Phoenix" in page
    assert body["reference"] in page
    assert "Alpha Cinemas" in page
    assert len(PdfReader(io.BytesIO(whole.content)).pages) == 2


def test_each_e_ticket_prints_what_its_own_seat_cost(alpha, show, customer):
    _, client = customer
    body = _paid(client, show, ["A7", "C7"])  # regular and premium: different prices
    lines = {line["seat"]: line["total"] for line in body["lines"]}
    tickets = {
        row["label"]: row for row in client.get(f"/api/v1/orders/{body['id']}/tickets/").json()
    }
    order_total = f"{body['total'] / 100:,.2f} INR"

    texts = {
        label: PdfReader(io.BytesIO(client.get(f"/api/v1/tickets/{row['id']}/pdf/").content))
        .pages[0]
        .extract_text()
        for label, row in tickets.items()
    }

    for label, row in tickets.items():
        seat_total = f"{lines[row['seat']] / 100:,.2f} INR"
        assert seat_total in texts[label], (label, seat_total)
        assert order_total not in texts[label]
    assert len({lines[row["seat"]] for row in tickets.values()}) == 2


# --- at the door -----------------------------------------------------------------------


def test_a_ticket_is_admitted_once(alpha, show, customer, as_role):
    _, client = customer
    body = _paid(client, show, ["B1"])
    _today(show)
    qr = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]["qr"]
    scanner = as_role(Role.SCANNER)

    first = _scan(scanner, qr, gate="Door 2")
    second = _scan(scanner, qr)

    assert first.status_code == 200, first.content
    assert first.json()["admitted"] is True
    assert first.json()["seat"] == "B1"
    assert second.status_code == 409
    assert second.json()["code"] == "already_used"
    assert "Door 2" in second.json()["detail"]
    with schema_context("alpha"):
        assert list(CheckIn.objects.order_by("created_at").values_list("verdict", flat=True)) == [
            "admitted",
            "already_used",
        ]


def test_every_kind_of_bad_code_is_refused_with_its_reason(
    alpha, beta, show, customer, as_role, api, make_user
):
    _, client = customer
    body = _paid(client, show, ["B2", "B3"])
    _today(show)
    rows = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()
    scanner = as_role(Role.SCANNER)
    good = rows[0]["qr"]
    signature = good.split(".")[2]
    claims, _, _ = signing.code_read(good)
    # Altered: the seat changed, the signature kept.
    altered_claims = signing.TicketClaims(
        claims.tenant, claims.kid, claims.ticket, claims.show, claims.day, "A1", claims.serial
    )
    altered = f"TK1.{signing.b64(altered_claims.as_json())}.{signature}"
    # Forged: signed with a key of the forger's own.
    stranger_key = signing.key_pair_new()
    forged = signing.code_sign(
        signing.TicketClaims(
            "alpha", claims.kid, claims.ticket, claims.show, claims.day, claims.seat, claims.serial
        ),
        stranger_key.private_key,
    )
    unknown_key = signing.code_sign(
        signing.TicketClaims(
            "alpha",
            stranger_key.kid,
            claims.ticket,
            claims.show,
            claims.day,
            claims.seat,
            claims.serial,
        ),
        stranger_key.private_key,
    )
    # A genuine code of another chain (beta's key, beta's name).
    with schema_context(beta.schema_name):
        from tenants.crypto import unseal

        beta_key = SigningKey.objects.get(is_active=True)
        beta_private = unseal(beta_key.private_key_sealed, context="beta:tickets.signing_key")
    other_chain = signing.code_sign(
        signing.TicketClaims("beta", beta_key.kid, uuid.uuid4().hex, 1, claims.day, "A1", 1),
        beta_private,
    )
    # Genuinely signed by alpha, for a ticket alpha never issued.
    with schema_context("alpha"):
        alpha_key = SigningKey.objects.get(is_active=True)
        alpha_private = unseal(alpha_key.private_key_sealed, context="alpha:tickets.signing_key")
    no_such_ticket = signing.code_sign(
        signing.TicketClaims(
            "alpha", alpha_key.kid, uuid.uuid4().hex, claims.show, claims.day, "A1", 1
        ),
        alpha_private,
    )
    # Revoked: a seat refunded.
    manager = as_role(Role.MANAGER)
    manager.post(
        f"/api/v1/orders/{body['id']}/refunds/", {"seats": [rows[1]["seat"]]}, format="json"
    )
    revoked = rows[1]["qr"]

    expected = {
        "not a code": ("hello", 400, "malformed"),
        "altered": (altered, 400, "forged"),
        "forged": (forged, 400, "forged"),
        "unknown key": (unknown_key, 400, "unknown_key"),
        "other chain": (other_chain, 403, "other_tenant"),
        "no such ticket": (no_such_ticket, 400, "unknown_ticket"),
        "revoked": (revoked, 403, "revoked"),
    }
    for case, (qr, status, code) in expected.items():
        answer = _scan(scanner, qr)
        assert (answer.status_code, answer.json()["code"]) == (status, code), case
        assert answer.json()["admitted"] is False, case
        assert answer.json()["detail"], case
    # None of that touched the good ticket, which still gets in once.
    assert _scan(scanner, good).status_code == 200
    with schema_context("alpha"):
        assert CheckIn.objects.filter(admitted=False).count() == len(expected)


def test_a_ticket_for_another_day_or_another_venue_is_refused(
    alpha, show, customer, as_role, programme
):
    _, client = customer
    body = _paid(client, show, ["C3"])
    qr = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]["qr"]
    scanner = as_role(Role.SCANNER)

    wrong_day = _scan(scanner, qr)  # the show is next Monday, not today
    _today(show)
    wrong_venue = _scan(scanner, qr, venue=programme["venue"].pk + 1000)
    right = _scan(scanner, qr, venue=programme["venue"].pk)

    assert (wrong_day.status_code, wrong_day.json()["code"]) == (403, "wrong_day")
    assert "not today" in wrong_day.json()["detail"]
    assert (wrong_venue.status_code, wrong_venue.json()["code"]) == (403, "wrong_venue")
    assert right.status_code == 200


def test_a_reissued_ticket_voids_its_old_code(alpha, show, customer, as_role):
    _, client = customer
    body = _paid(client, show, ["C4"])
    _today(show)
    old = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]

    fresh = as_role(Role.BOX_OFFICE).post(f"/api/v1/tickets/{old['id']}/reissue/")
    by_customer = client.post(f"/api/v1/tickets/{old['id']}/reissue/")
    scanner = as_role(Role.SCANNER)

    assert fresh.status_code == 201
    assert fresh.json()["serial"] == 2 and fresh.json()["qr"] != old["qr"]
    assert by_customer.status_code == 403
    refused = _scan(scanner, old["qr"])
    assert (refused.status_code, refused.json()["code"]) == (403, "revoked")
    assert "newer code" in refused.json()["detail"]
    assert _scan(scanner, fresh.json()["qr"]).status_code == 200
    assert [
        row["serial"] for row in client.get(f"/api/v1/orders/{body['id']}/tickets/").json()
    ] == [2]


def test_only_scanners_owners_and_managers_check_in(alpha, show, customer, as_role):
    _, client = customer
    body = _paid(client, show, ["D1"])
    qr = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]["qr"]

    for role in (Role.CUSTOMER, Role.BOX_OFFICE):
        assert _scan(as_role(role), qr).status_code == 403
    assert _scan(as_role(None), qr).status_code == 401
    assert as_role(Role.CUSTOMER).get("/api/v1/checkin/keys/").status_code == 403


def test_offline_scanners_get_the_public_key_and_the_revocations(alpha, show, customer, as_role):
    _, client = customer
    body = _paid(client, show, ["D2", "D3"])
    rows = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()
    as_role(Role.MANAGER).post(
        f"/api/v1/orders/{body['id']}/refunds/", {"seats": [rows[0]["seat"]]}, format="json"
    )

    keys = as_role(Role.SCANNER).get("/api/v1/checkin/keys/")

    assert keys.status_code == 200
    data = keys.json()
    assert data["tenant"] == "alpha"
    assert [item["ticket"] for item in data["revoked"]] == [uuid.UUID(rows[0]["id"]).hex]
    # What an offline scanner does: verify the code with the published key alone.
    claims, text, signature = signing.code_read(rows[1]["qr"])
    published = {key["kid"]: key["public_key"] for key in data["keys"]}
    signing.code_verify(text, signature, published[claims.kid])
    assert claims.ticket not in {item["ticket"] for item in data["revoked"]}


# --- the email --------------------------------------------------------------------------


class FlakyBackend:
    """An email backend that fails the first `failures` sends, like a mail server that
    is briefly down."""

    failures = 0
    attempts = 0

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self.inner = EmailBackend(*args, **kwargs)

    def send_messages(self, messages):
        FlakyBackend.attempts += 1
        if FlakyBackend.attempts <= FlakyBackend.failures:
            raise smtplib.SMTPServerDisconnected("the mail server went away")
        return self.inner.send_messages(messages)


def test_the_tickets_email_goes_once_with_the_pdf_and_retries_a_failing_server(
    alpha, show, customer, settings
):
    from venue_apps.tickets.tasks import order_tickets_email_send

    user, client = customer
    body = _paid(client, show, ["A5", "A6"])
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "tests.test_tickets.FlakyBackend"
    FlakyBackend.failures, FlakyBackend.attempts = 2, 0

    with schema_context("alpha"):
        result = order_tickets_email_send.apply(args=[body["id"]])

    assert result.get() == "sent"
    assert FlakyBackend.attempts == 3  # failed twice, then sent
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert (
        message.subject
        == f"Alpha Cinemas: your tickets for The Monsoon Heist ({body['reference']})"
    )
    assert "A5, A6" in message.body
    ((filename, content, kind),) = message.attachments
    assert (filename, kind) == (f"tickets-{body['reference']}.pdf", "application/pdf")
    assert len(PdfReader(io.BytesIO(content)).pages) == 2


def test_a_chain_writes_its_own_tickets_email(
    alpha, show, customer, tasks_inline, django_capture_on_commit_callbacks
):
    from venue_apps.tickets.models import EmailTemplate

    _, client = customer
    with schema_context("alpha"):
        EmailTemplate.objects.create(
            kind="tickets",
            subject="Popcorn time: {{ title }}",
            body="Namaste {{customer_name}}! Seats {{ seats }} on {{ day }} at {{ time }}.",
        )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _paid(client, show, ["A7"])

    (message,) = mail.outbox
    assert message.subject == "Popcorn time: The Monsoon Heist"
    assert message.body.startswith("Namaste Test customer! Seats A7 on Monday")


def test_a_free_order_is_settled_when_its_show_is_cancelled(
    alpha, show, customer, as_role, tasks_inline, django_capture_on_commit_callbacks
):
    from venue_apps.orders.models import PromoCode

    _, client = customer
    with schema_context("alpha"):
        PromoCode.objects.create(code="COMP", kind="percent", value=10_000)
    free = checkout(client, show, seat_ids("alpha", show, ["D4"]), promo_code="COMP")
    assert free["status"] == "paid" and free["total"] == 0
    paid = _paid(client, show, ["D5"])
    codes = [
        client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]["qr"] for body in (free, paid)
    ]
    _today(show)

    manager = as_role(Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/api/v1/shows/{show.pk}/cancel-and-refund/")
    done = manager.get(f"/api/v1/shows/{show.pk}/cancel-and-refund/").json()

    assert (done["refunded_orders"], done["failed"]) == (2, 0)
    scanner = as_role(Role.SCANNER)
    for code in codes:
        answer = _scan(scanner, code)
        assert (answer.status_code, answer.json()["code"]) == (403, "revoked")


def test_doors_open_three_hours_before_and_close_when_the_show_ends(alpha, show, customer, as_role):
    _, client = customer
    body = _paid(client, show, ["C5"])
    qr = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]["qr"]
    scanner = as_role(Role.SCANNER)

    def starts_in(minutes: int, runtime: int = 120) -> None:
        with schema_context("alpha"):
            starts = timezone.now() + timedelta(minutes=minutes)
            Show.objects.filter(pk=show.pk).update(
                starts_at=starts,
                ends_at=starts + timedelta(minutes=runtime),
                busy_until=starts + timedelta(minutes=runtime + 20),
                local_date=starts.astimezone(show.venue.zone).date(),
            )

    starts_in(200)  # 3 h 20 min away: doors not open yet (or another day)
    early = _scan(scanner, qr)
    starts_in(-130, runtime=120)  # it ended ten minutes ago
    over = _scan(scanner, qr)
    starts_in(-60, runtime=120)  # latecomer, an hour into the show
    late = _scan(scanner, qr)

    assert early.status_code == 403 and early.json()["code"] in ("wrong_time", "wrong_day")
    assert over.status_code == 403 and over.json()["code"] in ("wrong_time", "wrong_day")
    assert late.status_code == 200


def test_look_alike_codes_and_garbage_are_refused_not_a_500(
    alpha, show, customer, as_role, make_user
):
    _, client = customer
    body = _paid(client, show, ["C6"])
    qr = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]["qr"]
    prefix, payload, signature = qr.split(".")
    # The last character carries 2 bits of the signature and 4 spare bits: setting a
    # spare bit changes the text, not the bytes it decodes to.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    flipped = alphabet[alphabet.index(signature[-1]) | 1]
    scanner = as_role(Role.SCANNER)
    overflow = (
        "TK1."
        + signing.b64(b'{"t":"alpha","k":"x","i":"y","s":1e999,"d":"x","st":"A","n":1}')
        + ".AAAA"
    )

    for variant in (
        qr + "==",
        f"{prefix}.{payload}!!.{signature}",
        f"{prefix}.{payload}.{signature[:-1]}{flipped}",
        overflow,
    ):
        answer = _scan(scanner, variant)
        assert answer.status_code == 400, variant
        assert answer.json()["code"] == "malformed"
    huge_venue = _scan(scanner, qr, venue=10**30)
    assert huge_venue.status_code == 400


def test_the_dashboard_scanner_endpoint_refuses_garbage_with_a_400(alpha, make_user):
    from tests.test_tickets_dashboard import signed_in

    door = signed_in(alpha, make_user(alpha, role=Role.SCANNER))
    for body in (
        "[]",
        "null",
        "1",
        '{"qr": "x", "venue": 1e999}',
        "not json",
        '{"qr": "TK1.a.b", "gate": "\\u0000"}',
    ):
        answer = door.post("/dashboard/scan/check/", body, content_type="application/json")
        assert answer.status_code == 400, body


def test_a_chain_template_that_fails_while_rendering_falls_back_to_the_default(
    alpha, show, customer
):
    from venue_apps.tickets.models import EmailTemplate
    from venue_apps.tickets.notifications import render_tickets_email

    _, client = customer
    body = _paid(client, show, ["A8"])
    with schema_context("alpha"):
        EmailTemplate.objects.create(
            kind="tickets", subject="{{ title }}", body='{% include "no-such-file.txt" %}'
        )
        subject, text = render_tickets_email(Order.objects.get(pk=body["id"]), ["A8"])
    assert "your tickets" in subject
    assert "A8" in text


def test_a_compromised_key_is_no_longer_trusted_and_its_tickets_are_reissued(
    alpha, show, customer, as_role
):
    from venue_apps.tickets.services import signing_key_compromised

    _, client = customer
    body = _paid(client, show, ["B4"])
    _today(show)
    old = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]
    with schema_context("alpha"):
        key = SigningKey.objects.get(is_active=True)

        assert signing_key_compromised(key) == 1

    scanner = as_role(Role.SCANNER)
    refused = _scan(scanner, old["qr"])
    fresh = client.get(f"/api/v1/orders/{body['id']}/tickets/").json()[0]
    keys = scanner.get("/api/v1/checkin/keys/").json()["keys"]

    assert (refused.status_code, refused.json()["code"]) == (400, "unknown_key")
    assert fresh["serial"] == 2
    assert key.kid not in {item["kid"] for item in keys}
    assert _scan(scanner, fresh["qr"]).status_code == 200


def test_unsent_tickets_emails_are_found_by_the_sweep(alpha, show, customer):
    from venue_apps.tickets.notifications import tickets_email, tickets_unsent

    _, client = customer
    from venue_apps.tickets.models import TicketDelivery

    body = _paid(client, show, ["B8"])  # the email task never ran (no commit here)
    with schema_context("alpha"):
        an_hour_ago = timezone.now() - timedelta(hours=1)
        Order.objects.filter(pk=body["id"]).update(paid_at=an_hour_ago)
        TicketDelivery.objects.filter(order_id=body["id"]).update(requested_at=an_hour_ago)

        assert tickets_unsent() == [body["id"]]
        assert tickets_email(body["id"]) == "sent"
        assert tickets_unsent() == []
