"""Cancellations under the chain's policy, staff refunds, show cancellations, and refunds
that the gateway refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
import responses
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.checkout import (
    STRIPE_API,
    STRIPE_KEYS,
    checkout,
    post_stripe_webhook,
    sandbox,
    seat_ids,
    states,
    stripe_event,
    stripe_intent,
    stripe_refunds_none_yet,
)
from venue_apps.accounts.models import Role
from venue_apps.orders.models import CancellationPolicy, CheckoutSettings, Order, OrderLine
from venue_apps.orders.services import cancellation_policy
from venue_apps.payments.models import Refund
from venue_apps.payments.services.gateways import gateway_account_set
from venue_apps.payments.services.ledger import ledger_balances
from venue_apps.shows.models import Show

pytestmark = pytest.mark.django_db
FEE = 2500


@pytest.fixture
def show(alpha, programme):
    type(alpha).objects.filter(pk=alpha.pk).update(holds_per_customer=20)
    with schema_context(alpha.schema_name):
        CheckoutSettings.objects.update_or_create(pk=1, defaults={"booking_fee_per_ticket": FEE})
        cancellation_policy()  # the default tiers: 100 % from 48 h, 50 % from 24 h, 25 % from 4 h
    return programme["show"]


def _paid(client, show, labels, *, tasks=None):
    body = checkout(client, show, seat_ids("alpha", show, labels))
    assert sandbox(client, body["payment"]["id"], "approve").json()["order_status"] == "paid"
    return body


def _show_starts_in(show: Show, hours: float) -> None:
    starts = timezone.now() + timedelta(hours=hours)
    with schema_context("alpha"):
        Show.objects.filter(pk=show.pk).update(
            starts_at=starts,
            ends_at=starts + timedelta(minutes=140),
            busy_until=starts + timedelta(minutes=160),
        )


@pytest.mark.parametrize(
    ("hours_before", "percent"), [(72, 100), (30, 50), (10, 25)], ids=["100%", "50%", "25%"]
)
def test_a_customer_cancels_and_gets_the_policy_tiers_share(
    show, customer, hours_before, percent, tasks_inline, django_capture_on_commit_callbacks
):
    _, client = customer
    body = _paid(client, show, ["A1", "A2"])
    _show_starts_in(show, hours_before)
    tickets = body["total"] - 2 * FEE  # the fee is kept under the default policy

    quote = client.get(f"/api/v1/orders/{body['id']}/cancel/")
    unchanged = client.get(f"/api/v1/orders/{body['id']}/").json()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(f"/api/v1/orders/{body['id']}/cancel/")

    expected = tickets * percent // 100
    assert quote.status_code == 200
    assert quote.json()["allowed"] is True
    assert (quote.json()["refund"], quote.json()["refund_percent"]) == (expected, percent)
    assert unchanged["status"] == "paid"  # the quote changed nothing
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["refund"] == expected
    seats = seat_ids("alpha", show, ["A1", "A2"])
    assert states("alpha", seats) == {seat: "available" for seat in seats}
    with schema_context("alpha"):
        refund = Refund.objects.get()
        assert (refund.amount, refund.reason, refund.status) == (
            expected,
            "customer_cancelled",
            "succeeded",
        )
        balances = ledger_balances()
        assert balances["funds:sandbox"] == body["total"] - expected
        assert balances.get("refunds_payable", 0) == 0
        assert sum(balances.values()) == 0


def test_cancelling_past_the_cutoff_is_refused_and_changes_nothing(show, customer):
    _, client = customer
    body = _paid(client, show, ["A3"])
    _show_starts_in(show, 2)  # the cut-off is 4 hours before

    quote = client.get(f"/api/v1/orders/{body['id']}/cancel/").json()
    refused = client.post(f"/api/v1/orders/{body['id']}/cancel/")

    assert (quote["allowed"], quote["code"], quote["refund"]) == (False, "cancellation_closed", 0)
    assert refused.status_code == 409
    assert refused.json()["code"] == "cancellation_closed"
    assert "4 hours" in refused.json()["detail"]
    assert client.get(f"/api/v1/orders/{body['id']}/").json()["status"] == "paid"
    assert states("alpha", seat_ids("alpha", show, ["A3"])) == {
        seat_ids("alpha", show, ["A3"])[0]: "sold"
    }
    with schema_context("alpha"):
        assert not Refund.objects.exists()


def test_a_policy_that_refunds_fees_gives_the_whole_order_back(show, customer):
    _, client = customer
    with schema_context("alpha"):
        CancellationPolicy.objects.filter(pk=1).update(refund_booking_fee=True)
    body = _paid(client, show, ["A4"])
    _show_starts_in(show, 100)

    cancelled = client.post(f"/api/v1/orders/{body['id']}/cancel/").json()

    assert cancelled["refund"] == body["total"]


def test_a_chain_that_takes_no_cancellations_refuses_them(show, customer):
    _, client = customer
    with schema_context("alpha"):
        CancellationPolicy.objects.filter(pk=1).update(customers_may_cancel=False)
    body = _paid(client, show, ["A5"])

    refused = client.post(f"/api/v1/orders/{body['id']}/cancel/")

    assert (refused.status_code, refused.json()["code"]) == (409, "cancellation_not_offered")


def test_cancelling_an_unpaid_order_releases_its_seats_and_stops_the_payment(
    show, customer, tasks_inline, django_capture_on_commit_callbacks
):
    _, client = customer
    seats = seat_ids("alpha", show, ["A6"])
    body = checkout(client, show, seats)

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(f"/api/v1/orders/{body['id']}/cancel/").json()

    assert (cancelled["status"], cancelled["refund"]) == ("cancelled", 0)
    assert states("alpha", seats) == {seats[0]: "available"}
    # The attempt was cancelled at the gateway: it cannot be paid any more.
    late = sandbox(client, body["payment"]["id"], "approve")
    assert late.json()["result"] == "ignored"
    assert "cancelled" in late.json()["detail"]


def test_money_that_still_arrives_for_a_cancelled_order_goes_back(show, customer):
    _, client = customer
    seats = seat_ids("alpha", show, ["A7"])
    body = checkout(client, show, seats)
    client.post(f"/api/v1/orders/{body['id']}/cancel/")  # the gateway is not told in time

    paid_anyway = sandbox(client, body["payment"]["id"], "approve").json()

    assert paid_anyway["order_status"] == "refunded"
    assert paid_anyway["status"] == "refunded"
    assert states("alpha", seats) == {seats[0]: "available"}
    with schema_context("alpha"):
        assert Refund.objects.get().reason == "order_closed"


def test_the_policy_is_public_and_only_managers_change_it(api, alpha, as_role):
    anyone = api(alpha).get("/api/v1/cancellation-policy/")
    new_policy = {
        "cutoff_hours": 2,
        "refund_booking_fee": True,
        "tiers": [
            {"hours_before": 24, "refund_percent": 100},
            {"hours_before": 2, "refund_percent": 40},
        ],
    }
    by_customer = as_role(Role.CUSTOMER).put(
        "/api/v1/cancellation-policy/", new_policy, format="json"
    )
    by_manager = as_role(Role.MANAGER).put(
        "/api/v1/cancellation-policy/", new_policy, format="json"
    )
    bad = as_role(Role.MANAGER).put(
        "/api/v1/cancellation-policy/",
        {
            "tiers": [
                {"hours_before": 5, "refund_percent": 10},
                {"hours_before": 5, "refund_percent": 20},
            ]
        },
        format="json",
    )

    assert anyone.status_code == 200
    assert anyone.json()["tiers"][0] == {"hours_before": 48, "refund_percent": 100}
    assert by_customer.status_code == 403
    assert by_manager.status_code == 200
    assert by_manager.json()["tiers"] == new_policy["tiers"]
    assert (bad.status_code, bad.json()["code"]) == (400, "policy_invalid")


# --- staff refunds ----------------------------------------------------------------------


def test_staff_refund_some_seats_in_full_and_they_go_back_on_sale(
    show, customer, as_role, tasks_inline, django_capture_on_commit_callbacks
):
    _, client = customer
    body = _paid(client, show, ["B1", "B2"])
    seats = seat_ids("alpha", show, ["B1", "B2"])
    manager = as_role(Role.MANAGER)
    line_total = body["lines"][0]["total"]

    with django_capture_on_commit_callbacks(execute=True):
        partial = manager.post(
            f"/api/v1/orders/{body['id']}/refunds/", {"seats": [seats[0]]}, format="json"
        )

    assert partial.status_code == 201, partial.content
    assert partial.json()["amount"] == line_total  # fees included: staff refund in full
    with schema_context("alpha"):
        assert Refund.objects.get(pk=partial.json()["id"]).status == "succeeded"
    assert states("alpha", seats) == {seats[0]: "available", seats[1]: "sold"}
    order = client.get(f"/api/v1/orders/{body['id']}/").json()
    assert (order["status"], order["refunded"]) == ("paid", line_total)
    assert [line["status"] for line in order["lines"]] == ["refunded", "sold"]

    rest = manager.post(f"/api/v1/orders/{body['id']}/refunds/", {}, format="json")

    assert rest.json()["amount"] == body["total"] - line_total
    order = client.get(f"/api/v1/orders/{body['id']}/").json()
    assert (order["status"], order["refunded"]) == ("refunded", body["total"])
    assert states("alpha", seats) == {seat: "available" for seat in seats}
    again = manager.post(f"/api/v1/orders/{body['id']}/refunds/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "order_not_paid")


def test_a_goodwill_refund_keeps_the_seats_sold_and_cannot_exceed_the_order(
    show, customer, as_role
):
    _, client = customer
    body = _paid(client, show, ["B3", "B4"])
    owner = as_role(Role.OWNER)

    goodwill = owner.post(
        f"/api/v1/orders/{body['id']}/refunds/",
        {"amount": 1001, "note": "Sound failed for ten minutes"},
        format="json",
    )
    too_much = owner.post(
        f"/api/v1/orders/{body['id']}/refunds/", {"amount": body["total"]}, format="json"
    )
    both = owner.post(
        f"/api/v1/orders/{body['id']}/refunds/", {"amount": 5, "seats": [1]}, format="json"
    )

    assert goodwill.status_code == 201
    order = client.get(f"/api/v1/orders/{body['id']}/").json()
    assert order["status"] == "paid"
    assert sorted(line["refunded"] for line in order["lines"]) == [500, 501]
    assert [line["status"] for line in order["lines"]] == ["sold", "sold"]
    assert too_much.status_code == 400
    assert too_much.json()["code"] == "refund_too_large"
    assert both.status_code == 400
    with schema_context("alpha"):
        assert Refund.objects.count() == 1


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.BOX_OFFICE, Role.SCANNER])
def test_only_owners_and_managers_refund(show, customer, as_role, role):
    _, client = customer
    body = _paid(client, show, ["B5"])

    answer = as_role(role).post(f"/api/v1/orders/{body['id']}/refunds/", {}, format="json")

    assert answer.status_code == 403
    with schema_context("alpha"):
        assert not Refund.objects.exists()


def test_cancelling_a_show_refunds_everyone_and_lets_holds_go(
    show, customer, as_role, api, alpha, tasks_inline, django_capture_on_commit_callbacks
):
    _, client = customer
    paid = _paid(client, show, ["C1", "C2"])
    pending = checkout(as_role(Role.CUSTOMER), show, seat_ids("alpha", show, ["C3"]))
    api(alpha).post(
        f"/api/v1/shows/{show.pk}/holds/",
        {"seats": seat_ids("alpha", show, ["C4"])},
        format="json",
        HTTP_X_CART_ID="cart-show-cancel-0001",
    )
    refused = as_role(Role.MANAGER).post(f"/api/v1/shows/{show.pk}/cancel/")

    manager = as_role(Role.MANAGER)
    with django_capture_on_commit_callbacks(execute=True):
        started = manager.post(f"/api/v1/shows/{show.pk}/cancel-and-refund/")
    # The orders are settled by a Celery task after the request; GET reads its progress.
    done = manager.get(f"/api/v1/shows/{show.pk}/cancel-and-refund/")

    assert refused.status_code == 409  # plain cancel refuses while seats are sold
    assert started.status_code == 200, started.content
    assert (started.json()["status"], started.json()["orders_total"]) == ("queued", 2)
    assert done.status_code == 200, done.content
    assert {
        key: done.json()[key]
        for key in (
            "refunded_orders",
            "released_orders",
            "released_holds",
            "failed",
            "status",
            "orders_done",
            "orders_total",
        )
    } == {
        "refunded_orders": 1,
        "released_orders": 1,
        "released_holds": 1,
        "failed": 0,
        "status": "done",
        "orders_done": 2,
        "orders_total": 2,
    }
    with schema_context("alpha"):
        assert Show.objects.get(pk=show.pk).status == "cancelled"
        assert Order.objects.get(pk=paid["id"]).status == "refunded"
        assert Order.objects.get(pk=pending["id"]).status == "cancelled"
        refund = Refund.objects.get()
        assert (refund.amount, refund.reason) == (paid["total"], "show_cancelled")


def test_a_refund_the_gateway_refuses_is_kept_owed_and_can_be_sent_again(
    api, alpha, show, customer, as_role
):
    from venue_apps.payments.services.refunds import refund_execute, refund_retry

    _, client = customer
    with schema_context("alpha"):
        gateway_account_set("stripe", **STRIPE_KEYS)
    seats = seat_ids("alpha", show, ["D1"])
    with responses.RequestsMock(assert_all_requests_are_fired=False) as gateway:
        stripe_refunds_none_yet(gateway)
        gateway.add(
            responses.POST,
            f"{STRIPE_API}/v1/payment_intents",
            json=stripe_intent("pi_refusal01", 22500),
        )
        body = checkout(client, show, seats, provider="stripe")
        post_stripe_webhook(
            api(alpha),
            stripe_event(
                "payment_intent.succeeded",
                stripe_intent("pi_refusal01", body["total"], status="succeeded"),
            ),
        )
        refund = (
            as_role(Role.MANAGER)
            .post(f"/api/v1/orders/{body['id']}/refunds/", {}, format="json")
            .json()
        )
        gateway.add(
            responses.POST,
            f"{STRIPE_API}/v1/refunds",
            status=400,
            json={
                "error": {"type": "invalid_request_error", "message": "Charge has been disputed."}
            },
        )
        with schema_context("alpha"):
            assert refund_execute(refund["id"]) == "failed"
            row = Refund.objects.get(pk=refund["id"])
            assert row.status == "failed"
            assert "disputed" in row.last_error
            assert ledger_balances()["refunds_payable"] == -body["total"]  # still owed
            gateway.replace(
                responses.POST,
                f"{STRIPE_API}/v1/refunds",
                json={
                    "id": "re_second01",
                    "object": "refund",
                    "amount": body["total"],
                    "status": "succeeded",
                },
            )
            again = refund_retry(row)
            assert refund_execute(again.pk) == "succeeded"
            assert Refund.objects.get(pk=refund["id"]).status == "failed"  # kept as history
            assert ledger_balances().get("refunds_payable", 0) == 0


def test_order_lines_know_their_money(show, customer):
    _, client = customer
    body = _paid(client, show, ["D2"])
    with schema_context("alpha"):
        line = OrderLine.objects.get(order_id=body["id"])
        assert line.total == line.price - line.discount + line.fee + line.tax_added
        assert line.fee_total == FEE
        assert line.platform_fee == 0  # a test-mode sale: the platform charges nothing


def test_a_show_can_be_cancelled_after_a_full_goodwill_refund(
    show, customer, as_role, tasks_inline, django_capture_on_commit_callbacks
):
    _, client = customer
    body = _paid(client, show, ["D3"])
    manager = as_role(Role.MANAGER)
    manager.post(f"/api/v1/orders/{body['id']}/refunds/", {"amount": body["total"]}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        started = manager.post(f"/api/v1/shows/{show.pk}/cancel-and-refund/")
    done = manager.get(f"/api/v1/shows/{show.pk}/cancel-and-refund/")

    assert started.status_code == 200, started.content
    assert (done.json()["status"], done.json()["refunded_orders"]) == ("done", 1)
    seats = seat_ids("alpha", show, ["D3"])
    assert states("alpha", seats) == {seats[0]: "available"}
    with schema_context("alpha"):
        assert Order.objects.get(pk=body["id"]).status == "refunded"
        assert Refund.objects.count() == 1  # nothing more to give back


def test_a_payment_landing_after_the_show_was_cancelled_is_refunded(show, customer, as_role):
    _, client = customer
    pending = checkout(client, show, seat_ids("alpha", show, ["D4"]))
    with schema_context("alpha"):
        from venue_apps.shows.services import show_cancel

        show_cancel(Show.objects.get(pk=show.pk), with_sales=True)

    paid = sandbox(client, pending["payment"]["id"], "approve").json()

    assert (paid["order_status"], paid["status"]) == ("refunded", "refunded")
    with schema_context("alpha"):
        assert Refund.objects.get().reason == "show_closed"


def test_refunds_split_the_books_by_what_is_left_of_each_part(show, customer, as_role):
    _, client = customer
    body = _paid(client, show, ["D5"])  # 200.00 ticket + 25.00 fee, no taxes
    _show_starts_in(show, 100)
    as_role(Role.MANAGER).post(
        f"/api/v1/orders/{body['id']}/refunds/", {"amount": 500}, format="json"
    )

    cancelled = client.post(f"/api/v1/orders/{body['id']}/cancel/").json()

    # The goodwill refund took 444 from the ticket and 56 from the fee (in proportion);
    # cancelling at 100 % gives back the rest of the ticket and keeps the rest of the fee.
    assert cancelled["refund"] == 20000 - 444
    with schema_context("alpha"):
        balances = ledger_balances()
        line = OrderLine.objects.get(order_id=body["id"])
    assert (line.refunded_ticket, line.refunded_fee) == (20000, 56)
    assert balances.get("ticket_sales", 0) == 0
    assert balances["booking_fees"] == -(FEE - 56)


def _stripe_paid_and_refund_failed_at_stripe(api, alpha, show, customer, as_role, gateway):
    """A Stripe sale refunded by staff; Stripe takes the refund (pending, `re_first01`)
    and later reports it failed. Returns the order's body and the failed refund's id."""
    from venue_apps.payments.services.refunds import refund_execute

    _, client = customer
    with schema_context("alpha"):
        gateway_account_set("stripe", **STRIPE_KEYS)
    stripe_refunds_none_yet(gateway)
    gateway.add(
        responses.POST, f"{STRIPE_API}/v1/payment_intents", json=stripe_intent("pi_again01", 0)
    )
    body = checkout(client, show, seat_ids("alpha", show, ["D1"]), provider="stripe")
    post_stripe_webhook(
        api(alpha),
        stripe_event(
            "payment_intent.succeeded",
            stripe_intent("pi_again01", body["total"], status="succeeded"),
        ),
    )
    refund_id = (
        as_role(Role.MANAGER).post(f"/api/v1/orders/{body['id']}/refunds/", {}, format="json")
    ).json()["id"]
    gateway.add(
        responses.POST,
        f"{STRIPE_API}/v1/refunds",
        json={"id": "re_first01", "object": "refund", "status": "pending"},
    )
    with schema_context("alpha"):
        assert refund_execute(refund_id) == "pending"
    failed = post_stripe_webhook(
        api(alpha),
        stripe_event(
            "refund.failed",
            {
                "id": "re_first01",
                "object": "refund",
                "status": "failed",
                "amount": body["total"],
                "currency": "inr",
                "payment_intent": "pi_again01",
                "failure_reason": "expired_or_canceled_card",
                "metadata": {"refund": refund_id},
            },
        ),
    )
    assert failed.status_code == 200, failed.content
    # Stripe keeps the failed refund failed: asking about it again says so.
    gateway.add(
        responses.GET,
        f"{STRIPE_API}/v1/refunds/re_first01",
        json={"id": "re_first01", "object": "refund", "status": "failed"},
    )
    return body, refund_id


def test_send_again_makes_a_new_refund_and_keeps_the_failed_one(
    api,
    alpha,
    show,
    customer,
    as_role,
    make_user,
    tasks_inline,
    django_capture_on_commit_callbacks,
):
    from django.test import Client

    from venue_apps.audit.models import AuditEntry

    with responses.RequestsMock(assert_all_requests_are_fired=False) as gateway:
        body, failed_id = _stripe_paid_and_refund_failed_at_stripe(
            api, alpha, show, customer, as_role, gateway
        )
        gateway.replace(
            responses.POST,
            f"{STRIPE_API}/v1/refunds",
            json={"id": "re_second01", "object": "refund", "status": "succeeded"},
        )
        dashboard = Client(HTTP_HOST="alpha.localhost")
        with schema_context("alpha"):
            dashboard.force_login(make_user(alpha, role=Role.MANAGER))

        with django_capture_on_commit_callbacks(execute=True):
            sent = dashboard.post(
                "/dashboard/payments/refund/",
                {"action": "send_again", "_selected_action": [failed_id]},
            )

        assert sent.status_code == 302
        creates = [
            call.request
            for call in gateway.calls
            if call.request.method == "POST" and call.request.url.endswith("/v1/refunds")
        ]
    with schema_context("alpha"):
        old = Refund.objects.get(pk=failed_id)
        new = Refund.objects.exclude(pk=failed_id).get()
        assert (old.status, old.gateway_reference) == ("failed", "re_first01")
        assert (new.status, new.gateway_reference) == ("succeeded", "re_second01")
        assert (new.amount, new.reason, new.retry_of_id) == (old.amount, old.reason, old.pk)
        assert ledger_balances().get("refunds_payable", 0) == 0
        assert ledger_balances().get("funds:stripe", 0) == 0
        retried = AuditEntry.objects.get(action="refund.retried")
        assert (retried.target_type, retried.target_id) == ("payments.refund", str(old.pk))
        assert (retried.details["refund"], retried.details["order"]) == (str(new.pk), body["id"])
    listing = dashboard.get("/dashboard/payments/refund/?status__exact=failed")
    assert listing.status_code == 200
    assert str(new.pk) in listing.content.decode()  # "sent again as"
    # A new refund at Stripe, under a new idempotency key.
    assert [request.headers["Idempotency-Key"] for request in creates] == [
        f"refund-{failed_id}",
        f"refund-{new.pk}",
    ]


def test_a_refund_is_sent_again_once_and_only_when_it_failed(api, alpha, show, customer, as_role):
    from tenants.error_codes import Conflict
    from venue_apps.payments.services.refunds import refund_retry

    with responses.RequestsMock(assert_all_requests_are_fired=False) as gateway:
        _, failed_id = _stripe_paid_and_refund_failed_at_stripe(
            api, alpha, show, customer, as_role, gateway
        )
    with schema_context("alpha"):
        again = refund_retry(Refund.objects.get(pk=failed_id))
        before = sorted(Refund.objects.values_list("pk", "status"))
        balances = ledger_balances()

        with pytest.raises(Conflict) as twice:
            refund_retry(Refund.objects.get(pk=failed_id))
        with pytest.raises(Conflict) as pending:
            refund_retry(again)

        assert twice.value.code == pending.value.code == "refund_invalid"
        assert sorted(Refund.objects.values_list("pk", "status")) == before
        assert ledger_balances() == balances
