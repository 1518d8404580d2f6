"""The chain dashboard's home page and reports: exact figures on known sales (the same
sales as the reports API's tests), on the pages and in their CSV and XLSX exports, and
who may see them, signed in to the dashboard."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from tests.fixtures import KOLKATA, PASSWORD, local_at
from venue_apps.accounts.models import Role
from venue_apps.catalog.models import Title
from venue_apps.inventory import holds
from venue_apps.inventory.models import SeatState, ShowSeat
from venue_apps.orders.selectors import money
from venue_apps.payments.models import Payment, PaymentSettings, Refund

pytestmark = pytest.mark.django_db


def inr(minor: int) -> str:
    return money(minor, "INR")


def units(minor: int) -> Decimal:
    return Decimal(minor) / 100


def dashboard(tenant, user) -> Client:
    client = Client(HTTP_HOST=f"{tenant.slug}.{settings.PLATFORM_DOMAIN}")
    with schema_context(tenant.schema_name):
        client.force_login(user)
    return client


@pytest.fixture
def live(alpha):
    """Alpha takes live money, so the dashboard shows live figures only."""
    with schema_context("alpha"):
        PaymentSettings.current()
        PaymentSettings.objects.update(mode=PaymentSettings.Mode.LIVE)


@pytest.fixture
def owner(alpha, make_user, live) -> Client:
    return dashboard(alpha, make_user(alpha, role=Role.OWNER))


def _range(sales, **more):
    return {"from": sales["day1"].isoformat(), "to": sales["day2"].isoformat(), **more}


def _csv(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.content[:500]
    assert answer["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def _xlsx(answer) -> list[tuple]:
    assert answer.status_code == 200, answer.content[:500]
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_sales_per_day_on_the_page_and_in_the_exports(known_sales, owner):
    sales = known_sales
    late, midnight, refunded, refund = (
        sales["late"],
        sales["midnight"],
        sales["refunded"],
        sales["refund"],
    )
    day2_gross = midnight.total + refunded.total
    expected = [
        (sales["day1"].isoformat(), 2, late.total, 0, late.total),
        (sales["day2"].isoformat(), 4, day2_gross, refund, day2_gross - refund),
    ]
    total = (6, late.total + day2_gross, refund, late.total + day2_gross - refund)

    page = owner.get("/dashboard/reports/sales/", _range(sales, group="day"))

    assert page.status_code == 200, page.content[:500]
    table = page.context["table"]
    assert [
        (row["label"], row["tickets"], row["gross"], row["refunds"], row["net"])
        for row in table.rows
    ] == expected
    cells = table.page_rows()
    assert [[value for value, _ in row] for row in cells] == [
        [day, str(tickets), inr(gross), inr(refunds), inr(net)]
        for day, tickets, gross, refunds, net in expected
    ]
    html = page.content.decode()
    for _day, _tickets, gross, _refunds, net in expected:
        assert inr(gross) in html and inr(net) in html
    assert [value for value, _ in table.page_totals()] == [
        "Total",
        str(total[0]),
        *map(inr, total[1:]),
    ]
    assert 'data-chart="sales"' in html and 'id="chart-sales"' in html
    assert str(late.total) not in html.replace(inr(late.total), "")  # no minor units shown

    rows = _csv(owner.get("/dashboard/reports/sales/", _range(sales, group="day", format="csv")))
    assert rows[0] == ["Day", "Tickets", "Gross (INR)", "Refunds (INR)", "Net (INR)"]
    assert [
        (row[0], int(row[1]), Decimal(row[2]), Decimal(row[3]), Decimal(row[4])) for row in rows[1:]
    ] == [
        (day, tickets, units(gross), units(refunds), units(net))
        for day, tickets, gross, refunds, net in [*expected, ("Total", *total)]
    ]

    sheet = _xlsx(owner.get("/dashboard/reports/sales/", _range(sales, group="day", format="xlsx")))
    assert sheet[0] == ("Day", "Tickets", "Gross (INR)", "Refunds (INR)", "Net (INR)")
    assert [
        (row[0], int(row[1]), *(Decimal(str(cell)) for cell in row[2:])) for row in sheet[1:]
    ] == [
        (day, tickets, units(gross), units(refunds), units(net))
        for day, tickets, gross, refunds, net in [*expected, ("Total", *total)]
    ]


@pytest.mark.parametrize("group", ["title", "venue", "show"])
def test_sales_per_title_venue_and_show_match_the_api(known_sales, owner, manager, group):
    sales = known_sales
    api = manager.get("/api/v1/reports/sales/", _range(sales, group=group)).json()

    page = owner.get("/dashboard/reports/sales/", _range(sales, group=group))
    exported = _csv(
        owner.get("/dashboard/reports/sales/", _range(sales, group=group, format="csv"))
    )

    assert page.status_code == 200
    rows = page.context["table"].rows
    figures = [(row["tickets"], row["gross"], row["refunds"], row["net"]) for row in api["rows"]]
    assert [(r["tickets"], r["gross"], r["refunds"], r["net"]) for r in rows] == figures
    first_net = sales["late"].total + sales["refunded"].total - sales["refund"]
    assert figures[0] == (
        5,
        sales["late"].total + sales["refunded"].total,
        sales["refund"],
        first_net,
    )
    assert [(int(r[1]), Decimal(r[4])) for r in exported[1:-1]] == [
        (tickets, units(net)) for tickets, _, _, net in figures
    ]
    assert exported[-1][0] == "Total" and Decimal(exported[-1][4]) == units(api["totals"]["net"])
    if group == "title":
        assert exported[1][0] == sales["first"].title.name


def test_occupancy_by_show_and_by_hour(known_sales, owner):
    sales = known_sales
    first, second = sales["first"], sales["second"]
    with schema_context("alpha"):
        capacity = ShowSeat.objects.filter(show=first).exclude(state=SeatState.BLOCKED).count()
        capacity2 = ShowSeat.objects.filter(show=second).exclude(state=SeatState.BLOCKED).count()
    day = first.starts_at.astimezone(KOLKATA).date().isoformat()
    query = {"from": day, "to": day}

    by_show = owner.get("/dashboard/reports/occupancy/", {**query, "group": "show"})
    by_hour = owner.get("/dashboard/reports/occupancy/", {**query, "group": "hour"})
    exported = _xlsx(
        owner.get("/dashboard/reports/occupancy/", {**query, "group": "show", "format": "xlsx"})
    )

    rows = by_show.context["table"].rows
    assert [(r["show"], r["capacity"], r["sold"], r["held"]) for r in rows] == [
        (first.pk, capacity, 4, 0),  # A1, A2, B1-B3; the refunded B1 is free again
        (second.pk, capacity2, 2, 0),  # the live sale and the test-mode one: seats are seats
    ]
    hours = by_hour.context["table"].rows
    assert [(h["label"], h["shows"], h["capacity"], h["sold"]) for h in hours] == [
        ("18:00", 1, capacity, 4),
        ("19:00", 1, capacity2, 2),
    ]
    assert by_hour.context["table"].totals["occupancy"] == round(6 / (capacity + capacity2), 4)
    assert exported[0] == ("Show", "Capacity", "Sold", "Held", "Occupancy (%)")
    assert [row[1:4] for row in exported[1:]] == [
        (capacity, 4, 0),
        (capacity2, 2, 0),
        (capacity + capacity2, 6, 0),
    ]
    assert exported[1][4] == round(4 * 100 / capacity, 2)


def test_refunds_promo_codes_and_payment_methods(known_sales, owner):
    sales = known_sales

    refunds = owner.get("/dashboard/reports/refunds/", _range(sales, group="day"))
    reasons = owner.get("/dashboard/reports/refunds/", _range(sales, group="reason"))
    methods = owner.get("/dashboard/reports/payment-methods/", _range(sales))
    promos = owner.get("/dashboard/reports/promo-codes/", _range(sales))

    assert [(r["key"], r["count"], r["amount"]) for r in refunds.context["table"].rows] == [
        (sales["day2"].isoformat(), 1, sales["refund"])
    ]
    assert [(r["label"], r["amount"]) for r in reasons.context["table"].rows] == [
        ("Refunded by staff", sales["refund"])
    ]
    gross = sales["late"].total + sales["midnight"].total + sales["refunded"].total
    [sandbox] = methods.context["table"].rows
    assert (sandbox["key"], sandbox["payments"], sandbox["gross"]) == ("sandbox", 3, gross)
    assert sandbox["refunds"] == sales["refund"]
    assert promos.status_code == 200 and promos.context["table"].rows == []


def test_a_formula_in_a_title_is_escaped_in_the_exports(known_sales, owner):
    sales = known_sales
    with schema_context("alpha"):
        Title.objects.filter(pk=sales["first"].title_id).update(name="=HYPERLINK(1)")

    rows = _csv(owner.get("/dashboard/reports/sales/", _range(sales, group="title", format="csv")))
    sheet = _xlsx(
        owner.get("/dashboard/reports/sales/", _range(sales, group="title", format="xlsx"))
    )

    assert rows[1][0] == "'=HYPERLINK(1)"
    assert sheet[1][0] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-01-01"},
        {"from": "2026-13-01", "to": "2026-12-31"},
        {"from": "yesterday", "to": "2026-12-31"},
        {"from": "2026-02-01", "to": "2026-01-31"},
        {"from": "2024-01-01", "to": "2025-01-01"},
        {"from": "9999-12-31", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-01"},
        {"from": "2026-01-01", "to": "2026-01-31", "group": "month"},
        {"from": "2026-01-01", "to": "2026-01-31", "format": "pdf"},
        {"from": "2026-01-01", "to": "2026-01-31", "format": "csv", "group": "x"},
    ],
)
def test_bad_ranges_are_400_pages_with_the_reason(owner, query):
    page = owner.get("/dashboard/reports/sales/", query)

    assert page.status_code == 400
    assert "data-errors" in page.content.decode()
    assert page.context["form"].errors


def test_a_whole_leap_year_and_the_default_range(owner):
    assert owner.get("/dashboard/reports/sales/", {"from": "2028-01-01", "to": "2028-12-31"})
    assert owner.get("/dashboard/reports/occupancy/").status_code == 200
    assert owner.get("/dashboard/reports/nothing/").status_code == 404


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_owners_and_managers_see_the_reports_and_the_money(alpha, make_user, live, role):
    client = dashboard(alpha, make_user(alpha, role=role))

    home = client.get("/dashboard/").content.decode()
    reports = client.get("/dashboard/reports/")

    assert 'data-figure="revenue-today"' in home and 'href="/dashboard/reports/"' in home
    assert 'href="/dashboard/reports/sales/"' in home  # the nav's Reports section
    assert reports.status_code == 200
    for slug in ("sales", "occupancy", "refunds", "promo-codes", "payment-methods"):
        assert client.get(f"/dashboard/reports/{slug}/").status_code == 200


def test_the_box_office_sees_todays_shows_without_money(alpha, make_user, live):
    client = dashboard(alpha, make_user(alpha, role=Role.BOX_OFFICE))

    home = client.get("/dashboard/")

    assert home.status_code == 200
    html = home.content.decode()
    assert 'data-figure="box-office-home"' in html
    assert "revenue-today" not in html and "/dashboard/reports/" not in html
    assert client.get("/dashboard/reports/").status_code == 403
    assert client.get("/dashboard/reports/sales/", {"format": "csv"}).status_code == 403


def test_scanners_are_refused(alpha, make_user):
    client = dashboard(alpha, make_user(alpha, role=Role.SCANNER))

    assert client.get("/dashboard/").status_code == 302  # to the scanner page
    assert client.get("/dashboard/reports/").status_code == 403
    assert client.get("/dashboard/reports/sales/").status_code == 403


def test_another_chains_owner_cannot_sign_in_here(alpha, beta, make_user):
    outsider = make_user(beta, role=Role.OWNER)
    client = Client(HTTP_HOST=f"{alpha.slug}.{settings.PLATFORM_DOMAIN}")

    signed = client.post("/dashboard/login/", {"username": outsider.email, "password": PASSWORD})
    page = client.get("/dashboard/reports/sales/")

    assert signed.status_code == 200  # the form again, with an error
    assert page.status_code == 302 and "/dashboard/login/" in page["Location"]


def test_a_real_sign_in_then_the_sales_report(alpha, make_user, live):
    owner = make_user(alpha, role=Role.OWNER)
    client = Client(HTTP_HOST=f"{alpha.slug}.{settings.PLATFORM_DOMAIN}")

    signed = client.post("/dashboard/login/", {"username": owner.email, "password": PASSWORD})

    assert signed.status_code == 302, signed.content[:300]
    assert client.get("/dashboard/reports/sales/").status_code == 200


def _figure(html: str, name: str) -> str:
    marker = f'data-figure="{name}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


def test_home_page_figures_are_exact(known_sales, alpha, make_user, live):
    sales = known_sales
    second, day1, day2 = sales["second"], sales["day1"], sales["day2"]
    with schema_context("alpha"):
        Refund.objects.create(
            payment=Payment.objects.get(order=sales["refunded"]),
            order=sales["refunded"],
            amount=1234,
            currency="INR",
            reason=Refund.Reason.STAFF,
            status=Refund.Status.PENDING,
        )
        Payment.objects.create(
            order=sales["late"],
            provider="sandbox",
            test_mode=False,
            status=Payment.Status.FAILED,
            amount=999,
            currency="INR",
            failure_message="Card declined",
        )
    client = dashboard(alpha, make_user(alpha, role=Role.MANAGER))

    with time_machine.travel(local_at(day2, 18, 0), tick=False):
        with schema_context("alpha"):
            seats = ShowSeat.objects.filter(show=second, state=SeatState.AVAILABLE)
            holds.hold_create(
                second.pk,
                owner=holds.HoldOwner(cart_id="walk-in"),
                policy=holds.HoldPolicy(
                    ttl=timedelta(minutes=10), max_seats=10, max_active_holds=10
                ),
                seat_ids=list(seats.values_list("pk", flat=True)[:2]),
            )
        on_day2 = client.get("/dashboard/")
    with time_machine.travel(local_at(day2 + timedelta(days=7), 12, 0), tick=False):
        week_on = client.get("/dashboard/")

    assert on_day2.status_code == 200 and week_on.status_code == 200
    html, later = on_day2.content.decode(), week_on.content.decode()
    today_gross = sales["midnight"].total + sales["refunded"].total
    same_week = day1 >= day2 - timedelta(days=day2.weekday())  # day 2 is not a Monday
    week_tickets = 4 + (2 if same_week else 0)
    week_gross = today_gross + (sales["late"].total if same_week else 0)

    assert _figure(html, "tickets-today") == "4"
    assert _figure(html, "revenue-today") == inr(today_gross)
    assert _figure(html, "tickets-today-last-week") == "0"
    assert _figure(html, "revenue-today-change") == "no sales a week before"
    assert _figure(html, "tickets-this-week") == str(week_tickets)
    assert _figure(html, "revenue-this-week") == inr(week_gross)
    assert _figure(html, "holds-active") == "1" and _figure(html, "holds-seats") == "2"
    assert _figure(html, "refunds-waiting") == "1"
    assert _figure(html, "refunds-waiting-amount") == inr(1234)
    assert _figure(html, "failed-payments") == "1" and "Card declined" in html
    assert 'data-chart="sales-week"' in html and 'id="sales-week"' in html
    assert on_day2.context["shows_today"] == []  # the shows start ten days on

    # A week on: nothing sold today, against day 2's sales.
    assert _figure(later, "tickets-today") == "0"
    assert _figure(later, "revenue-today") == inr(0)
    assert _figure(later, "tickets-today-last-week") == "4"
    assert _figure(later, "revenue-today-last-week") == inr(today_gross)
    assert _figure(later, "revenue-today-change") == "-100.0% on the same days last week"
    assert _figure(later, "tickets-this-week-last-week") == str(week_tickets)
    assert _figure(later, "holds-active") == "0"
    assert _figure(later, "failed-payments") == "0"  # more than 7 days ago


def test_a_chain_in_test_mode_sees_its_test_money_said_so(known_sales, alpha, make_user):
    sales = known_sales
    with schema_context("alpha"):
        assert not PaymentSettings.current().live
        tried = Payment.objects.get(test_mode=True, status=Payment.Status.SUCCEEDED).order
    client = dashboard(alpha, make_user(alpha, role=Role.OWNER))

    page = client.get("/dashboard/reports/sales/", _range(sales, group="day"))

    assert page.status_code == 200
    assert "Test mode" in page.content.decode()
    rows = page.context["table"].rows
    assert [(r["key"], r["tickets"], r["gross"]) for r in rows] == [
        (sales["day2"].isoformat(), 1, tried.total)
    ]


def test_the_api_reports_refunds_promo_codes_and_payment_methods_as_the_pages(
    known_sales, owner, manager
):
    sales = known_sales
    query = _range(sales)

    refunds = manager.get("/api/v1/reports/refunds/", query).json()
    methods = manager.get("/api/v1/reports/payment-methods/", query).json()
    promos = manager.get("/api/v1/reports/promo-codes/", query).json()
    page = owner.get("/dashboard/reports/payment-methods/", query).context["table"]

    assert refunds["totals"] == {"count": 1, "amount": sales["refund"]}
    assert refunds["by_reason"][0]["key"] == "staff"
    assert methods["rows"] == [{**row} for row in page.rows]
    assert methods["totals"]["gross"] == sum(
        sales[name].total for name in ("late", "midnight", "refunded")
    )
    assert promos == {
        "currency": "INR",
        "rows": [],
        "totals": {"orders": 0, "discount": 0, "gross": 0},
    }
    assert manager.get("/api/v1/reports/refunds/", {"from": "2026-02-01"}).status_code == 400
