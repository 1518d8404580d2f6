"""The platform console as a home for platform staff (issue 16, console part): the
figures on its home, the chain list, onboarding from a form, a chain's page, the plans
admin, and what staff may never see (a chain's customers)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenants.billing.models import (
    Invoice,
    MonthUsage,
    Plan,
    PlanPrice,
    PlatformSettings,
    SignUp,
    Subscription,
)
from tenants.models import Domain, PlatformAuditLog, Tenant
from tests.fixtures import PASSWORD, PLATFORM_STAFF_EMAIL
from venue_apps.accounts.models import Role, User

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=datetime.UTC)
MARCH, FEBRUARY, JANUARY = (datetime.date(2027, m, 1) for m in (3, 2, 1))


def console_client(user: User | None = None) -> Client:
    client = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    with schema_context("public"):
        client.force_login(user or User.objects.get(email=PLATFORM_STAFF_EMAIL))
    return client


@pytest.fixture
def staff(time_machine) -> Client:
    """Platform staff signed in to the console, on 15 March 2027 (the clock ticks)."""
    time_machine.move_to(NOW, tick=True)
    return console_client()


@pytest.fixture
def plan() -> Plan:
    plan = Plan.objects.create(code="starter", name="Starter", basis_points=150, trial_days=30)
    PlanPrice.objects.create(plan=plan, currency="INR", monthly_fee=250_000, per_ticket=500)
    PlanPrice.objects.create(plan=plan, currency="EUR", monthly_fee=4_900, per_ticket=10)
    return plan


_numbers = iter(range(1, 10_000))


def invoice(tenant: Tenant, month: datetime.date, total: int, status: str = "open", **more):
    return Invoice.objects.create(
        number=f"2027-{next(_numbers):06d}",
        tenant=tenant,
        month=month,
        currency=tenant.currency,
        total=total,
        plan_code="starter",
        plan_name="Starter",
        issued_at=datetime.datetime.combine(month, datetime.time(1), tzinfo=datetime.UTC),
        due_on=month + datetime.timedelta(days=40),
        status=status,
        **more,
    )


def bare_chain(number: int, currency: str = "INR") -> Tenant:
    """A chain's public rows only (the console never opens its schema): its tenant row,
    domain, subscription, this month's usage and an invoice."""
    slug = f"bare-{number}"
    tenant = Tenant.objects.create(
        name=f"Bare {number}",
        slug=slug,
        schema_name=f"bare_{number}",
        currency=currency,
        timezone="Asia/Kolkata",
    )
    Domain.objects.create(domain=f"{slug}.{settings.PLATFORM_DOMAIN}", tenant=tenant)
    return tenant


def with_billing(tenant: Tenant, plan: Plan) -> Tenant:
    Subscription.objects.update_or_create(
        tenant=tenant, defaults={"plan": plan, "starts_on": JANUARY}
    )
    MonthUsage.objects.create(
        tenant=tenant, month=MARCH, currency=tenant.currency, tickets=10, gross=100_000
    )
    invoice(tenant, FEBRUARY, 12_345, "failed", first_failed_at=NOW - datetime.timedelta(days=9))
    return tenant


def figure(page, name: str) -> list[str]:
    match = re.search(rf'data-figure="{name}"[^>]*>(.*?)</div>', page.content.decode(), re.S)
    assert match, name
    return re.sub(r"<[^>]+>", " ", match.group(1)).split()


# --- the home -----------------------------------------------------------------------------


