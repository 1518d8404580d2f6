"""The owner's billing page (`/dashboard/billing/`): plan, card, invoices and "Pay now"
(the sandbox in the demo, Stripe Checkout in "setup" mode for real cards), the banner
on every dashboard page while a charge has failed, and the console's invoice actions."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from io import BytesIO
from urllib.parse import parse_qsl

import pytest
import responses
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from pypdf import PdfReader

from tenants.billing.models import Invoice, Subscription
from tenants.models import PlatformAuditLog
from tests.billing_factories import (
    PLATFORM_STRIPE_KEY,
    invoice_issue,
    stripe_declines,
    stripe_succeeds,
    subscription_make,
)
from tests.checkout import STRIPE_API
from tests.fixtures import PASSWORD, PLATFORM_STAFF_EMAIL, dashboard_sign_in
from venue_apps.accounts.models import Role, User

pytestmark = pytest.mark.django_db

ISSUED = datetime(2026, 11, 1, 0, 30, tzinfo=UTC)


def _owner(tenant) -> User:
    with schema_context(tenant.schema_name):
        return User.objects.get(email=f"owner@{tenant.slug}.test")


@pytest.fixture
def owner_browser(alpha):
    return dashboard_sign_in(alpha, _owner(alpha))


def test_the_page_lists_plan_card_and_invoices_with_their_hooks(alpha, beta, owner_browser):
    subscription_make(alpha, customer="sbx_cus_1", payment_method="sbx_pm_4242_a")
    open_invoice = invoice_issue(alpha, issued_at=ISSUED)
    paid = invoice_issue(alpha, issued_at=ISSUED - timedelta(days=31))
    Invoice.objects.filter(pk=paid.pk).update(status="paid", paid_at=timezone.now())
    theirs = invoice_issue(beta, issued_at=ISSUED)

    page = owner_browser.get("/dashboard/billing/")
    html = page.content.decode()

    assert page.status_code == 200
    assert "Standard" in html  # the plan
    assert "Visa •••• 4242" in html
    assert f'data-invoice="{open_invoice.number}"' in html
    assert f'data-invoice="{paid.number}"' in html
    assert theirs.number not in html  # another chain's invoice never shows
    assert html.count('data-action="pay-now"') == 1  # only the open one
    assert "₹2,625.00" in html
    assert f"/dashboard/billing/invoices/{open_invoice.number}/pdf/" in html


def test_the_pdf_link_serves_the_invoice_to_its_owner_only(alpha, beta, owner_browser):
    mine = invoice_issue(alpha, issued_at=ISSUED)
    theirs = invoice_issue(beta, issued_at=ISSUED)

    pdf = owner_browser.get(f"/dashboard/billing/invoices/{mine.number}/pdf/")

    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    assert mine.number in text
    assert owner_browser.get(f"/dashboard/billing/invoices/{theirs.number}/pdf/").status_code == 404


def test_the_sidebar_names_billing_for_owners_only(alpha, make_user, owner_browser):
    manager = dashboard_sign_in(alpha, make_user(alpha, role=Role.MANAGER))

    assert 'href="/dashboard/billing/"' in owner_browser.get("/dashboard/").content.decode()
    assert "/dashboard/billing/" not in manager.get("/dashboard/").content.decode()


def test_sandbox_card_then_pay_now_pays_and_says_so(alpha, owner_browser, settings):
    settings.PLATFORM_PAYMENTS = "sandbox"
    subscription_make(alpha, customer="", payment_method="", label="")
    invoice = invoice_issue(alpha, issued_at=ISSUED)

    saved = owner_browser.post("/dashboard/billing/card/", {"number": "4242 4242 4242 4242"})
    paid = owner_browser.post(f"/dashboard/billing/invoices/{invoice.number}/pay/", follow=True)

    subscription = Subscription.objects.get(tenant=alpha)
    assert saved.status_code == 302
    assert subscription.card_label == "Visa •••• 4242"
    assert subscription.gateway_payment_method.startswith("sbx_pm_4242_")
    assert "4242424242424242" not in str(
        Subscription.objects.filter(tenant=alpha).values().get()
    )  # never the number
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert invoice.payment_reference.startswith("sbx_ch_")
    assert f"Invoice {invoice.number} is paid" in paid.content.decode()
    assert list(
        PlatformAuditLog.objects.filter(tenant=alpha).values_list("action", flat=True)[:2]
    ) == ["invoice_paid", "tenant_updated"]


def test_a_declining_sandbox_card_fails_and_the_banner_shows_everywhere(
    alpha, make_user, owner_browser, settings, tasks_inline, django_capture_on_commit_callbacks
):
    settings.PLATFORM_PAYMENTS = "sandbox"
    subscription_make(alpha, customer="", payment_method="", label="")
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    owner_browser.post("/dashboard/billing/card/", {"number": "4000 0000 0000 0002"})

    with django_capture_on_commit_callbacks(execute=True):
        failed = owner_browser.post(
            f"/dashboard/billing/invoices/{invoice.number}/pay/", follow=True
        )
    home = owner_browser.get("/dashboard/")
    manager_home = dashboard_sign_in(alpha, make_user(alpha, role=Role.MANAGER)).get("/dashboard/")

    invoice.refresh_from_db()
    assert invoice.status == "failed"
    assert "Your card was declined." in failed.content.decode()
    deadline = f"{invoice.first_failed_at + timedelta(days=14):%-d %B %Y}"
    for page in (failed, home, manager_home):
        html = page.content.decode()
        assert 'data-billing="banner"' in html
        assert f"Pay by {deadline} or the storefront is suspended" in html


def test_an_unknown_sandbox_number_is_refused_and_nothing_saved(alpha, owner_browser, settings):
    settings.PLATFORM_PAYMENTS = "sandbox"
    subscription_make(alpha, customer="", payment_method="", label="")

    page = owner_browser.post(
        "/dashboard/billing/card/", {"number": "5555 5555 5555 4444"}, follow=True
    )

    assert "Use a sandbox test card" in page.content.decode()
    assert Subscription.objects.get(tenant=alpha).card_label == ""


def test_a_card_is_saved_through_stripe_checkout_in_setup_mode(alpha, owner_browser, settings):
    settings.PLATFORM_PAYMENTS = "stripe"
    settings.PLATFORM_STRIPE_SECRET_KEY = PLATFORM_STRIPE_KEY
    subscription_make(alpha, customer="", payment_method="", label="")
    with responses.RequestsMock() as stripe:
        stripe.add(
            responses.POST,
            f"{STRIPE_API}/v1/customers",
            json={"id": "cus_alpha", "object": "customer"},
        )
        stripe.add(
            responses.POST,
            f"{STRIPE_API}/v1/checkout/sessions",
            json={
                "id": "cs_test_alpha",
                "object": "checkout.session",
                "url": "https://checkout.stripe.com/c/pay/cs_test_alpha",
            },
        )
        started = owner_browser.post("/dashboard/billing/card/")
        session_params = dict(parse_qsl(stripe.calls[1].request.body))
        stripe.add(
            responses.GET,
            f"{STRIPE_API}/v1/checkout/sessions/cs_test_alpha",
            json={
                "id": "cs_test_alpha",
                "object": "checkout.session",
                "customer": "cus_alpha",
                "status": "complete",
                "metadata": {"tenant": "alpha"},
                "setup_intent": {
                    "id": "seti_1",
                    "object": "setup_intent",
                    "status": "succeeded",
                    "payment_method": {
                        "id": "pm_card_alpha",
                        "object": "payment_method",
                        "card": {"brand": "mastercard", "last4": "4444"},
                    },
                },
            },
        )
        back = owner_browser.get("/dashboard/billing/card/return/?session_id=cs_test_alpha")

    assert started.status_code == 302
    assert started["Location"] == "https://checkout.stripe.com/c/pay/cs_test_alpha"
    assert session_params["mode"] == "setup"
    assert session_params["customer"] == "cus_alpha"
    assert session_params["success_url"].endswith(
        "/dashboard/billing/card/return/?session_id={CHECKOUT_SESSION_ID}"
    )
    assert back.status_code == 302
    subscription = Subscription.objects.get(tenant=alpha)
    assert (
        subscription.gateway_customer,
        subscription.gateway_payment_method,
        subscription.card_label,
    ) == ("cus_alpha", "pm_card_alpha", "Mastercard •••• 4444")


def test_another_customers_checkout_session_is_not_taken(alpha, owner_browser, settings):
    settings.PLATFORM_PAYMENTS = "stripe"
    settings.PLATFORM_STRIPE_SECRET_KEY = PLATFORM_STRIPE_KEY
    subscription_make(alpha, customer="cus_alpha", payment_method="", label="")
    with responses.RequestsMock() as stripe:
        stripe.add(
            responses.GET,
            f"{STRIPE_API}/v1/checkout/sessions/cs_test_beta",
            json={
                "id": "cs_test_beta",
                "object": "checkout.session",
                "customer": "cus_beta",
                "metadata": {"tenant": "beta"},
                "setup_intent": {
                    "status": "succeeded",
                    "payment_method": {"id": "pm_beta", "card": {"brand": "visa", "last4": "1"}},
                },
            },
        )
        page = owner_browser.get(
            "/dashboard/billing/card/return/?session_id=cs_test_beta", follow=True
        )

    assert "That card setup is not complete." in page.content.decode()
    assert Subscription.objects.get(tenant=alpha).gateway_payment_method == ""


def test_the_platform_key_never_reaches_the_logs(alpha, settings, caplog):
    from tenants.billing.dunning import invoice_charge

    settings.PLATFORM_PAYMENTS = "stripe"
    settings.PLATFORM_STRIPE_SECRET_KEY = PLATFORM_STRIPE_KEY
    subscription_make(alpha)
    invoice = invoice_issue(alpha, issued_at=ISSUED)
    caplog.set_level(logging.DEBUG)
    with responses.RequestsMock() as stripe:
        stripe_declines(stripe)
        invoice_charge(invoice)
        stripe_succeeds(stripe, invoice.total)
        invoice_charge(invoice)
        sent_with = [call.request.headers["Authorization"] for call in stripe.calls]

    assert sent_with == [f"Bearer {PLATFORM_STRIPE_KEY}"] * 2
    assert "platform-invoice-" in caplog.text or "Stripe" in caplog.text  # it did log
    assert PLATFORM_STRIPE_KEY not in caplog.text


def test_console_staff_mark_paid_with_a_reference_void_and_charge(alpha, beta, settings):
    settings.PLATFORM_PAYMENTS = "sandbox"
    subscription_make(alpha, customer="sbx_cus_1", payment_method="sbx_pm_4242_a")
    to_mark, to_void = (
        invoice_issue(alpha, issued_at=ISSUED),
        invoice_issue(alpha, issued_at=ISSUED - timedelta(days=31)),
    )
    to_charge = invoice_issue(alpha, issued_at=ISSUED - timedelta(days=62))
    console = Client(HTTP_HOST="localhost")
    signed_in = console.post(
        "/console/login/", {"username": PLATFORM_STAFF_EMAIL, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    base = "/console/billing/invoice"

    page = console.get(f"{base}/{to_mark.pk}/change/")
    blank = console.post(f"{base}/{to_mark.pk}/mark-paid/", {"reference": ""})
    marked = console.post(f"{base}/{to_mark.pk}/mark-paid/", {"reference": "UTR 99"})
    voided = console.post(f"{base}/{to_void.pk}/void/", {"reason": "Billed twice"})
    charged = console.post(f"{base}/{to_charge.pk}/charge/")

    assert page.status_code == 200
    assert 'data-action="mark-paid"' in page.content.decode()
    assert "Tickets sold" in page.content.decode()  # its lines
    assert blank.status_code == 200  # the form again, with the field's error
    assert (marked.status_code, voided.status_code, charged.status_code) == (302, 302, 302)
    states = dict(Invoice.objects.filter(tenant=alpha).values_list("number", "status"))
    assert states == {to_mark.number: "paid", to_void.number: "void", to_charge.number: "paid"}
    assert Invoice.objects.get(pk=to_mark.pk).payment_reference == "UTR 99"
    assert Invoice.objects.get(pk=to_void.pk).voided_reason == "Billed twice"
    assert console.get("/console/billing/invoice/").status_code == 200
