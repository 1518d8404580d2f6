"""The billing API: plans, the close and the invoices for platform staff; a chain's
owner sees its own invoices only, and nobody else in the chain sees them."""

from __future__ import annotations

import io
import zoneinfo
from datetime import date, datetime

import pytest
import time_machine
from pypdf import PdfReader

from tenants.billing import services
from tenants.billing.models import Invoice, Subscription
from tenants.models import PlatformAuditLog
from tests.fixtures import PLATFORM_STAFF_EMAIL, obtain_tokens
from venue_apps.accounts.models import Role

pytestmark = pytest.mark.django_db

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")
CLOSED = datetime(2027, 4, 3, 12, tzinfo=KOLKATA)


@pytest.fixture
def closed(alpha, beta):
    """February and March 2027 closed for the session's chains; alpha's February paid
    nothing (standard plan, no sales), and March's invoices are made open by hand."""
    with time_machine.travel(CLOSED, tick=False):
        services.month_close(date(2027, 2, 1))
        services.month_close(date(2027, 3, 1))
    Invoice.objects.filter(month=date(2027, 3, 1), tenant=beta).update(status="open")
    return {
        "alpha": list(Invoice.objects.filter(tenant=alpha).order_by("month")),
        "beta": list(Invoice.objects.filter(tenant=beta).order_by("month")),
    }


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_platform_staff_list_invoices_by_chain_month_and_status(platform_client, closed):
    every = platform_client.get("/api/platform/invoices/").json()["results"]
    assert {"alpha", "beta"} <= {row["tenant"] for row in every}

    alpha = platform_client.get("/api/platform/invoices/?tenant=alpha").json()["results"]
    assert [row["month"] for row in alpha] == ["2027-03", "2027-02"]
    march = platform_client.get("/api/platform/invoices/?month=2027-03").json()["results"]
    assert {row["month"] for row in march} == {"2027-03"}
    assert "beta" in {row["tenant"] for row in march}
    opened = platform_client.get("/api/platform/invoices/?status=open").json()["results"]
    assert [(row["tenant"], row["month"]) for row in opened] == [("beta", "2027-03")]
    assert platform_client.get("/api/platform/invoices/?month=March").status_code == 400
    assert platform_client.get("/api/platform/invoices/?status=late").status_code == 400

    number = closed["alpha"][1].number
    invoice = platform_client.get(f"/api/platform/invoices/{number}/").json()
    assert invoice["number"] == number
    assert invoice["tenant"] == "alpha"
    assert invoice["currency"] == "INR"
    assert invoice["status"] == "paid"
    assert invoice["total"] == 0
    assert [set(line) for line in invoice["lines"]] == [
        {"description", "quantity", "unit_amount", "amount"}
    ] * 3
    assert {"issued_at", "due_on", "paid_at"} <= set(invoice)
    assert invoice["pdf"] == f"/api/platform/invoices/{number}/pdf/"

    pdf = platform_client.get(f"/api/platform/invoices/{number}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    assert body.startswith(b"%PDF")
    text = text_of(body)
    assert number in text
    assert "Alpha Cinemas" in text
    assert "March 2027" in text
    assert "Paid" in text
    # Drawn from frozen data only: the same invoice gives the same file.
    again = platform_client.get(f"/api/platform/invoices/{number}/pdf/").content
    assert again == body


def test_the_owner_sees_the_chains_invoices_only(as_role, closed):
    owner = as_role(Role.OWNER)
    mine = owner.get("/api/v1/billing/invoices/").json()["results"]
    assert {row["number"] for row in mine} == {invoice.number for invoice in closed["alpha"]}
    assert {row["tenant"] for row in mine} == {"alpha"}

    number = closed["alpha"][0].number
    assert owner.get(f"/api/v1/billing/invoices/{number}/").json()["number"] == number
    pdf = owner.get(f"/api/v1/billing/invoices/{number}/pdf/")
    assert pdf.status_code == 200
    assert number in text_of(pdf.content)

    # Another chain's invoice is nobody's here: the same 404 as no invoice at all.
    theirs = closed["beta"][0].number
    assert owner.get(f"/api/v1/billing/invoices/{theirs}/").status_code == 404
    assert owner.get(f"/api/v1/billing/invoices/{theirs}/pdf/").status_code == 404

    billing = owner.get("/api/v1/billing/").json()
    assert billing["plan"] == "standard"
    assert billing["next_plan"] is None
    assert billing["trial_ends_on"] is None

    for role in (Role.MANAGER, Role.BOX_OFFICE, Role.SCANNER, Role.CUSTOMER):
        client = as_role(role)
        assert client.get("/api/v1/billing/invoices/").status_code == 403
        assert client.get(f"/api/v1/billing/invoices/{number}/pdf/").status_code == 403
        assert client.get("/api/v1/billing/").status_code == 403
    assert as_role(None).get("/api/v1/billing/invoices/").status_code == 401


def test_a_chains_owner_cannot_use_the_platform_api(api, alpha, closed):
    assert api().get("/api/platform/invoices/").status_code == 401


def test_platform_staff_make_and_change_plans_and_move_a_chain(platform_client, alpha):
    created = platform_client.post(
        "/api/platform/plans/",
        {
            "code": "premium",
            "name": "Premium",
            "basis_points": 80,
            "trial_days": 30,
            "prices": [
                {"currency": "INR", "monthly_fee": 499_900, "per_ticket": 200},
                {"currency": "eur", "monthly_fee": 5_900, "per_ticket": 3},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["prices"] == [
        {"currency": "EUR", "monthly_fee": 5_900, "per_ticket": 3},
        {"currency": "INR", "monthly_fee": 499_900, "per_ticket": 200},
    ]
    again = platform_client.post(
        "/api/platform/plans/",
        {
            "code": "premium",
            "name": "Again",
            "prices": [{"currency": "INR", "monthly_fee": 1, "per_ticket": 1}],
        },
        format="json",
    )
    assert again.status_code == 409
    bad = platform_client.post(
        "/api/platform/plans/",
        {"code": "x", "name": "Bad", "basis_points": 5_000, "prices": []},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "plan_invalid"

    changed = platform_client.patch(
        "/api/platform/plans/premium/",
        {
            "basis_points": 90,
            "prices": [{"currency": "INR", "monthly_fee": 399_900, "per_ticket": 200}],
        },
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["basis_points"] == 90
    assert {price["currency"]: price["monthly_fee"] for price in changed.json()["prices"]} == {
        "EUR": 5_900,
        "INR": 399_900,
    }
    codes = [plan["code"] for plan in platform_client.get("/api/platform/plans/").json()]
    assert {"premium", "standard"} <= set(codes)
    assert PlatformAuditLog.objects.filter(action=PlatformAuditLog.Action.PLAN_CHANGED).count() >= 2

    moved = platform_client.patch(
        "/api/platform/tenants/alpha/", {"plan": "premium"}, format="json"
    )
    assert moved.status_code == 200, moved.content
    assert (moved.json()["plan"], moved.json()["next_plan"]) == ("standard", "premium")
    subscription = Subscription.objects.get(tenant=alpha)
    assert subscription.next_plan.code == "premium"
    unknown = platform_client.patch("/api/platform/tenants/alpha/", {"plan": "gold"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "plan_not_found"


def staff(api):
    """Platform staff signed in now (on a moved clock, a token from before has expired)."""
    client = api()
    tokens = obtain_tokens(client, PLATFORM_STAFF_EMAIL, platform=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


def test_the_close_answers_what_it_issued_and_refuses_a_month_not_over(api, alpha):
    with time_machine.travel(datetime(2027, 3, 20, 12, tzinfo=KOLKATA), tick=False):
        early = staff(api).post("/api/platform/billing/close/", {"month": "2027-03"}, format="json")
    assert early.status_code == 400
    assert early.json()["code"] == "month_not_ended"
    assert "has not ended" in early.json()["detail"]
    for month in ("03/2027", "9999-12", "2027-13"):
        bad = staff(api).post("/api/platform/billing/close/", {"month": month}, format="json")
        assert bad.status_code == 400, month
        assert bad.json()["code"] == "month_invalid"

    with time_machine.travel(CLOSED, tick=False):
        client = staff(api)
        first = client.post("/api/platform/billing/close/", {"month": "2027-03"}, format="json")
        second = client.post("/api/platform/billing/close/", {"month": "2027-03"}, format="json")
    assert first.status_code == 200, first.content
    issued = {row["tenant"]: row["number"] for row in first.json()["issued"]}
    assert "alpha" in issued
    assert second.json()["issued"] == []
    assert {row["tenant"]: row["number"] for row in second.json()["existing"]} == issued
    assert Invoice.objects.filter(month=date(2027, 3, 1)).count() == len(issued)