def test_home_figures_keep_each_currency_apart(staff, alpha, beta, frozen, plan, time_machine):
    Tenant.objects.filter(pk=frozen.pk).update(status_reason="unpaid")
    MonthUsage.objects.create(
        tenant=alpha, month=MARCH, currency="INR", tickets=1200, gross=9_876_50
    )
    MonthUsage.objects.create(tenant=beta, month=MARCH, currency="EUR", tickets=7, gross=45_00)
    # Last month's usage is not this month's.
    MonthUsage.objects.create(tenant=beta, month=FEBRUARY, currency="EUR", tickets=99, gross=1)
    SignUp.objects.create(
        name="Gamma",
        slug="gamma",
        owner_email="o@gamma.test",
        password_hash="x",
        currency="INR",
        timezone="Asia/Kolkata",
        plan=plan,
        token_digest="a" * 64,
        status="verified",
        approval="waiting",
        verified_at=NOW,
    )
    SignUp.objects.create(
        name="Delta",
        slug="delta",
        owner_email="o@delta.test",
        password_hash="x",
        currency="EUR",
        timezone="Europe/Dublin",
        plan=plan,
        token_digest="b" * 64,
    )
    invoice(alpha, JANUARY, 300_000, "paid")
    invoice(alpha, FEBRUARY, 250_000, "open")
    invoice(beta, FEBRUARY, 5_000, "failed", first_failed_at=NOW)
    invoice(beta, JANUARY, 4_000, "void")

    page = staff.get("/console/")

    assert page.status_code == 200
    assert figure(page, "chains-active") == ["2"]  # alpha, beta (frozen is suspended)
    assert figure(page, "chains-suspended") == ["1"]
    assert page.context["chains"]["unpaid"] == 1
    assert '<span data-figure="chains-unpaid">1</span>' in page.content.decode()
    assert figure(page, "signups-waiting") == ["1"]
    assert page.context["signups"]["verification"] == 1
    assert figure(page, "tickets-month") == ["1,207"]
    assert "7 at EUR chains" in page.content.decode()
    assert figure(page, "gross-month") == ["€45.00", "₹9,876.50"]
    assert figure(page, "unpaid-invoices") == ["2"]
    charts = {chart["currency"]: chart["data"] for chart in page.context["revenue_charts"]}
    assert set(charts) == {"INR", "EUR"}
    # Twelve closed months, the last one February (March is invoiced in April).
    assert charts["INR"]["labels"][-2:] == ["Jan 2027", "Feb 2027"]
    assert charts["INR"]["labels"][0] == "Mar 2026"
    assert charts["INR"]["datasets"][0]["data"][-2:] == [3000.0, 2500.0]
    assert charts["EUR"]["datasets"][0]["data"][-2:] == [0.0, 50.0]  # void left out
    assert len(charts["INR"]["labels"]) == 12
    assert page.content.decode().count('data-chart="revenue"') == 2


def test_unpaid_invoices_oldest_first_with_days_overdue(staff, alpha, beta, time_machine):
    late = invoice(alpha, JANUARY, 100, "failed")  # due 10 Feb: 33 days overdue
    recent = invoice(beta, FEBRUARY, 200, "open")  # due 13 Mar: 2 days overdue
    invoice(beta, JANUARY, 300, "paid")

    page = staff.get("/console/")

    rows = page.context["unpaid"]["rows"]
    assert [(row["invoice"], row["days_overdue"]) for row in rows] == [(late, 33), (recent, 2)]
    assert 'data-list="unpaid-invoices"' in page.content.decode()


def test_near_suspension_lists_the_day_each_chain_will_be_suspended(
    staff, alpha, beta, frozen, time_machine
):
    PlatformSettings.objects.create(pk=1, grace_days=14)
    soon = invoice(alpha, FEBRUARY, 100, "failed", first_failed_at=NOW - datetime.timedelta(9))
    invoice(beta, FEBRUARY, 100, "failed", first_failed_at=NOW - datetime.timedelta(days=2))
    # Already suspended: no longer "near".
    invoice(frozen, FEBRUARY, 100, "failed", first_failed_at=NOW - datetime.timedelta(days=13))

    page = staff.get("/console/")

    rows = page.context["near_suspension"]
    assert [(row.invoice, row.suspends_on, row.days_left) for row in rows] == [
        (soon, datetime.date(2027, 3, 20), 5)
    ]
    assert 'data-suspends-on="2027-03-20"' in page.content.decode()

    PlatformSettings.objects.filter(pk=1).update(grace_days=5)
    shorter = staff.get("/console/").context["near_suspension"]
    assert [(row.suspends_on, row.days_left) for row in shorter] == [
        (datetime.date(2027, 3, 11), -4),
        (datetime.date(2027, 3, 18), 3),
    ]


