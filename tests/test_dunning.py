"""Charging chains for the platform's invoices, on a moved clock: a declined card is
retried on days 1, 3 and 7 after the first failure (never before), the owners are
emailed each time, the chain is suspended on day 14 (not 13) with reason `unpaid`, and
paying (the owner's "pay now", or staff marking it paid) resumes it at once. The
platform's Stripe account is answered at the HTTP boundary (`responses`), so the SDK's
own code runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import responses
import time_machine
from django.core import mail

from tenants.billing.dunning import dunning_run, invoice_charge, invoice_mark_paid
from tenants.billing.models import ChargeAttempt, Invoice
from tenants.error_codes import Conflict
from tenants.models import PlatformAuditLog, Tenant
from tenants.services import tenant_set_status
from tests.billing_factories import (
    PLATFORM_STRIPE_KEY,
    invoice_issue,
    sent_params,
    stripe_declines,
    stripe_succeeds,
    subscription_make,
)
from tests.checkout import STRIPE_API
from tests.fixtures import PASSWORD, PLATFORM_STAFF_EMAIL, dashboard_sign_in, obtain_tokens
from venue_apps.accounts.models import Role, User

pytestmark = pytest.mark.django_db

ISSUED = datetime(2027, 3, 1, 0, 30, tzinfo=UTC)
FIRST_RUN = ISSUED + timedelta(minutes=10)
DAY = timedelta(days=1)
BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def platform_stripe(settings):
    settings.PLATFORM_PAYMENTS = "stripe"
    settings.PLATFORM_STRIPE_SECRET_KEY = PLATFORM_STRIPE_KEY
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def emails_sent(tasks_inline, django_capture_on_commit_callbacks):
    """Run what waits for a commit (the emails, the host cache) as it would run."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def _charges(mock) -> list:
    return [call for call in mock.calls if call.request.url == f"{STRIPE_API}/v1/payment_intents"]


def _actions(tenant: Tenant) -> list[str]:
    return list(
        PlatformAuditLog.objects.filter(tenant=tenant)
        .order_by("id")
        .values_list("action", flat=True)
    )


def _staff_client(api):
    """Platform staff signed in now (on the moved clock: tokens signed before would
    have expired)."""
    client = api()
    tokens = obtain_tokens(client, PLATFORM_STAFF_EMAIL, platform=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


def _owner_client(api, tenant: Tenant):
    client = api(tenant)
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, f'owner@{tenant.slug}.test')['access']}"
    )
    return client


