"""The reports API: sales from the ledger (live money only, the chain's days) and the
occupancy of a day's shows. The known sales are `tests.fixtures.known_sales`.

Sales are made through the real checkout (the sandbox), at chosen moments (time_machine),
and a staff refund goes through the API. The sandbox only takes test-mode money, so the
payments that stand for live ones are marked live afterwards (`Payment.test_mode`, the
one thing the reports read to tell live money from test money); one stays test-mode and
must not count.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

import pytest
from django.db.models import Sum
from django_tenants.utils import schema_context

from tests.fixtures import KOLKATA, local_at
from venue_apps.accounts.models import Role
from venue_apps.inventory.models import SeatState, ShowSeat
from venue_apps.payments.models import LedgerAccount, LedgerEntry

pytestmark = pytest.mark.django_db
REVENUE = [LedgerAccount.TICKET_SALES, LedgerAccount.BOOKING_FEES, LedgerAccount.TAX]


@pytest.fixture
def sales(known_sales):
    return known_sales


def _report(client, **query):
    return client.get("/api/v1/reports/sales/", query)


def test_sales_by_day_are_exact_and_match_the_ledger(sales, manager):
    day1, day2 = sales["day1"], sales["day2"]
    late, midnight, refunded = sales["late"], sales["midnight"], sales["refunded"]

    answer = _report(manager, **{"from": day1.isoformat(), "to": day2.isoformat(), "group": "day"})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    day2_gross = midnight.total + refunded.total
    assert body == {
        "currency": "INR",
        "rows": [
            {
                "key": day1.isoformat(),
                "label": day1.isoformat(),
                "tickets": 2,
                "gross": late.total,
                "refunds": 0,
                "net": late.total,
            },
            {
                "key": day2.isoformat(),
                "label": day2.isoformat(),
                "tickets": 4,  # 1 + 3: the 00:30 local sale is day 2's, the test one none
                "gross": day2_gross,
                "refunds": sales["refund"],
                "net": day2_gross - sales["refund"],
            },
        ],
        "totals": {
            "tickets": 6,
            "gross": late.total + day2_gross,
            "refunds": sales["refund"],
            "net": late.total + day2_gross - sales["refund"],
        },
    }
    # The ledger's own sums for the range: revenue accounts moved by exactly `net`.
    since, until = local_at(day1, 0, 0), local_at(day2 + timedelta(days=1), 0, 0)
    with schema_context("alpha"):
        live = LedgerEntry.objects.filter(
            payment__test_mode=False, created_at__gte=since, created_at__lt=until
        )
        revenue = live.filter(account__in=REVENUE).aggregate(total=Sum("amount"))["total"]
        gross = live.filter(kind="sale", account=LedgerAccount.CUSTOMER_FUNDS).aggregate(
            total=Sum("amount")
        )["total"]
    assert -revenue == body["totals"]["net"]
    assert gross == body["totals"]["gross"]


def test_a_sale_at_half_past_midnight_local_is_that_local_day(sales, manager):
    day2 = sales["day2"].isoformat()
    midnight = sales["midnight"]
    with schema_context("alpha"):
        posted = LedgerEntry.objects.get(order=midnight, kind="sale", account="customer_funds")
    assert posted.created_at.astimezone(zoneinfo.ZoneInfo("UTC")).date() == sales["day1"]

    only_day1 = _report(manager, **{"from": sales["day1"].isoformat(), "to": sales["day1"]})
    only_day2 = _report(manager, **{"from": day2, "to": day2}).json()

    assert only_day1.json()["totals"]["gross"] == sales["late"].total
    assert only_day2["totals"]["tickets"] == 4
    assert only_day2["rows"][0]["key"] == day2


@pytest.mark.parametrize("group", ["title", "venue", "show"])
def test_sales_by_title_venue_and_show_use_the_orders_show(sales, manager, group):
    first, second = sales["first"], sales["second"]
    late, midnight, refunded = sales["late"], sales["midnight"], sales["refunded"]
    query = {"from": sales["day1"].isoformat(), "to": sales["day2"].isoformat(), "group": group}

    rows = _report(manager, **query).json()["rows"]

    key = {"title": "title_id", "venue": "venue_id", "show": "pk"}[group]
    first_net = late.total + refunded.total - sales["refund"]
    assert [
        (row["key"], row["tickets"], row["gross"], row["refunds"], row["net"]) for row in rows
    ] == [
        (str(getattr(first, key)), 5, late.total + refunded.total, sales["refund"], first_net),
        (str(getattr(second, key)), 1, midnight.total, 0, midnight.total),
    ]  # by net, descending
    if group == "title":
        assert rows[0]["label"] == first.title.name
    if group == "venue":
        assert rows[1]["label"] == second.venue.name


def test_a_range_without_sales_is_empty(sales, manager):
    day = (sales["day1"] - timedelta(days=1)).isoformat()

    body = _report(manager, **{"from": day, "to": day, "group": "show"}).json()

    assert body == {
        "currency": "INR",
        "rows": [],
        "totals": {"tickets": 0, "gross": 0, "refunds": 0, "net": 0},
    }


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"from": "2026-01-01"},
        {"from": "2026-13-01", "to": "2026-12-31"},
        {"from": "yesterday", "to": "2026-12-31"},
        {"from": "2026-02-01", "to": "2026-01-31"},
        {"from": "2024-01-01", "to": "2025-01-01"},
        {"from": "2026-01-01", "to": "2026-01-31", "group": "month"},
        {"from": "9999-12-31", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-01"},
    ],
    ids=[
        "nothing",
        "no-to",
        "bad-month",
        "not-a-date",
        "backwards",
        "367-days",
        "bad-group",
        "last-day-of-calendar",
        "first-day-of-calendar",
    ],
)
def test_bad_sales_queries_are_400s_with_a_reason(manager, query):
    answer = _report(manager, **query)

    assert answer.status_code == 400, answer.content
    assert answer.json()["detail"]


def test_a_whole_leap_year_is_allowed(manager):
    answer = _report(manager, **{"from": "2028-01-01", "to": "2028-12-31"})

    assert answer.status_code == 200, answer.content


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CUSTOMER, 403),
        (Role.BOX_OFFICE, 403),
        (Role.SCANNER, 403),
        (Role.MANAGER, 200),
        (Role.OWNER, 200),
    ],
)
def test_who_reads_the_reports(as_role, role, status):
    client = as_role(role)

    sales = _report(client, **{"from": "2026-01-01", "to": "2026-01-31"})
    occupancy = client.get("/api/v1/reports/occupancy/", {"date": "2026-01-01"})

    assert (sales.status_code, occupancy.status_code) == (status, status)


def test_anonymous_callers_are_refused(as_role):
    client = as_role(None)

    assert _report(client, **{"from": "2026-01-01", "to": "2026-01-31"}).status_code == 401


def test_occupancy_of_a_days_shows(sales, manager):
    first, second = sales["first"], sales["second"]
    with schema_context("alpha"):
        capacity = ShowSeat.objects.filter(show=first).count()
        spare = ShowSeat.objects.filter(show=first, state=SeatState.AVAILABLE).last()
        ShowSeat.objects.filter(pk=spare.pk).update(state=SeatState.BLOCKED)
        blocked = ShowSeat.objects.filter(show=first, state=SeatState.BLOCKED).count()
    assert blocked == 1
    day = first.starts_at.astimezone(KOLKATA).date()

    answer = manager.get("/api/v1/reports/occupancy/", {"date": day.isoformat()})

    assert answer.status_code == 200, answer.content
    rows = answer.json()
    assert [row["show"] for row in rows] == [first.pk, second.pk]
    row = rows[0]
    assert (row["capacity"], row["sold"], row["held"]) == (capacity - blocked, 4, 0)
    assert row["occupancy"] == round(4 / (capacity - blocked), 4)
    assert rows[1]["sold"] == 2  # the live sale and the test-mode one: seats are seats
    assert rows[0]["title"] == first.title.name


def test_occupancy_of_a_day_without_shows_and_bad_dates(manager):
    assert manager.get("/api/v1/reports/occupancy/", {"date": "2001-01-01"}).json() == []
    assert manager.get("/api/v1/reports/occupancy/", {"date": "2001-02-30"}).status_code == 400
    assert manager.get("/api/v1/reports/occupancy/").status_code == 400
    assert manager.get("/api/v1/reports/occupancy/", {"date": "9999-12-31"}).status_code == 400