def test_home_with_no_billing_data_yet(staff):
    page = staff.get("/console/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "No invoices yet" in body
    assert figure(page, "gross-month") == ["—"]
    assert figure(page, "tickets-month") == ["0"]
    assert 'data-list="near-suspension"' in body


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/console/", "/console/tenants/tenant/"])
def test_console_queries_do_not_grow_with_chains(
    staff, alpha, plan, path, django_assert_max_num_queries, time_machine
):
    with_billing(bare_chain(1), plan)
    staff.get(path)  # warm the caches (content types, the host's tenant)
    one_chain = _queries(staff, path)

    for number in range(2, 6):
        with_billing(bare_chain(number, "EUR" if number % 2 else "INR"), plan)

    with django_assert_max_num_queries(one_chain):
        page = staff.get(path)
    assert page.status_code == 200
    if path == "/console/tenants/tenant/":
        assert {"Bare 1", "Bare 5"} <= {t.name for t in page.context["cl"].result_list}
    else:
        assert len(page.context["near_suspension"]) == 5


# --- the chain list ----------------------------------------------------------------------


def test_chain_list_shows_plan_domain_status_usage_and_last_invoice(
    staff, alpha, frozen, plan, time_machine
):
    Subscription.objects.update_or_create(
        tenant=alpha, defaults={"plan": plan, "starts_on": JANUARY}
    )
    MonthUsage.objects.create(
        tenant=alpha, month=MARCH, currency="INR", tickets=1234, gross=5_000_00
    )
    invoice(alpha, JANUARY, 1, "paid")
    invoice(alpha, FEBRUARY, 2, "failed")

    page = staff.get("/console/tenants/tenant/")

    assert page.status_code == 200
    body = page.content.decode()
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Alpha Cinemas(?:(?!</tr>).)*</tr>", body, re.S)
    assert row
    cells = [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(0), re.S)
    ]
    assert cells[1:] == [
        "Alpha Cinemas",
        "Starter",
        f"alpha.{settings.PLATFORM_DOMAIN}",
        "Active",
        "1,234",
        "₹5,000.00",
        "Payment failed",
    ]
    number = Invoice.objects.get(tenant=alpha, month=FEBRUARY).number
    assert f'data-invoice-status="failed" title="{number}"' in row.group(0)
    frozen_row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Frozen Films(?:(?!</tr>).)*</tr>", body, re.S)
    assert "Suspended (Unpaid invoices)" in frozen_row.group(0)


def test_chain_list_filters_by_plan_and_status_and_searches_domains(staff, alpha, beta, plan):
    Subscription.objects.update_or_create(
        tenant=beta, defaults={"plan": plan, "starts_on": JANUARY}
    )
    other = Plan.objects.create(code="other", name="Other")
    Subscription.objects.update_or_create(
        tenant=alpha, defaults={"plan": other, "starts_on": JANUARY}
    )
    Domain.objects.create(domain="tickets.beta-theatres.example", tenant=beta, is_primary=False)

    def names(query: str) -> set[str]:
        page = staff.get(f"/console/tenants/tenant/?{query}")
        assert page.status_code == 200
        return {tenant.name for tenant in page.context["cl"].result_list}

    assert names(f"subscription__plan__id__exact={plan.pk}") == {"Beta Theatres"}
    assert names("status__exact=suspended") == {"Frozen Films"}
    assert names("q=beta-theatres.example") == {"Beta Theatres"}
    assert names("q=alpha") == {"Alpha Cinemas"}


# --- onboarding from a form ---------------------------------------------------------------


def _onboarding(**changes):
    return {
        "name": "Gamma Screens",
        "slug": "gamma-screens",
        "display_name": "Gamma",
        "owner_email": "owner@gamma.test",
        "owner_password": PASSWORD,
        "currency": "EUR",
        "timezone": "Europe/Dublin",
        "locale": "en-IE",
        **changes,
    }