def test_a_declined_card_is_retried_on_days_1_3_7_emailed_and_suspended_on_day_14(
    api, alpha, platform_stripe, emails_sent
):
    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    stripe_declines(platform_stripe)
    first_audit = PlatformAuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0

    with time_machine.travel(ISSUED - timedelta(minutes=1), tick=False):
        early = emails_sent(dunning_run)
    with time_machine.travel(FIRST_RUN, tick=False):
        first = emails_sent(dunning_run)
    invoice.refresh_from_db()

    assert early.charged == []
    assert first.failed == [invoice.number]
    assert invoice.status == "failed"
    assert invoice.first_failed_at == FIRST_RUN
    assert invoice.next_attempt_at == FIRST_RUN + DAY
    assert invoice.attempts == 1
    [charge] = _charges(platform_stripe)
    params = sent_params(charge)
    assert params["amount"] == "262500"
    assert params["customer"] == "cus_platform0001"
    assert params["payment_method"] == "pm_platform0001"
    assert params["off_session"] == "true"
    assert params["confirm"] == "true"
    assert (
        charge.request.headers["Idempotency-Key"] == f"platform-invoice-{invoice.number}-attempt-1"
    )
    [email] = mail.outbox
    assert email.to == ["owner@alpha.test"]
    assert "₹2,625.00" in email.body
    assert "Your card has insufficient funds." in email.body
    assert "try your card again on 02 March 2027 00:40 UTC" in email.body
    assert "paid by 15 March 2027 00:40 UTC" in email.body
    assert "://alpha.localhost" in email.body
    assert "/dashboard/billing/\n" in email.body

    # Each retry comes on its day, not a minute before.
    for retry, days in enumerate((1, 3, 7), start=2):
        due = FIRST_RUN + days * DAY
        with time_machine.travel(due - timedelta(minutes=1), tick=False):
            assert emails_sent(dunning_run).charged == []
        assert len(_charges(platform_stripe)) == retry - 1
        with time_machine.travel(due, tick=False):
            assert emails_sent(dunning_run).failed == [invoice.number]
        assert len(_charges(platform_stripe)) == retry
        assert _charges(platform_stripe)[-1].request.headers["Idempotency-Key"] == (
            f"platform-invoice-{invoice.number}-attempt-{retry}"
        )
        assert len(mail.outbox) == retry
    invoice.refresh_from_db()
    assert invoice.attempts == 4
    assert invoice.next_attempt_at is None
    assert "We will not try your card again." in mail.outbox[-1].body
    assert list(invoice.charges.values_list("number", "outcome", "failure_code")) == [
        (n, "failed", "card_declined") for n in (1, 2, 3, 4)
    ]

    # Day 13: still served. Day 14: suspended as unpaid.
    with time_machine.travel(FIRST_RUN + 14 * DAY - timedelta(minutes=1), tick=False):
        assert emails_sent(dunning_run).suspended == []
    alpha.refresh_from_db()
    assert alpha.status == "active"
    assert api(alpha).get("/api/v1/tenant/").status_code == 200
    with time_machine.travel(FIRST_RUN + 14 * DAY, tick=False):
        assert emails_sent(dunning_run).suspended == ["alpha"]
    alpha.refresh_from_db()
    assert (alpha.status, alpha.status_reason) == ("suspended", "unpaid")
    assert len(_charges(platform_stripe)) == 4  # no charge after the last retry

    # The storefront and the rest of the API are refused; the owner can still pay.
    storefront = api(alpha).get("/", **BROWSER)
    catalogue = api(alpha).get("/api/v1/tenant/")
    assert storefront.status_code == 403
    assert "temporarily unavailable" in storefront.content.decode()
    assert catalogue.status_code == 403
    assert catalogue.json()["code"] == "tenant_suspended"
    platform_stripe.replace(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents",
        json={"id": "pi_paid", "object": "payment_intent", "status": "succeeded"},
    )
    with time_machine.travel(FIRST_RUN + 15 * DAY, tick=False):
        owner = _owner_client(api, alpha)  # signs in at the suspended host
        assert owner.get("/api/v1/me/").status_code == 403
        paid = emails_sent(owner.post, f"/api/v1/billing/invoices/{invoice.number}/pay/")

    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid"
    assert paid.json()["payment_reference"] == "pi_paid"
    alpha.refresh_from_db()
    assert (alpha.status, alpha.status_reason) == ("active", "")
    assert api(alpha).get("/api/v1/tenant/").status_code == 200
    assert len(mail.outbox) == 4  # no email for a success
    rows = list(
        PlatformAuditLog.objects.filter(tenant=alpha, id__gt=first_audit)
        .order_by("id")
        .values_list("action", "actor_email")
    )
    failures = [("charge_failed", ""), ("dunning_emailed", "")] * 4
    assert rows == [
        *failures,
        ("tenant_suspended", ""),
        ("invoice_paid", "owner@alpha.test"),
        ("tenant_resumed", "owner@alpha.test"),
    ]


def test_staff_marking_the_invoice_paid_resumes_the_chain_at_once(
    api, alpha, platform_stripe, emails_sent
):
    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    stripe_declines(platform_stripe)
    with time_machine.travel(FIRST_RUN, tick=False):
        emails_sent(dunning_run)
    with time_machine.travel(FIRST_RUN + 14 * DAY, tick=False):
        emails_sent(dunning_run)
    alpha.refresh_from_db()
    assert alpha.status_reason == "unpaid"

    with time_machine.travel(FIRST_RUN + 16 * DAY, tick=False):
        platform_client = _staff_client(api)
        refused = platform_client.post(
            f"/api/platform/invoices/{invoice.number}/mark-paid/", {}, format="json"
        )
        blank = platform_client.post(
            f"/api/platform/invoices/{invoice.number}/mark-paid/",
            {"reference": "  "},
            format="json",
        )
        marked = emails_sent(
            platform_client.post,
            f"/api/platform/invoices/{invoice.number}/mark-paid/",
            {"reference": "NEFT UTR 0042"},
            format="json",
        )
        again = platform_client.post(
            f"/api/platform/invoices/{invoice.number}/mark-paid/", {"reference": "x"}, format="json"
        )

    assert refused.status_code == 400
    assert blank.status_code == 400
    assert marked.status_code == 200, marked.content
    assert marked.json()["status"] == "paid"
    assert marked.json()["payment_reference"] == "NEFT UTR 0042"
    assert again.status_code == 409
    assert again.json()["code"] == "invoice_not_unpaid"
    alpha.refresh_from_db()
    assert alpha.status == "active"
    assert api(alpha).get("/api/v1/tenant/").status_code == 200
    assert _actions(alpha)[-2:] == ["invoice_paid", "tenant_resumed"]
    paid_row = PlatformAuditLog.objects.filter(tenant=alpha, action="invoice_paid").get()
    assert paid_row.actor_email == "staff@platform.test"
    assert paid_row.new_values["reference"] == "NEFT UTR 0042"


