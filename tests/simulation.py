"""A checkout storm with an unreliable gateway, for the test suite and the benchmark.

Customers (threads, each with its own database connection, over HTTP through every
middleware) hold seats, order, and pay with Stripe (the official SDK, talking to a fake
api.stripe.com at the HTTP boundary) or the sandbox. The gateway misbehaves the way
real ones do: webhooks arrive twice or three times, out of order, from another thread
at the same moment, or never (reconciliation must find them); customers decline, pay
after their hold lapsed (sometimes after someone else took a seat), pay twice, or give
up. At the end every captured payment must be tickets or a refund, no seat sold twice,
and the ledger must match the gateway to the minor unit.
"""

from __future__ import annotations

import itertools
import json
import queue
import random
import re
import secrets
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import responses
from django.db import connections
from django.db.models import F
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.checkout import STRIPE_API, STRIPE_KEYS, stripe_event, stripe_signature

OUTCOMES = (
    ("approve", 0.62),
    ("decline", 0.10),
    ("late_free", 0.07),
    ("late_taken", 0.07),
    ("abandon", 0.07),
    ("pay_twice", 0.07),
)


class FakeStripe:
    """api.stripe.com as far as the SDK needs it: PaymentIntents, cancels, refunds
    (idempotent by key, as Stripe is), and its own books to check ours against."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.intents: dict[str, dict[str, Any]] = {}
        self.by_key: dict[str, str] = {}
        self.refunds: dict[str, dict[str, Any]] = {}

    def install(self, mock: responses.RequestsMock) -> None:
        base = re.escape(STRIPE_API)
        mock.add_callback(responses.POST, re.compile(f"{base}/v1/payment_intents$"), self._create)
        mock.add_callback(
            responses.GET, re.compile(f"{base}/v1/payment_intents/pi_\\w+(\\?.*)?$"), self._retrieve
        )
        mock.add_callback(
            responses.POST, re.compile(f"{base}/v1/payment_intents/pi_\\w+/cancel$"), self._cancel
        )
        mock.add_callback(responses.POST, re.compile(f"{base}/v1/refunds$"), self._refund)
        mock.add_callback(
            responses.GET, re.compile(f"{base}/v1/refunds(\\?.*)?$"), self._refund_list
        )
        mock.add_callback(
            responses.GET, re.compile(f"{base}/v1/refunds/re_\\w+$"), self._refund_get
        )

    @staticmethod
    def _form(request) -> dict[str, str]:
        body = request.body or ""
        if isinstance(body, bytes):
            body = body.decode()
        return {key: values[0] for key, values in parse_qs(body).items()}

    def _json(self, status: int, body: dict) -> tuple[int, dict, str]:
        return (
            status,
            {"Content-Type": "application/json", "Request-Id": "req_fake"},
            json.dumps(body),
        )

    def _create(self, request):
        form = self._form(request)
        key = request.headers.get("Idempotency-Key", "")
        with self.lock:
            if key in self.by_key:
                return self._json(200, self.intents[self.by_key[key]])
            intent_id = f"pi_{secrets.token_hex(10)}"
            intent = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": int(form["amount"]),
                "amount_received": 0,
                "currency": form["currency"],
                "status": "requires_payment_method",
                "client_secret": f"{intent_id}_secret_{secrets.token_hex(6)}",
                "latest_charge": None,
                "last_payment_error": None,
                "metadata": {},
            }
            self.intents[intent_id] = intent
            self.by_key[key] = intent_id
            return self._json(200, intent)

    def _retrieve(self, request):
        intent_id = request.url.rsplit("/", 1)[1].split("?")[0]
        with self.lock:
            return self._json(200, self.intents[intent_id])

    def _cancel(self, request):
        intent_id = request.url.rsplit("/", 2)[1]
        with self.lock:
            intent = self.intents[intent_id]
            if intent["status"] == "succeeded":
                return self._json(
                    400,
                    {"error": {"type": "invalid_request_error", "message": "already succeeded"}},
                )
            intent["status"] = "canceled"
            return self._json(200, intent)

    def _refund(self, request):
        form = self._form(request)
        key = request.headers.get("Idempotency-Key", "")
        with self.lock:
            if key in self.refunds:
                return self._json(200, self.refunds[key])
            intent = self.intents[form["payment_intent"]]
            refunded = sum(
                r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent["id"]
            )
            amount = int(form["amount"])
            if intent["status"] != "succeeded" or refunded + amount > intent["amount_received"]:
                return self._json(
                    400,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "message": "refund exceeds the charge",
                        }
                    },
                )
            refund = {
                "id": f"re_{secrets.token_hex(8)}",
                "object": "refund",
                "amount": amount,
                "status": "succeeded",
                "payment_intent": intent["id"],
                "currency": "eur",
                "metadata": {"refund": form.get("metadata[refund]", "")},
            }
            self.refunds[key] = refund
            return self._json(200, refund)

    def _refund_list(self, request):
        intent_id = parse_qs(request.url.split("?", 1)[1]).get("payment_intent", [""])[0]
        with self.lock:
            data = [r for r in self.refunds.values() if r["payment_intent"] == intent_id]
        return self._json(200, {"object": "list", "data": data, "has_more": False})

    def _refund_get(self, request):
        refund_id = request.url.rsplit("/", 1)[1]
        with self.lock:
            found = next(r for r in self.refunds.values() if r["id"] == refund_id)
        return self._json(200, found)

    def pay(self, intent_id: str, *, succeed: bool) -> list[bytes]:
        """The customer pays (or their card is declined); the events Stripe would send."""
        with self.lock:
            intent = self.intents[intent_id]
            if intent["status"] in ("canceled", "succeeded"):
                return []  # cannot be paid (again)
            if succeed:
                intent.update(status="succeeded", amount_received=intent["amount"])
                charge = {
                    "id": f"ch_{secrets.token_hex(8)}",
                    "object": "charge",
                    "amount": intent["amount"],
                    "amount_captured": intent["amount"],
                    "currency": intent["currency"],
                    "payment_intent": intent_id,
                    "status": "succeeded",
                    "payment_method_details": {
                        "type": "card",
                        "card": {"fingerprint": f"fp{secrets.token_hex(4)}"},
                    },
                }
                intent["latest_charge"] = charge["id"]
                snapshot = dict(intent)
                return [
                    stripe_event("payment_intent.succeeded", snapshot),
                    stripe_event("charge.succeeded", charge),
                ]
            intent["last_payment_error"] = {"code": "card_declined", "message": "Declined"}
            return [stripe_event("payment_intent.payment_failed", dict(intent))]

    def captured(self) -> int:
        return sum(
            i["amount_received"] for i in self.intents.values() if i["status"] == "succeeded"
        )

    def refunded(self) -> int:
        return sum(refund["amount"] for refund in self.refunds.values())


@dataclass
class Report:
    checkouts: int = 0
    orders: int = 0
    outcomes: Counter = field(default_factory=Counter)
    answers: Counter = field(default_factory=Counter)
    webhooks_sent: int = 0
    webhooks_lost: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    crashes: list[str] = field(default_factory=list)
    checks: dict[str, Any] = field(default_factory=dict)


class Storm:
    def __init__(
        self,
        *,
        schema: str,
        host: str,
        show_id: int,
        seat_ids: list[int],
        users: list[Any],
        checkouts: int,
        seed: int = 7,
    ) -> None:
        self.schema = schema
        self.host = host
        self.show_id = show_id
        self.seat_ids = seat_ids
        self.users = users
        self.checkouts = checkouts
        self.seed = seed
        self.stripe = FakeStripe()
        self.report = Report()
        self.lock = threading.Lock()
        self.replays: queue.Queue = queue.Queue()
        self.counter = itertools.count()
        self.tokens: dict[int, str] = {}
        self.order_outcomes: dict[str, str] = {}

    # --- one customer ------------------------------------------------------------------

    def _client(self, user) -> Client:
        client = Client(HTTP_HOST=self.host)
        if user.pk not in self.tokens:
            response = client.post(
                "/api/v1/auth/token/",
                {"email": user.email, "password": self.password},
                content_type="application/json",
            )
            self.tokens[user.pk] = response.json()["access"]
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {self.tokens[user.pk]}"
        return client

    def _note(self, key: str, value: Any) -> None:
        with self.lock:
            self.report.answers[f"{key} {value}"] += 1

    def _deliver(self, rng: random.Random, client: Client, events: list[bytes]) -> None:
        """Webhooks the way gateways send them: reordered, repeated, concurrent, lost."""
        if rng.random() < 0.08:
            with self.lock:
                self.report.webhooks_lost += len(events)
            return  # lost: only reconciliation will tell us
        events = list(events)
        rng.shuffle(events)
        for payload in events:
            copies = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
            for copy in range(copies):
                if copy and rng.random() < 0.5:
                    self.replays.put(payload)  # the same event, from another thread, now
                    continue
                self._post_webhook(client, payload)

    def _post_webhook(self, client: Client, payload: bytes) -> None:
        response = client.post(
            "/api/v1/payments/webhooks/stripe/",
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=stripe_signature(payload, STRIPE_KEYS["webhook_secret"]),
        )
        with self.lock:
            self.report.webhooks_sent += 1
            result = response.json().get("result") if response.status_code == 200 else None
            self.report.duplicates += result == "duplicate"
        self._note("webhook", response.status_code)

    def _lapse(self, order_id: str) -> None:
        from venue_apps.inventory.models import Hold, ShowSeat
        from venue_apps.orders.models import Order

        past = timezone.now() - timedelta(seconds=1)
        with schema_context(self.schema):
            order = Order.objects.get(pk=order_id)
            Hold.objects.filter(pk=order.hold_id).update(expires_at=past)
            ShowSeat.objects.filter(hold_id=order.hold_id).update(held_until=past)
            Order.objects.filter(pk=order_id).update(expires_at=past)

    def _checkout(self, index: int) -> None:
        rng = random.Random(self.seed * 100_003 + index)
        user = rng.choice(self.users)
        client = self._client(user)
        outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        provider = "stripe" if rng.random() < 0.7 else "sandbox"
        count = rng.randint(1, 3)
        start = rng.randrange(0, len(self.seat_ids) - count)
        wanted = self.seat_ids[start : start + count]
        held = client.post(
            f"/api/v1/shows/{self.show_id}/holds/",
            {"seats": wanted},
            content_type="application/json",
        )
        if held.status_code == 409:
            held = client.post(
                f"/api/v1/shows/{self.show_id}/holds/",
                {"best_available": {"count": count, "category": "regular"}},
                content_type="application/json",
            )
        self._note("hold", held.status_code)
        with self.lock:
            self.report.checkouts += 1
        if held.status_code != 201:
            return
        created = client.post(
            "/api/v1/orders/",
            {"hold": held.json()["id"], "provider": provider},
            content_type="application/json",
        )
        self._note("order", created.status_code)
        if created.status_code != 201:
            return
        body = created.json()
        with self.lock:
            self.report.orders += 1
            self.report.outcomes[f"{provider}:{outcome}"] += 1
            self.order_outcomes[body["id"]] = outcome
        if outcome in ("late_free", "late_taken"):
            self._lapse(body["id"])
            if outcome == "late_taken":
                rival = Client(HTTP_HOST=self.host)
                taken = rival.post(
                    f"/api/v1/shows/{self.show_id}/holds/",
                    {"seats": [line["seat"] for line in body["lines"]][:1]},
                    content_type="application/json",
                    HTTP_X_CART_ID=f"rival-cart-{index:06d}-xxxxxx",
                )
                self._note("rival hold", taken.status_code)
        if outcome == "abandon":
            return
        payment = body["payment"]
        if provider == "sandbox":
            # The storm's "decline" gives up on the attempt for good (seats released
            # at once): on the sandbox page that is "cancel" ("decline" may be retried).
            verdict = {"approve": "approve", "decline": "cancel"}.get(outcome, "approve")
            answer = client.post(
                f"/api/v1/payments/{payment['id']}/sandbox/",
                {"outcome": verdict},
                content_type="application/json",
            )
            self._note("sandbox", answer.status_code)
            return
        intent = payment["payment_intent"]
        events = self.stripe.pay(intent, succeed=outcome != "decline")
        if outcome == "pay_twice":
            # A second attempt (another tab), and both get paid.
            again = client.post(
                f"/api/v1/orders/{body['id']}/payments/",
                {"provider": "stripe"},
                content_type="application/json",
            )
            self._note("second attempt", again.status_code)
            if again.status_code == 201:
                events += self.stripe.pay(again.json()["payment"]["payment_intent"], succeed=True)
        self._deliver(rng, client, events)

    # --- the run -----------------------------------------------------------------------

    def _replayer(self, stop: threading.Event) -> None:
        client = Client(HTTP_HOST=self.host)
        try:
            while not (stop.is_set() and self.replays.empty()):
                try:
                    payload = self.replays.get(timeout=0.05)
                except queue.Empty:
                    continue
                self._post_webhook(client, payload)
        finally:
            connections.close_all()

    def run(self, *, threads: int, password: str) -> Report:
        from ticketing_platform.celery import app

        self.password = password
        started = time.perf_counter()
        app.conf.task_always_eager = True  # refunds are sent as soon as they are decided
        stop = threading.Event()
        try:
            with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
                self.stripe.install(mock)
                replayer = threading.Thread(target=self._replayer, args=(stop,))
                replayer.start()
                workers = [threading.Thread(target=self._work) for _ in range(threads)]
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join(timeout=600)
                stop.set()
                replayer.join(timeout=120)
                self._settle()
        finally:
            app.conf.task_always_eager = False
            connections.close_all()
        self.report.seconds = time.perf_counter() - started
        self._check()
        return self.report

    def _work(self) -> None:
        try:
            while True:
                index = next(self.counter)
                if index >= self.checkouts:
                    return
                try:
                    self._checkout(index)
                except Exception:  # a crash is a finding, not a reason to stop the storm
                    with self.lock:
                        self.report.crashes.append(traceback.format_exc())
        finally:
            connections.close_all()

    def _settle(self) -> None:
        """What the beat tasks would do afterwards: expire unpaid orders, ask the gateway
        about payments nobody told us of, send refunds still owed."""
        from venue_apps.payments.models import Refund
        from venue_apps.payments.services.reconciliation import payments_reconcile
        from venue_apps.payments.services.refunds import refund_execute
        from venue_apps.sales.expiry import unpaid_orders_expire

        with schema_context(self.schema):
            later = timezone.now() + timedelta(hours=2)
            self.report.checks["reconciled"] = payments_reconcile(now=later)
            unpaid_orders_expire(now=later)
            for refund_id in Refund.objects.filter(status="pending").values_list("pk", flat=True):
                refund_execute(refund_id)

    def _check(self) -> None:
        from django.db.models import Count, Sum

        from venue_apps.inventory.models import ShowSeat
        from venue_apps.orders.models import Order, OrderLine
        from venue_apps.payments.models import Payment, Refund
        from venue_apps.payments.services.ledger import ledger_balances

        checks = self.report.checks
        with schema_context(self.schema):
            balances = ledger_balances()
            captured = Payment.objects.filter(captured_amount__gt=0)
            checks["captured_payments"] = captured.count()
            checks["captured_to_tickets"] = captured.filter(paid_order=True).count()
            checks["captured_refunded_in_full"] = captured.filter(
                paid_order=False, refunded_amount=F("captured_amount")
            ).count()
            checks["captured_neither"] = (
                captured.filter(paid_order=False)
                .exclude(refunded_amount=F("captured_amount"))
                .count()
            )
            checks["refunds_not_succeeded"] = Refund.objects.exclude(status="succeeded").count()
            sold_lines = OrderLine.objects.filter(status="sold")
            checks["seats_sold_twice"] = (
                sold_lines.values("show_seat").annotate(n=Count("pk")).filter(n__gt=1).count()
            )
            checks["sold_seats_match_lines"] = set(
                ShowSeat.objects.filter(state="sold").values_list("pk", flat=True)
            ) == set(sold_lines.values_list("show_seat_id", flat=True))
            paid = Order.objects.filter(status="paid")
            checks["orders_by_status"] = dict(
                Order.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
            )
            earned = (paid.aggregate(total=Sum("total"))["total"] or 0) - (
                paid.aggregate(refunded=Sum("refunded_amount"))["refunded"] or 0
            )
            checks["ledger"] = balances
            checks["ledger_sum"] = sum(balances.values())
            checks["gateway_captured"] = self.stripe.captured()
            checks["gateway_refunded"] = self.stripe.refunded()
            sandbox = Payment.objects.filter(provider="sandbox")
            checks["sandbox_net"] = (sandbox.aggregate(c=Sum("captured_amount"))["c"] or 0) - (
                sandbox.aggregate(r=Sum("refunded_amount"))["r"] or 0
            )
            checks["revenue"] = -(
                balances.get("ticket_sales", 0)
                + balances.get("booking_fees", 0)
                + balances.get("tax", 0)
            )
            checks["earned_by_paid_orders"] = earned

            # Customers who paid in time (once or twice) must all hold tickets: the
            # transaction success rate. Late payers keep theirs only if nobody else
            # took a seat meanwhile, so they are counted apart.
            def paid(outcomes: tuple[str, ...]) -> tuple[int, int]:
                ids = [i for i, outcome in self.order_outcomes.items() if outcome in outcomes]
                return Order.objects.filter(pk__in=ids, status="paid").count(), len(ids)

            checks["paid_of_those"], checks["should_be_paid"] = paid(("approve", "pay_twice"))
            checks["late_paid"], checks["late_orders"] = paid(("late_free", "late_taken"))


def summary(report: Report) -> str:
    checks = report.checks
    captured = checks["captured_payments"]
    settled = (checks["captured_to_tickets"] + checks["captured_refunded_in_full"]) / max(
        1, captured
    )
    lines = [
        f"checkouts {report.checkouts}, orders {report.orders}, in {report.seconds:.1f} s",
        "outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items())),
        f"webhooks sent {report.webhooks_sent} (duplicates answered as such: "
        f"{report.duplicates}), lost {report.webhooks_lost}; reconciliation "
        f"{checks['reconciled']}",
        f"captured payments {captured}: to tickets {checks['captured_to_tickets']}, refunded in "
        f"full {checks['captured_refunded_in_full']}, neither {checks['captured_neither']}",
        f"success rate (captured payments ending as tickets or a full refund): {settled:.2%}",
        f"transaction success: {checks['paid_of_those']} of {checks['should_be_paid']} orders "
        f"paid in time hold tickets "
        f"({checks['paid_of_those'] / max(1, checks['should_be_paid']):.2%}); late payers: "
        f"{checks['late_paid']} of {checks['late_orders']} still got their seats",
        f"orders by status: {checks['orders_by_status']}",
        f"seats sold twice: {checks['seats_sold_twice']}; sold seats match sold lines: "
        f"{checks['sold_seats_match_lines']}",
        f"gateway captured {checks['gateway_captured']}, refunded {checks['gateway_refunded']}; "
        f"ledger funds:stripe {checks['ledger'].get('funds:stripe', 0)}, funds:sandbox "
        f"{checks['ledger'].get('funds:sandbox', 0)} (sandbox net {checks['sandbox_net']})",
        f"revenue in the ledger {checks['revenue']} = paid orders net of refunds "
        f"{checks['earned_by_paid_orders']}; ledger sum {checks['ledger_sum']}; "
        f"customer_funds {checks['ledger'].get('customer_funds', 0)}, refunds_payable "
        f"{checks['ledger'].get('refunds_payable', 0)}",
        "answers: " + ", ".join(f"{k} x{v}" for k, v in sorted(report.answers.items())),
    ]
    return "\n".join(lines)
