"""The chain dashboard's home page: today's figures for managers and owners (money
too, READ_REPORTS), today's shows and seats for the box office (no money)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from dashboards.charts import chart_data, charts_assets, units
from dashboards.checklist import checklist
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.orders.selectors import money
from venue_apps.payments.reports import occupancy_report, sales_report
from venue_apps.payments.today import Period, figures_of_test_money, home_figures


def _change(value: float | None) -> dict[str, Any]:
    if value is None:
        return {"text": "no sales a week before", "trend": "flat"}
    trend = "up" if value > 0 else "down" if value < 0 else "flat"
    return {"text": f"{value:+.1f}% on the same days last week", "trend": trend}


def _cards(name: str, period: Period, currency: str) -> list[dict[str, Any]]:
    return [
        {
            "figure": f"tickets-{name}",
            "label": f"Tickets sold {name.replace('-', ' ')}",
            "value": f"{period.tickets:,}",
            "before": f"{period.tickets_before:,}",
            "change": _change(period.tickets_change),
        },
        {
            "figure": f"revenue-{name}",
            "label": f"Revenue {name.replace('-', ' ')}",
            "value": money(period.gross, currency),
            "before": money(period.gross_before, currency),
            "change": _change(period.gross_change),
        },
    ]


def _shows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shown = []
    for row in rows:
        capacity = row["capacity"] or 1
        shown.append(
            {
                **row,
                "starts": timezone.localtime(row["starts_at"]),
                "free": max(row["capacity"] - row["sold"] - row["held"], 0),
                "sold_pct": round(row["sold"] * 100 / capacity, 1),
                "held_pct": round(row["held"] * 100 / capacity, 1),
            }
        )
    return shown


def _week_chart(monday: datetime.date, tenant: Any, test_money: bool) -> dict[str, Any]:
    """Gross per day of this week (Monday to Sunday) beside the week before."""
    report = sales_report(
        first=monday - datetime.timedelta(days=7),
        last=monday + datetime.timedelta(days=6),
        group="day",
        timezone=tenant.timezone,
        currency=tenant.currency,
        test_mode=test_money,
    )
    gross = {row["key"]: row["gross"] for row in report["rows"]}

    def week(start: datetime.date) -> list[float]:
        days = [(start + datetime.timedelta(days=n)).isoformat() for n in range(7)]
        return [float(units(gross.get(day, 0), tenant.currency)) for day in days]

    return chart_data(
        kind="bar",
        labels=[f"{monday + datetime.timedelta(days=n):%a %d %b}" for n in range(7)],
        datasets=[
            {"label": "This week", "data": week(monday)},
            {"label": "Last week", "data": week(monday - datetime.timedelta(days=7))},
        ],
        colour=tenant.primary_colour,
        currency=tenant.currency,
    )


def home_context(request: HttpRequest, site: Any) -> dict[str, Any]:
    """What the index shows above Django's list of models, by the viewer's role."""
    tenant = request.tenant  # type: ignore[attr-defined]
    colour = tenant.primary_colour
    now = timezone.now()
    context: dict[str, Any] = {
        "brand_colour": colour,
        "charts_assets": charts_assets(request),
        "zone": tenant.timezone,
    }
    if not has_capability(request.user, Capability.READ_REPORTS):
        today = timezone.localdate()
        shows = _shows(occupancy_report(day=today, timezone=tenant.timezone))
        context.update(money_figures=False, today=today, shows_today=shows)
        return context
    # The new chain's first steps (owners and managers), until they are all done.
    context["checklist"] = checklist(tenant, site.name, request.user)
    test_money = figures_of_test_money()
    figures = home_figures(
        now=now, timezone=tenant.timezone, currency=tenant.currency, test_mode=test_money
    )
    currency = tenant.currency
    shows_today = _shows(figures["shows_today"])
    shows_tomorrow = _shows(figures["shows_tomorrow"])
    week: dict[str, Any] = figures["week"]
    refunds = figures["refunds_waiting"]
    context.update(
        money_figures=True,
        test_money=test_money,
        currency=currency,
        today=figures["today"],
        tomorrow=figures["tomorrow"],
        week_first=week.first,
        cards=[*_cards("today", figures["day"], currency), *_cards("this-week", week, currency)],
        shows_today=shows_today,
        shows_tomorrow=shows_tomorrow,
        charts={
            "sales-week": _week_chart(week.first, tenant, test_money),
        },
        holds=figures["holds"],
        refunds_waiting={
            **refunds,
            "amount_text": money(refunds["amount"], currency),
            "rows": [
                {"refund": refund, "amount": money(refund.amount, refund.currency)}
                for refund in refunds["rows"]
            ],
        },
        failed_payments={
            **figures["failed_payments"],
            "rows": [
                {"payment": payment, "amount": money(payment.amount, payment.currency)}
                for payment in figures["failed_payments"]["rows"]
            ],
        },
        sales_url=reverse(f"{site.name}:report", args=["sales"]),
        reports_url=reverse(f"{site.name}:reports"),
        last_week=week.first - datetime.timedelta(days=7),
    )
    return context
