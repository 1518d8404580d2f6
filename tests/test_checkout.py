"""Checkout through the sandbox gateway: orders priced by the server, promo codes, the
sandbox's approve, decline (retryable), cancel and late outcomes, and who may see
which order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.checkout import checkout, hold, order, sandbox, seat_ids, states
from tests.fixtures import obtain_tokens
from venue_apps.accounts.models import Role
from venue_apps.inventory.models import Hold
from venue_apps.orders.models import CheckoutSettings, Order, PromoCode, PromoRedemption, TaxRate
from venue_apps.payments.models import (
    LedgerEntry,
    Payment,
    PaymentSettings,
    SandboxCharge,
    WebhookEvent,
)
from venue_apps.payments.services.ledger import ledger_balances

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(programme, alpha):
    # These tests buy a lot; the chain's hoarding limit is not what they are about.
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    return programme["show"]


def test_an_order_is_priced_by_the_server_with_fees_and_taxes(alpha, show, customer):
    _, client = customer
    with schema_context(alpha.schema_name):
        settings_row = CheckoutSettings.current()
        settings_row.booking_fee_per_ticket = 3000
        settings_row.save()
        # Indian practice: GST included in the ticket price, 18 % added on the fee.
        TaxRate.objects.create(name="GST", basis_points=1800, applies_to="tickets", inclusive=True)
        TaxRate.objects.create(
            name="GST on fees", basis_points=1800, applies_to="fees", inclusive=False
        )
    seats = seat_ids(alpha.schema_name, show, ["A1", "C1"])  # regular 200.00, premium 300.00

    body = checkout(client, show, seats, total=1, price=1)  # client-sent amounts are ignored

    assert body["status"] == "pending"
    assert body["currency"] == "INR"
    assert body["subtotal"] == 50000
    assert body["fees"] == 6000
    # 18 % of each fee (3000 -> 540) is added; 18/118 of each price is inside it.
    assert body["tax"] == {"added": 1080, "included": 3051 + 4576}
    assert body["total"] == 50000 + 6000 + 1080
    assert sum(line["total"] for line in body["lines"]) == body["total"]
    assert body["payment"]["provider"] == "sandbox"
    assert body["payment"]["test_mode"] is True
    assert body["payment"]["amount"] == body["total"]
    assert body["payment"]["sandbox_url"].startswith(f"/pay/sandbox/{body['payment']['id']}/?t=")


def test_approve_pays_the_order_and_sells_the_seats(
    alpha, show, customer, tasks_inline, django_capture_on_commit_callbacks
):
    user, client = customer
    seats = seat_ids(alpha.schema_name, show, ["A1", "A2"])
    body = checkout(client, show, seats)

    with django_capture_on_commit_callbacks(execute=True):
        paid = sandbox(client, body["payment"]["id"], "approve")

    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "succeeded"
    assert paid.json()["order_status"] == "paid"
    assert states(alpha.schema_name, seats) == {seat: "sold" for seat in seats}
    with schema_context(alpha.schema_name):
        assert Hold.objects.get(pk=body_hold(body)).status == "converted"
        balances = ledger_balances()
        assert balances["funds:sandbox"] == body["total"]
        assert balances.get("customer_funds", 0) == 0
        assert balances["ticket_sales"] + balances.get("tax", 0) == -body["total"]
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "your tickets" in mail.outbox[0].subject
    assert "18:00" in mail.outbox[0].body  # the venue's local time, not the server's
    ((name, _, kind),) = mail.outbox[0].attachments
    assert (name.endswith(".pdf"), kind) == (True, "application/pdf")


def body_hold(body: dict) -> str:
    with schema_context("alpha"):
        return str(Order.objects.get(pk=body["id"]).hold_id)


def test_a_declined_card_keeps_the_order_pending_and_the_seats_held(alpha, show, customer):
    _, client = customer
    seats = seat_ids(alpha.schema_name, show, ["B1", "B2"])
    body = checkout(client, show, seats)

    declined = sandbox(client, body["payment"]["id"], "decline")

    assert declined.status_code == 200
    assert declined.json()["status"] == "failed"
    assert declined.json()["failure_code"] == "card_declined"
    assert declined.json()["order_status"] == "pending"
    assert "may try again" in declined.json()["detail"]
    assert states(alpha.schema_name, seats) == {seat: "held" for seat in seats}
    with schema_context(alpha.schema_name):
        order_row = Order.objects.get(pk=body["id"])
        assert (order_row.status, order_row.reason) == ("pending", "")
        hold_row = Hold.objects.get(pk=order_row.hold_id)
        assert hold_row.status == "active"
        assert not LedgerEntry.objects.filter(order=order_row).exists()  # no money moved
        assert (
            SandboxCharge.objects.get(
                reference=Payment.objects.get(pk=body["payment"]["id"]).gateway_reference
            ).status
            == "declined"
        )


def test_after_a_decline_another_attempt_pays_the_order(
    alpha, show, customer, django_capture_on_commit_callbacks
):
    _, client = customer
    seats = seat_ids(alpha.schema_name, show, ["B6", "B7"])
    body = checkout(client, show, seats)
    sandbox(client, body["payment"]["id"], "decline")

    retry = client.post(
        f"/api/v1/orders/{body['id']}/payments/", {"provider": "sandbox"}, format="json"
    )
    assert retry.status_code == 201, retry.content
    second = retry.json()["payment"]
    with django_capture_on_commit_callbacks(execute=True):
        paid = sandbox(client, second["id"], "approve")

    assert second["id"] != body["payment"]["id"]
    assert second["sandbox_url"].startswith(f"/pay/sandbox/{second['id']}/?t=")
    assert paid.json()["order_status"] == "paid"
    assert states(alpha.schema_name, seats) == {seat: "sold" for seat in seats}
    with schema_context(alpha.schema_name):
        assert list(
            Payment.objects.filter(order_id=body["id"])
            .order_by("created_at")
            .values_list("status", flat=True)
        ) == ["failed", "succeeded"]


def test_a_declined_attempt_cannot_be_acted_on_again_on_its_page(alpha, show, customer):
    _, client = customer
    body = checkout(client, show, seat_ids(alpha.schema_name, show, ["B8"]))
    sandbox(client, body["payment"]["id"], "decline")

    again = sandbox(client, body["payment"]["id"], "approve")

    assert again.json()["result"] == "ignored"
    assert again.json()["order_status"] == "pending"


def test_reconciliation_reads_a_decline_as_not_final(alpha, show, customer):
    from venue_apps.payments.services.gateways import provider_for

    _, client = customer
    body = checkout(client, show, seat_ids(alpha.schema_name, show, ["C7"]))
    sandbox(client, body["payment"]["id"], "decline")

    with schema_context(alpha.schema_name):
        payment = Payment.objects.get(pk=body["payment"]["id"])
        provider = provider_for("sandbox")
        fetched = provider.fetch(payment)
        provider.cancel(payment)  # closing the attempt, as when the order ends
        closed = provider.fetch(payment)

    assert (fetched.kind, fetched.final, fetched.failure_code) == (
        "payment_failed",
        False,
        "card_declined",
    )
    assert (closed.kind, closed.final) == ("payment_failed", True)


def test_cancelling_on_the_page_cancels_the_order_and_releases_the_seats(alpha, show, customer):
    _, client = customer
    seats = seat_ids(alpha.schema_name, show, ["C5", "C6"])
    body = checkout(client, show, seats)

    cancelled = sandbox(client, body["payment"]["id"], "cancel")

    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "failed"
    assert cancelled.json()["failure_code"] == "payment_cancelled"
    assert cancelled.json()["order_status"] == "cancelled"
    assert states(alpha.schema_name, seats) == {seat: "available" for seat in seats}
    with schema_context(alpha.schema_name):
        order_row = Order.objects.get(pk=body["id"])
        assert order_row.reason == "payment_failed"
        assert Hold.objects.get(pk=order_row.hold_id).status == "released"
        assert not LedgerEntry.objects.filter(order=order_row).exists()  # no money moved


def test_late_payment_with_the_seats_still_free_is_booked(alpha, show, customer):
    _, client = customer
    seats = seat_ids(alpha.schema_name, show, ["B3"])
    body = checkout(client, show, seats)

    late = sandbox(client, body["payment"]["id"], "late")

    assert late.json()["status"] == "succeeded"
    assert late.json()["order_status"] == "paid"
    assert "late" in late.json()["detail"]
    assert states(alpha.schema_name, seats) == {seats[0]: "sold"}


def test_late_payment_with_the_seats_gone_is_refunded_and_the_customer_told(
    alpha, show, customer, make_user, api, tasks_inline, django_capture_on_commit_callbacks
):
    user, client = customer
    seats = seat_ids(alpha.schema_name, show, ["B4", "B5"])
    body = checkout(client, show, seats)
    # The hold lapses, and somebody else takes one of the seats.
    with schema_context(alpha.schema_name):
        order_row = Order.objects.get(pk=body["id"])
        past = timezone.now() - timedelta(seconds=1)
        Hold.objects.filter(pk=order_row.hold_id).update(expires_at=past)
        from venue_apps.inventory.models import ShowSeat

        ShowSeat.objects.filter(hold_id=order_row.hold_id).update(held_until=past)
    other = api(alpha)
    rival = make_user(alpha, role=Role.CUSTOMER)
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(other, rival.email)['access']}")
    taken = hold(other, show, [seats[1]])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        paid = sandbox(client, body["payment"]["id"], "approve")

    assert paid.json()["order_status"] == "refunded"
    assert paid.json()["status"] == "refunded"
    assert states(alpha.schema_name, seats) == {seats[0]: "available", seats[1]: "held"}
    with schema_context(alpha.schema_name):
        assert Hold.objects.get(pk=taken["id"]).status == "active"  # the rival keeps it
        payment = Payment.objects.get(pk=body["payment"]["id"])
        assert payment.refunds.get().status == "succeeded"
        assert payment.refunded_amount == payment.captured_amount == body["total"]
        balances = ledger_balances()
        assert balances.get("funds:sandbox", 0) == 0
        assert balances.get("customer_funds", 0) == 0
        assert balances.get("refunds_payable", 0) == 0
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "refunded" in mail.outbox[0].subject
    assert "no longer free" in mail.outbox[0].body


def test_the_sandbox_does_not_exist_for_a_chain_in_live_mode(alpha, show, customer):
    _, client = customer
    body = checkout(client, show, seat_ids(alpha.schema_name, show, ["A3"]))
    with schema_context(alpha.schema_name):
        PaymentSettings.objects.filter(pk=PaymentSettings.current().pk).update(mode="live")

    answer = sandbox(client, body["payment"]["id"], "approve")
    page = client.get(body["payment"]["sandbox_url"])
    new_order = order(client, hold(client, show, seat_ids(alpha.schema_name, show, ["A4"]))["id"])

    assert answer.status_code == 404
    assert page.status_code == 404
    assert new_order.status_code == 404
    assert new_order.json()["code"] == "provider_unavailable"
    with schema_context(alpha.schema_name):
        assert Payment.objects.get(pk=body["payment"]["id"]).status == "pending"


def test_the_sandbox_page_is_marked_test_mode_and_pays(alpha, show, customer):
    _, client = customer
    body = checkout(client, show, seat_ids(alpha.schema_name, show, ["A5"]))
    url = body["payment"]["sandbox_url"]

    page = client.get(url)
    forged = client.get(url.replace("?t=", "?t=x"))

    assert page.status_code == 200
    assert "TEST MODE" in page.content.decode()
    assert "Alpha Cinemas" in page.content.decode()
    assert forged.status_code == 404
    token = url.split("?t=", 1)[1]
    paid = client.post(url, {"t": token, "outcome": "approve"})
    assert paid.status_code == 200
    assert "booking confirmed" in paid.content.decode()
    with schema_context(alpha.schema_name):
        assert Order.objects.get(pk=body["id"]).status == "paid"


def _page_post(client, url: str, outcome: str):
    return client.post(url, {"t": url.split("?t=", 1)[1], "outcome": outcome})


def test_the_sandbox_page_offers_cancel_and_leads_back_to_the_booking(alpha, show, customer):
    import re

    _, client = customer
    body = checkout(client, show, seat_ids(alpha.schema_name, show, ["A7"]))
    url = body["payment"]["sandbox_url"]

    page = client.get(url).content.decode()
    cancelled = _page_post(client, url, "cancel")
    html = cancelled.content.decode()

    assert 'value="cancel">Cancel payment</button>' in page
    assert "Back to" not in page  # nothing happened yet
    assert cancelled.status_code == 200
    assert "Payment cancelled: the seats were released" in html
    (link,) = re.findall(r'<a class="back" href="([^"]+)">Back to Alpha Cinemas</a>', html)
    assert link == f"/orders/{body['id']}"
    assert "<script" not in html  # the page needs no script: the CSP allows none inline
    assert "script-src" in cancelled["Content-Security-Policy"]
    again = client.get(url).content.decode()
    assert "This payment is failed" in again
    assert f'href="/orders/{body["id"]}"' in again


def test_the_sandbox_page_says_a_declined_card_keeps_the_seats(alpha, show, customer):
    _, client = customer
    body = checkout(client, show, seat_ids(alpha.schema_name, show, ["A8"]))
    url = body["payment"]["sandbox_url"]

    html = _page_post(client, url, "decline").content.decode()

    assert "Card declined: your seats are still held" in html
    assert "Go back to try again" in html
    assert f'href="/orders/{body["id"]}"' in html


def test_the_sandbox_page_ignores_where_a_request_asks_to_go_next(alpha, show, customer):
    _, client = customer
    body = checkout(client, show, seat_ids(alpha.schema_name, show, ["C8"]))
    url = body["payment"]["sandbox_url"] + "&next=https://evil.example/&return_to=//evil.example"

    html = client.post(
        url,
        {"t": url.split("?t=", 1)[1].split("&")[0], "outcome": "approve", "next": "//evil"},
    ).content.decode()

    assert "evil" not in html
    assert f'href="/orders/{body["id"]}"' in html


def test_another_customers_hold_cannot_be_ordered(alpha, show, customer, as_role):
    _, client = customer
    held = hold(client, show, seat_ids(alpha.schema_name, show, ["A6"]))
    intruder = as_role(Role.CUSTOMER)

    answer = order(intruder, held["id"])

    assert answer.status_code == 404
    with schema_context(alpha.schema_name):
        assert not Order.objects.exists()


def test_a_cart_hold_is_claimed_by_the_customer_who_signs_in(alpha, api, show, customer):
    user, client = customer
    cart = "cart-claim-0000000001"
    anonymous = api(alpha)
    held = anonymous.post(
        f"/api/v1/shows/{show.pk}/holds/",
        {"seats": seat_ids(alpha.schema_name, show, ["A7"])},
        format="json",
        HTTP_X_CART_ID=cart,
    ).json()

    wrong_cart = order(client, held["id"], HTTP_X_CART_ID="cart-someone-else-0001")
    claimed = client.post(
        "/api/v1/orders/",
        {"hold": held["id"], "provider": "sandbox"},
        format="json",
        HTTP_X_CART_ID=cart,
    )

    assert wrong_cart.status_code == 404
    assert claimed.status_code == 201, claimed.content
    with schema_context(alpha.schema_name):
        assert Hold.objects.get(pk=held["id"]).user_id == user.pk


def test_one_order_per_hold_and_not_from_a_lapsed_hold(alpha, show, customer):
    _, client = customer
    held = hold(client, show, seat_ids(alpha.schema_name, show, ["A8"]))
    first = order(client, held["id"])
    second = order(client, held["id"])
    lapsed = hold(client, show, seat_ids(alpha.schema_name, show, ["B6"]))
    with schema_context(alpha.schema_name):
        Hold.objects.filter(pk=lapsed["id"]).update(expires_at=timezone.now())

    late = order(client, lapsed["id"])

    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["code"] == "order_exists"
    assert second.json()["order"] == first.json()["id"]
    assert late.status_code == 409
    assert late.json()["code"] == "hold_expired"


def test_customers_see_only_their_own_orders_and_staff_see_all(alpha, show, customer, as_role):
    _, client = customer
    mine = checkout(client, show, seat_ids(alpha.schema_name, show, ["C2"]))
    other = as_role(Role.CUSTOMER)
    theirs = checkout(other, show, seat_ids(alpha.schema_name, show, ["C3"]))
    manager = as_role(Role.MANAGER)

    listed = client.get("/api/v1/orders/").json()
    peek = client.get(f"/api/v1/orders/{theirs['id']}/")
    staff_list = manager.get("/api/v1/orders/").json()
    staff_view = manager.get(f"/api/v1/orders/{theirs['id']}/").json()
    by_reference = manager.get(f"/api/v1/orders/?q={mine['reference'].lower()}").json()

    assert [row["id"] for row in listed["results"]] == [mine["id"]]
    assert peek.status_code == 404
    assert {row["id"] for row in staff_list["results"]} == {mine["id"], theirs["id"]}
    # Staff see the payment but never what the customer pays with.
    assert "sandbox_url" not in staff_view["payment"]
    assert [row["id"] for row in by_reference["results"]] == [mine["id"]]


def test_an_order_of_one_chain_is_invisible_at_another(alpha, beta, api, show, customer, make_user):
    _, client = customer
    mine = checkout(client, show, seat_ids(alpha.schema_name, show, ["C4"]))
    beta_user = make_user(beta, role=Role.MANAGER)
    beta_client = api(beta)
    beta_client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(beta_client, beta_user.email)['access']}"
    )

    assert beta_client.get(f"/api/v1/orders/{mine['id']}/").status_code == 404
    assert beta_client.get("/api/v1/orders/").json()["count"] == 0
    # Alpha's token at beta's host is refused outright.
    client_at_beta = api(beta)
    client_at_beta.credentials(HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"])
    assert client_at_beta.get("/api/v1/orders/").status_code == 401


def test_scanners_and_anonymous_users_cannot_order(alpha, show, as_role, api):
    scanner = as_role(Role.SCANNER)
    held = hold(api(alpha), show, seat_ids(alpha.schema_name, show, ["C5"]))

    assert order(scanner, held["id"]).status_code == 403
    assert order(api(alpha), held["id"]).status_code == 401


def test_box_office_sells_to_a_walk_in(alpha, show, as_role):
    box_office = as_role(Role.BOX_OFFICE)
    seats = seat_ids(alpha.schema_name, show, ["C6"])

    body = checkout(box_office, show, seats, email="walkin@example.com", name="Walk In")
    paid = sandbox(box_office, body["payment"]["id"], "approve")

    assert paid.json()["order_status"] == "paid"
    with schema_context(alpha.schema_name):
        row = Order.objects.get(pk=body["id"])
        assert row.channel == "box_office"
        assert row.customer_id is None
        assert row.email == "walkin@example.com"


def test_bad_input_is_a_400_with_a_reason(alpha, show, customer):
    _, client = customer

    not_uuid = client.post(
        "/api/v1/orders/", {"hold": "nope", "provider": "sandbox"}, format="json"
    )
    bad_provider = client.post(
        "/api/v1/orders/",
        {"hold": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "provider": "cheque"},
        format="json",
    )
    bad_outcome = sandbox(
        client,
        checkout(client, show, seat_ids(alpha.schema_name, show, ["D1"]))["payment"]["id"],
        "maybe",
    )

    assert not_uuid.status_code == 400 and not_uuid.json()["code"] == "invalid"
    assert bad_provider.status_code == 400 and "provider" in bad_provider.json()["detail"]
    assert bad_outcome.status_code == 400


# --- promo codes ----------------------------------------------------------------------


def _promo(**values) -> PromoCode:
    with schema_context("alpha"):
        return PromoCode.objects.create(**values)


def test_percent_and_fixed_promo_codes_take_money_off_tickets_only(alpha, show, customer):
    _, client = customer
    _promo(code="FIFTEEN", kind="percent", value=1500)
    _promo(code="MINUS50", kind="fixed", value=5000)
    with schema_context(alpha.schema_name):
        CheckoutSettings.objects.update_or_create(pk=1, defaults={"booking_fee_per_ticket": 1000})

    percent = checkout(
        client, show, seat_ids(alpha.schema_name, show, ["A1", "A2"]), promo_code="fifteen"
    )
    fixed = checkout(client, show, seat_ids(alpha.schema_name, show, ["C1"]), promo_code="MINUS50")

    assert percent["discount"] == 6000  # 15 % of 400.00
    assert percent["fees"] == 2000  # fees are not discounted
    assert percent["total"] == 40000 - 6000 + 2000
    assert [line["discount"] for line in percent["lines"]] == [3000, 3000]
    assert fixed["discount"] == 5000
    assert fixed["total"] == 30000 - 5000 + 1000
    assert fixed["promo_code"] == "MINUS50"


def test_promo_codes_respect_their_window_limits_and_scope(alpha, show, customer, programme):
    _, client = customer
    now = timezone.now()
    _promo(code="LATER", kind="percent", value=1000, valid_from=now + timedelta(days=1))
    _promo(code="ONCE", kind="percent", value=1000, max_uses=1)
    _promo(code="MINE1", kind="percent", value=1000, max_uses_per_customer=1)
    other_title = _promo(code="PLAYONLY", kind="percent", value=1000)
    with schema_context(alpha.schema_name):
        other_title.titles.set([programme["play"]])

    def attempt(code: str, label: str):
        return order(
            client,
            hold(client, show, seat_ids(alpha.schema_name, show, [label]))["id"],
            promo_code=code,
        )

    not_yet = attempt("LATER", "A1")
    first_once = attempt("ONCE", "A2")
    second_once = attempt("ONCE", "A3")
    wrong_title = attempt("PLAYONLY", "A4")
    unknown = attempt("NOSUCH", "A5")

    assert (not_yet.status_code, not_yet.json()["code"]) == (400, "promo_expired")
    assert first_once.status_code == 201
    assert (second_once.status_code, second_once.json()["code"]) == (409, "promo_used_up")
    assert (wrong_title.status_code, wrong_title.json()["code"]) == (400, "promo_not_applicable")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "promo_invalid")


def test_a_released_promo_use_can_be_used_again(alpha, show, customer):
    _, client = customer
    _promo(code="MINE1", kind="percent", value=1000, max_uses_per_customer=1)
    first = checkout(client, show, seat_ids(alpha.schema_name, show, ["B1"]), promo_code="MINE1")
    blocked = order(
        client,
        hold(client, show, seat_ids(alpha.schema_name, show, ["B2"]))["id"],
        promo_code="MINE1",
    )

    sandbox(client, first["payment"]["id"], "cancel")  # the first order ends unpaid
    again = order(
        client,
        hold(client, show, seat_ids(alpha.schema_name, show, ["B3"]))["id"],
        promo_code="MINE1",
    )

    assert blocked.status_code == 409
    assert again.status_code == 201, again.content
    with schema_context(alpha.schema_name):
        assert list(
            PromoRedemption.objects.order_by("created_at").values_list("status", flat=True)
        ) == ["released", "reserved"]


def test_an_order_whose_time_is_up_expires_and_frees_everything(alpha, show, customer):
    from venue_apps.sales.expiry import unpaid_orders_expire

    _, client = customer
    _promo(code="ONCE", kind="percent", value=1000, max_uses=1)
    seats = seat_ids(alpha.schema_name, show, ["D2"])
    body = checkout(client, show, seats, promo_code="ONCE")
    with schema_context(alpha.schema_name):
        Order.objects.filter(pk=body["id"]).update(expires_at=timezone.now())

        assert unpaid_orders_expire() == 1

        assert Order.objects.get(pk=body["id"]).status == "expired"
        assert PromoRedemption.objects.get().status == "released"
    assert states(alpha.schema_name, seats) == {seats[0]: "available"}
    assert client.get(f"/api/v1/orders/{body['id']}/").json()["status"] == "expired"


def test_a_webhook_delivery_is_recorded_once(alpha, show, customer):
    _, client = customer
    body = checkout(client, show, seat_ids(alpha.schema_name, show, ["D3"]))
    sandbox(client, body["payment"]["id"], "approve")
    again = sandbox(client, body["payment"]["id"], "approve")

    assert again.json()["result"] == "ignored"
    with schema_context(alpha.schema_name):
        assert WebhookEvent.objects.filter(provider="sandbox").count() == 1


def test_an_order_too_large_for_the_books_is_a_400(alpha, show, customer):
    _, client = customer
    type(alpha).objects.filter(pk=alpha.pk).update(hold_max_seats=30)
    with schema_context(alpha.schema_name):
        from venue_apps.shows.models import Show

        Show.objects.filter(pk=show.pk).update(
            prices={
                c: 100_000_000 for c in ("regular", "premium", "couple", "wheelchair", "recliner")
            }
        )
    labels = [f"{row}{n}" for row in "ABC" for n in range(1, 9)][:22]

    too_large = order(client, hold(client, show, seat_ids(alpha.schema_name, show, labels))["id"])

    assert (too_large.status_code, too_large.json()["code"]) == (400, "order_too_large")


def test_box_office_cannot_cancel_a_customers_order_but_a_manager_can(
    alpha, show, customer, as_role
):
    _, client = customer
    body = checkout(client, show, seat_ids(alpha.schema_name, show, ["D4"]))
    sandbox(client, body["payment"]["id"], "approve")

    by_box_office = as_role(Role.BOX_OFFICE).post(f"/api/v1/orders/{body['id']}/cancel/")
    quote_for_box_office = as_role(Role.BOX_OFFICE).get(f"/api/v1/orders/{body['id']}/cancel/")
    by_manager = as_role(Role.MANAGER).post(f"/api/v1/orders/{body['id']}/cancel/")

    assert by_box_office.status_code == 403
    assert quote_for_box_office.status_code == 200  # looking it up is their job
    assert by_manager.status_code == 200
    assert by_manager.json()["status"] == "cancelled"


def test_the_owner_sees_a_customers_payment_but_not_what_they_pay_with(
    alpha, show, customer, as_role
):
    _, client = customer
    body = checkout(client, show, seat_ids(alpha.schema_name, show, ["D5"]))

    seen = as_role(Role.OWNER).get(f"/api/v1/payments/{body['payment']['id']}/")
    paid_by_owner = sandbox(as_role(Role.OWNER), body["payment"]["id"], "approve")

    assert seen.status_code == 200
    assert "sandbox_url" not in seen.json()
    assert paid_by_owner.status_code == 404  # only the buyer pays their own order


def test_a_garbage_sandbox_signature_is_a_400(api, alpha):
    from tests.checkout import STRIPE_KEYS, post_stripe_webhook
    from venue_apps.payments.services.gateways import gateway_account_set

    with schema_context(alpha.schema_name):
        # Keys, so that the body reaches the Stripe SDK instead of a 404 for no gateway.
        gateway_account_set("stripe", **STRIPE_KEYS)
    answer = api(alpha).post(
        "/api/v1/payments/webhooks/sandbox/",
        data=b'{"id": "evt", "type": "payment.succeeded"}',
        content_type="application/json",
        HTTP_X_SANDBOX_SIGNATURE="t=" + "9" * 400 + ",v1=x",
    )
    # Signed with the chain's own secret, so only the body itself is wrong: not UTF-8,
    # not JSON. The Stripe SDK refuses a payload it cannot decode while verifying it.
    not_json = post_stripe_webhook(api(alpha), b"\xff\xfe")

    assert (answer.status_code, answer.json()["code"]) == (400, "signature_invalid")
    assert (not_json.status_code, not_json.json()) == (
        400,
        {"detail": "The Stripe signature does not verify.", "code": "signature_invalid"},
    )
    with schema_context(alpha.schema_name):
        assert not WebhookEvent.objects.exists()


def test_going_live_voids_test_mode_tickets_for_upcoming_shows(
    alpha, show, customer, tasks_inline, django_capture_on_commit_callbacks
):
    from tests.checkout import go_live_with_stripe

    _, client = customer
    seats = seat_ids(alpha.schema_name, show, ["D1"])
    body = checkout(client, show, seats)
    sandbox(client, body["payment"]["id"], "approve")

    with django_capture_on_commit_callbacks(execute=True):
        go_live_with_stripe(alpha.schema_name)

    order_body = client.get(f"/api/v1/orders/{body['id']}/").json()
    assert (order_body["status"], order_body["reason"]) == ("refunded", "test_mode")
    assert states(alpha.schema_name, seats) == {seats[0]: "available"}
    with schema_context(alpha.schema_name):
        assert PaymentSettings.current().mode == "live"