def test_add_chain_onboards_it_on_a_plan_and_opens_its_page(staff, plan, time_machine):
    page = staff.post("/console/tenants/tenant/add/", _onboarding(plan=plan.pk))

    tenant = Tenant.objects.get(slug="gamma-screens")
    assert page.status_code == 302
    assert page["Location"] == f"/console/tenants/tenant/{tenant.pk}/change/"
    assert (tenant.name, tenant.display_name, tenant.currency, tenant.locale) == (
        "Gamma Screens",
        "Gamma",
        "EUR",
        "en-IE",
    )
    subscription = Subscription.objects.get(tenant=tenant)
    assert subscription.plan == plan
    assert subscription.starts_on == datetime.date(2027, 3, 15)
    assert subscription.trial_ends_on == datetime.date(2027, 4, 13)  # 30 days
    with schema_context(tenant.schema_name):
        owner = User.objects.get(email="owner@gamma.test")
        assert owner.role == Role.OWNER
    assert PlatformAuditLog.objects.filter(
        tenant=tenant, action="tenant_onboarded", actor_email=PLATFORM_STAFF_EMAIL
    ).exists()
    chain_page = staff.get(page["Location"])
    assert chain_page.status_code == 200
    assert 'data-plan="starter"' in chain_page.content.decode()


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"slug": "alpha"}, "slug", "A chain with the slug 'alpha' exists."),
        ({"slug": "www"}, "slug", "The slug 'www' is reserved."),
        ({"currency": "ZZZ"}, "currency", "'ZZZ' is not an ISO 4217 currency code"),
        ({"locale": "english"}, "locale", None),
        ({"owner_password": "short"}, "owner_password", None),
    ],
)
def test_add_chain_shows_the_services_refusal_on_its_field(
    staff, alpha, plan, changes, field, words
):
    before = Tenant.objects.count()
    subscriptions = Subscription.objects.count()

    page = staff.post("/console/tenants/tenant/add/", _onboarding(plan=plan.pk, **changes))

    assert page.status_code == 200
    errors = page.context["form"].errors
    assert list(errors) == [field]
    if words:
        assert errors[field][0].startswith(words)
    assert Tenant.objects.count() == before
    assert Subscription.objects.count() == subscriptions  # nothing left of the refusal


def test_the_add_chain_page_offers_active_plans(staff, plan):
    Plan.objects.create(code="old", name="Old", active=False)

    page = staff.get("/console/tenants/tenant/add/")

    assert page.status_code == 200
    offered = list(page.context["form"].fields["plan"].queryset)
    assert plan in offered and all(offered_plan.active for offered_plan in offered)
    assert "old" not in {offered_plan.code for offered_plan in offered}
    # The default plan (the migration's "standard" here) is chosen as the form opens.
    standard = Plan.objects.get(code="standard")
    assert f'<option value="{standard.pk}" selected>' in page.content.decode()
    assert page.context["form"].fields["plan"].required


# --- a chain's page and customers' data -------------------------------------------------


def test_console_pages_show_no_customer_of_a_chain(staff, alpha, plan, time_machine):
    from tests.factories import PaidOrderFactory, ShowFactory, UserFactory
    from venue_apps.orders.models import Order

    show = ShowFactory(schema="alpha")
    with schema_context("alpha"):
        customer = UserFactory(
            schema="alpha", email="zelda.quixote@customers.test", name="Zelda Quixote"
        )
    PaidOrderFactory(schema="alpha", show=show, customer=customer, labels=["A1", "A2"])
    with schema_context("alpha"):
        Order.objects.update(name="Zelda Quixote", email="zelda.quixote@customers.test")
        people = [
            *User.objects.filter(role=Role.CUSTOMER).values_list("email", "name"),
            *Order.objects.values_list("email", "name"),
            *Order.objects.values_list("reference", "phone"),
        ]
    secrets = {value for pair in people for value in pair if value}
    assert "zelda.quixote@customers.test" in secrets
    with_billing(alpha, plan)

    for path in (
        "/console/",
        "/console/tenants/tenant/",
        f"/console/tenants/tenant/{alpha.pk}/change/",
        "/console/tenants/tenant/add/",
        "/console/tenants/platformauditlog/",
        "/console/billing/subscription/",
    ):
        page = staff.get(path)
        assert page.status_code == 200, path
        body = page.content.decode()
        for secret in secrets:
            assert secret not in body, (path, secret)


def test_a_chains_page_shows_usage_invoices_subscription_and_audit(
    staff, alpha, plan, time_machine
):
    with_billing(alpha, plan)
    MonthUsage.objects.create(
        tenant=alpha, month=JANUARY, currency="INR", tickets=4, gross=2_000, refunded=500
    )

    page = staff.get(f"/console/tenants/tenant/{alpha.pk}/change/")

    assert page.status_code == 200
    charts = {chart["id"]: chart["data"] for chart in page.context["usage_charts"]}
    assert charts["usage-tickets"]["datasets"][0]["data"][-3:] == [4, 0, 10]
    assert charts["usage-gross"]["datasets"][0]["data"][-3:] == [20.0, 0.0, 1000.0]
    assert charts["usage-gross"]["datasets"][1]["data"][-3:] == [5.0, 0.0, 0.0]
    body = page.content.decode()
    number = Invoice.objects.get(tenant=alpha).number
    assert f'data-invoice="{number}"' in body
    assert f"/api/platform/invoices/{number}/pdf/" in body
    assert 'data-plan="starter"' in body
    assert f"alpha.{settings.PLATFORM_DOMAIN}" in body
    assert 'data-chart="usage-tickets"' in body