def test_a_chain_staff_suspended_for_another_reason_stays_suspended_when_it_pays(
    api, alpha, platform_stripe, emails_sent
):
    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    stripe_declines(platform_stripe)
    with time_machine.travel(FIRST_RUN, tick=False):
        emails_sent(dunning_run)
    emails_sent(tenant_set_status, alpha, status="suspended", reason="Fraud review")
    with time_machine.travel(FIRST_RUN + 20 * DAY, tick=False):
        emails_sent(dunning_run)  # already suspended: the reason is left as staff gave it
        alpha.refresh_from_db()
        assert alpha.status_reason == "Fraud review"
        marked = emails_sent(
            _staff_client(api).post,
            f"/api/platform/invoices/{invoice.number}/mark-paid/",
            {"reference": "cheque 17"},
            format="json",
        )

    assert marked.status_code == 200
    alpha.refresh_from_db()
    assert (alpha.status, alpha.status_reason) == ("suspended", "Fraud review")
    assert "tenant_resumed" not in _actions(alpha)


def test_a_payment_does_not_resume_a_chain_that_owes_another_overdue_invoice(
    alpha, platform_stripe, emails_sent
):
    subscription_make(alpha)
    older = invoice_issue(alpha, issued_at=ISSUED)
    newer = invoice_issue(alpha, issued_at=ISSUED + 2 * DAY, month=date(2027, 3, 1))
    stripe_declines(platform_stripe)
    with time_machine.travel(FIRST_RUN + 3 * DAY, tick=False):
        emails_sent(dunning_run)
    with time_machine.travel(FIRST_RUN + 17 * DAY + timedelta(hours=1), tick=False):
        emails_sent(dunning_run)
        alpha.refresh_from_db()
        assert alpha.status_reason == "unpaid"
        emails_sent(invoice_mark_paid, older, reference="wire 1", actor=None)
        alpha.refresh_from_db()
        assert alpha.status == "suspended"  # the newer one is overdue too
        emails_sent(invoice_mark_paid, newer, reference="wire 2", actor=None)
    alpha.refresh_from_db()
    assert alpha.status == "active"


def test_a_network_error_is_a_failed_attempt_not_an_exception(alpha, platform_stripe, emails_sent):
    import requests

    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    platform_stripe.add(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents",
        body=requests.exceptions.ConnectionError("connection refused"),
    )
    with time_machine.travel(FIRST_RUN, tick=False):
        report = emails_sent(dunning_run)

    invoice.refresh_from_db()
    assert report.failed == [invoice.number]
    assert invoice.status == "failed"
    [attempt] = invoice.charges.all()
    assert attempt.failure_code == "gateway_unavailable"
    assert len(mail.outbox) == 1


def test_a_chain_without_a_card_fails_without_calling_stripe(alpha, platform_stripe, emails_sent):
    subscription_make(alpha, customer="", payment_method="", label="")
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    with time_machine.travel(FIRST_RUN, tick=False):
        emails_sent(dunning_run)

    invoice.refresh_from_db()
    assert invoice.status == "failed"
    assert invoice.charges.get().failure_code == "no_card"
    assert _charges(platform_stripe) == []


def test_the_owners_pay_now_declined_is_a_402_and_recorded(
    api, alpha, platform_stripe, emails_sent
):
    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    stripe_declines(platform_stripe)
    with time_machine.travel(ISSUED + timedelta(hours=2), tick=False):
        owner = _owner_client(api, alpha)
        response = emails_sent(owner.post, f"/api/v1/billing/invoices/{invoice.number}/pay/")

    assert response.status_code == 402
    assert response.json()["code"] == "charge_failed"
    assert response.json()["detail"] == "Your card has insufficient funds."
    invoice.refresh_from_db()
    assert invoice.status == "failed"
    assert invoice.charges.get().requested_by == "owner@alpha.test"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("status", ["paid", "void"])
def test_paying_a_settled_invoice_is_a_409_and_charges_nothing(api, alpha, platform_stripe, status):
    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    Invoice.objects.filter(pk=invoice.pk).update(status=status)

    response = _owner_client(api, alpha).post(f"/api/v1/billing/invoices/{invoice.number}/pay/")

    assert response.status_code == 409
    assert response.json()["code"] == "invoice_not_unpaid"
    assert _charges(platform_stripe) == []
    assert not ChargeAttempt.objects.filter(invoice=invoice).exists()


def test_another_chains_invoice_is_not_found(api, alpha, beta, platform_stripe):
    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)

    response = _owner_client(api, beta).post(f"/api/v1/billing/invoices/{invoice.number}/pay/")

    assert response.status_code == 404
    assert _charges(platform_stripe) == []