# --- plans and the platform's settings ---------------------------------------------------


def test_plan_prices_are_typed_and_shown_in_units(staff):
    page = staff.post(
        "/console/billing/plan/add/",
        {
            "name": "Growth",
            "code": "growth",
            "description": "",
            "basis_points": "100",
            "trial_days": "14",
            "public": "on",
            "active": "on",
            "prices-TOTAL_FORMS": "2",
            "prices-INITIAL_FORMS": "0",
            "prices-MIN_NUM_FORMS": "0",
            "prices-MAX_NUM_FORMS": "1000",
            "prices-0-currency": "inr",
            "prices-0-monthly_fee": "2500.00",
            "prices-0-per_ticket": "4.50",
            "prices-1-currency": "JPY",
            "prices-1-monthly_fee": "9800",
            "prices-1-per_ticket": "20",
        },
    )

    assert page.status_code == 302, page.context and page.context["errors"]
    plan = Plan.objects.get(code="growth")
    assert sorted(plan.prices.values_list("currency", "monthly_fee", "per_ticket")) == [
        ("INR", 250_000, 450),
        ("JPY", 9_800, 20),
    ]
    change = staff.get(f"/console/billing/plan/{plan.pk}/change/")
    forms = change.context["inline_admin_formsets"][0].formset.forms
    assert [form.initial.get("monthly_fee") for form in forms[:2]] == [
        Decimal("2500.00"),
        Decimal("9800"),
    ]
    listing = staff.get("/console/billing/plan/").content.decode()
    assert "₹2,500.00 + ₹4.50" in listing


def test_a_price_with_more_decimals_than_its_currency_is_refused(staff):
    page = staff.post(
        "/console/billing/plan/add/",
        {
            "name": "Odd",
            "code": "odd",
            "basis_points": "0",
            "trial_days": "0",
            "prices-TOTAL_FORMS": "1",
            "prices-INITIAL_FORMS": "0",
            "prices-0-currency": "JPY",
            "prices-0-monthly_fee": "10.50",
            "prices-0-per_ticket": "1",
        },
    )

    assert page.status_code == 200
    assert "JPY has 0 decimal places." in page.content.decode()
    assert not Plan.objects.filter(code="odd").exists()


def test_subscriptions_are_read_only_and_settings_one_row(staff, alpha, plan):
    Subscription.objects.update_or_create(
        tenant=alpha, defaults={"plan": plan, "starts_on": JANUARY}
    )
    listing = staff.get("/console/billing/subscription/")
    assert listing.status_code == 200
    assert "Alpha Cinemas" in listing.content.decode()
    assert staff.get("/console/billing/subscription/add/").status_code == 403

    assert staff.get("/console/billing/platformsettings/")["Location"] == (
        "/console/billing/platformsettings/add/"
    )
    made = staff.post(
        "/console/billing/platformsettings/add/",
        {"signups_open": "on", "grace_days": "10", "default_plan": plan.pk},
    )
    assert made.status_code == 302
    row = PlatformSettings.objects.get()
    assert (row.pk, row.grace_days, row.default_plan) == (1, 10, plan)
    assert staff.get("/console/billing/platformsettings/")["Location"] == (
        "/console/billing/platformsettings/1/change/"
    )
    assert staff.get("/console/billing/platformsettings/add/").status_code == 403
    assert staff.get("/console/billing/platformsettings/1/delete/").status_code == 403


# --- who may open it ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/console/",
        "/console/tenants/tenant/",
        "/console/tenants/tenant/add/",
        "/console/billing/plan/",
        "/console/billing/platformsettings/",
    ],
)
def test_a_chains_owner_cannot_open_the_console(alpha, make_user, path):
    owner = make_user(alpha, role=Role.OWNER)
    client = Client(HTTP_HOST=f"alpha.{settings.PLATFORM_DOMAIN}")
    with schema_context(alpha.schema_name):
        client.force_login(owner)
    client.defaults["HTTP_HOST"] = settings.PLATFORM_DOMAIN

    page = client.get(path)

    assert page.status_code == 302
    assert page["Location"].startswith("/console/login/")
    assert client.post("/console/tenants/tenant/add/", _onboarding()).status_code == 302
    assert not Tenant.objects.filter(slug="gamma-screens").exists()