@pytest.mark.parametrize("role", [Role.MANAGER, Role.BOX_OFFICE])
def test_managers_and_box_office_may_not_pay_or_open_billing(
    api, alpha, make_user, platform_stripe, role
):
    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    user = make_user(alpha, role=role)
    client = api(alpha)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(client, user.email)['access']}")
    browser = dashboard_sign_in(alpha, user)

    paid = client.post(f"/api/v1/billing/invoices/{invoice.number}/pay/")
    page = browser.get("/dashboard/billing/")
    pay_now = browser.post(f"/dashboard/billing/invoices/{invoice.number}/pay/")

    assert paid.status_code == 403
    assert page.status_code == 403
    assert pay_now.status_code == 403
    assert _charges(platform_stripe) == []
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attempts) == ("open", 0)


def test_void_needs_a_reason_and_resumes_an_unpaid_chain(api, alpha, platform_stripe, emails_sent):
    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    stripe_declines(platform_stripe)
    with time_machine.travel(FIRST_RUN, tick=False):
        emails_sent(dunning_run)
    with time_machine.travel(FIRST_RUN + 14 * DAY, tick=False):
        emails_sent(dunning_run)
        platform_client = _staff_client(api)
        refused = platform_client.post(
            f"/api/platform/invoices/{invoice.number}/void/", {}, format="json"
        )
        voided = emails_sent(
            platform_client.post,
            f"/api/platform/invoices/{invoice.number}/void/",
            {"reason": "Billed twice"},
            format="json",
        )

    assert refused.status_code == 400
    assert voided.status_code == 200
    assert voided.json()["status"] == "void"
    assert voided.json()["voided_reason"] == "Billed twice"
    alpha.refresh_from_db()
    assert alpha.status == "active"
    assert _actions(alpha)[-2:] == ["invoice_voided", "tenant_resumed"]


def test_a_chain_suspended_as_unpaid_serves_its_owner_only_sign_in_and_billing(
    api, alpha, emails_sent
):
    subscription_make(alpha, customer="sbx_cus_1", payment_method="sbx_pm_4242_abc")
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    Invoice.objects.filter(pk=invoice.pk).update(status="failed", first_failed_at=FIRST_RUN)
    emails_sent(tenant_set_status, alpha, status="suspended", reason="unpaid")

    token = api(alpha).post(
        "/api/v1/auth/token/", {"email": "owner@alpha.test", "password": PASSWORD}, format="json"
    )
    browser = dashboard_sign_in(alpha, _owner(alpha))
    home = browser.get("/dashboard/", **BROWSER)
    billing = browser.get("/dashboard/billing/", **BROWSER)
    orders = browser.get("/dashboard/orders/order/", **BROWSER)
    orders_api = api(alpha).get("/api/v1/orders/")
    storefront = api(alpha).get("/titles/3", **BROWSER)
    media = api(alpha).get("/media/tenants/alpha/posters/none.jpg")
    static = api(alpha).get("/static/admin/css/base.css")

    assert token.status_code == 200
    assert (home.status_code, home["Location"]) == (302, "/dashboard/billing/")
    assert billing.status_code == 200
    assert b"The storefront is suspended" in billing.content
    assert orders.status_code == 302
    assert orders_api.status_code == 403
    assert storefront.status_code == 403
    assert media.status_code == 403
    assert static.status_code != 403  # the dashboard's own CSS, no chain's data


def test_a_chain_suspended_by_staff_serves_not_even_its_billing(api, frozen):
    assert api(frozen).get("/dashboard/billing/", **BROWSER).status_code == 403
    assert api(frozen).post("/api/v1/billing/invoices/2027-000001/pay/").status_code == 403
    assert api(frozen).get("/dashboard/login/", **BROWSER).status_code == 403


def _owner(tenant: Tenant) -> User:
    from django_tenants.utils import schema_context

    with schema_context(tenant.schema_name):
        return User.objects.get(email=f"owner@{tenant.slug}.test")


def test_charging_twice_the_same_invoice_in_one_process_is_a_conflict(alpha, platform_stripe):
    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    stripe_succeeds(platform_stripe, invoice.total)

    first = invoice_charge(invoice)
    with pytest.raises(Conflict) as refused:
        invoice_charge(invoice)

    assert first.outcome == "succeeded"
    assert refused.value.code == "invoice_not_unpaid"
    assert len(_charges(platform_stripe)) == 1


def test_a_charge_the_bank_wants_confirmed_is_a_failed_attempt(alpha, platform_stripe, emails_sent):
    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    platform_stripe.add(
        responses.POST,
        f"{STRIPE_API}/v1/payment_intents",
        json={"id": "pi_3ds", "object": "payment_intent", "status": "requires_action"},
    )
    with time_machine.travel(FIRST_RUN, tick=False):
        emails_sent(dunning_run)

    invoice.refresh_from_db()
    attempt = invoice.charges.get()
    assert invoice.status == "failed"
    assert (attempt.failure_code, attempt.gateway_reference) == (
        "authentication_required",
        "pi_3ds",
    )
    assert "confirm this payment" in mail.outbox[0].body
